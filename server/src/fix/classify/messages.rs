//! Reading Python's and pytest's messages: the names they quote, the
//! signature mismatch a `TypeError` describes, the environment variable a
//! message asks for, and the package to install for a missing module.

use super::Detail;

/// The `n`-th single-quoted string in a message.
pub(super) fn quoted(message: &str, n: usize) -> Option<String> {
    message.split('\'').skip(1).step_by(2).nth(n).map(str::to_string)
}

/// `module 'shop.pricing' has no attribute 'x'` → `shop.pricing`.
pub(super) fn module_from_message(message: &str) -> Option<String> {
    message.strip_prefix("module '")?.split('\'').next().map(str::to_string)
}

pub(super) fn attribute_from_message(message: &str) -> Option<String> {
    let at = message.find("has no attribute '")? + "has no attribute '".len();
    message[at..].split('\'').next().map(str::to_string)
}

/// `SHOP_URL` from "environment variable SHOP_URL is not set" and similar.
pub(super) fn env_var_in_message(message: &str) -> Option<String> {
    let lower = message.to_lowercase();
    if !(lower.contains("environment variable") || lower.contains("env var") || lower.contains("environ")) {
        return None;
    }
    if !(lower.contains("not set")
        || lower.contains("missing")
        || lower.contains("must be set")
        || lower.contains("required"))
    {
        return None;
    }
    message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|w| {
            w.len() >= 3
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .map(str::to_string)
}

/// The distribution to install for common import names whose package is
/// named differently.
pub(super) fn install_hint(module: &str) -> String {
    let package = match module {
        "yaml" => "PyYAML",
        "PIL" => "Pillow",
        "cv2" => "opencv-python",
        "sklearn" => "scikit-learn",
        "bs4" => "beautifulsoup4",
        "dateutil" => "python-dateutil",
        "dotenv" => "python-dotenv",
        "jwt" => "PyJWT",
        "magic" => "python-magic",
        "serial" => "pyserial",
        "usb" => "pyusb",
        "Crypto" => "pycryptodome",
        "OpenSSL" => "pyOpenSSL",
        "google.protobuf" | "google" => "protobuf",
        "attr" => "attrs",
        "psycopg2" => "psycopg2-binary",
        "MySQLdb" => "mysqlclient",
        "zmq" => "pyzmq",
        "git" => "GitPython",
        "docx" => "python-docx",
        other => other,
    };
    format!("`python -m pip install {package}` in the project's environment")
}

/// The callee a signature message names: `Cart.__init__` → `Cart`,
/// `Cart.add` → `add`.
pub fn callee_of(function: &str) -> &str {
    let mut parts = function.rsplit('.');
    let last = parts.next().unwrap_or(function);
    if last == "__init__" || last == "__new__" {
        parts.next().unwrap_or(last)
    } else {
        last
    }
}

pub(super) fn signature_detail(message: &str) -> Option<Detail> {
    let message = message.lines().next()?.trim();
    let (function, rest) = message.split_once("() ")?;
    let function = function.to_string();
    if let Some(rest) = rest.strip_prefix("missing ") {
        // "missing 2 required positional arguments: 'a' and 'b'"
        let keyword_only = rest.contains("keyword-only");
        let params: Vec<String> = rest.split('\'').skip(1).step_by(2).map(str::to_string).collect();
        if params.is_empty() {
            return None;
        }
        return Some(Detail::MissingArguments {
            function,
            params,
            keyword_only,
        });
    }
    if let Some(rest) = rest.strip_prefix("got an unexpected keyword argument '") {
        return Some(Detail::UnexpectedKeyword {
            function,
            keyword: rest.trim_end_matches('\'').to_string(),
        });
    }
    if rest == "takes no arguments" {
        return Some(Detail::TooManyPositional {
            function,
            takes: 0,
            given: 1,
        });
    }
    if let Some(rest) = rest.strip_prefix("takes ") {
        // "takes 2 positional arguments but 3 were given",
        // "takes from 1 to 2 positional arguments but 3 were given"
        let numbers: Vec<u32> = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|w| w.parse().ok())
            .collect();
        let (takes, given) = match numbers.as_slice() {
            [takes, given] => (*takes, *given),
            [_, most, given] => (*most, *given),
            _ => return None,
        };
        return Some(Detail::TooManyPositional { function, takes, given });
    }
    None
}

pub(super) fn signature_summary(detail: &Detail) -> String {
    match detail {
        Detail::MissingArguments { function, params, .. } => {
            let names: Vec<String> = params.iter().map(|p| format!("`{p}`")).collect();
            format!("`{function}()` now requires {}", names.join(", "))
        }
        Detail::UnexpectedKeyword { function, keyword } => {
            format!("`{function}()` no longer takes the keyword `{keyword}`")
        }
        Detail::TooManyPositional { function, takes, given } => {
            format!("`{function}()` takes {takes} positional arguments, the test gives {given}")
        }
        _ => String::new(),
    }
}

pub(super) fn short(text: &str) -> String {
    let one_line = text.replace('\n', " ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(60).collect::<String>())
    } else {
        one_line
    }
}
