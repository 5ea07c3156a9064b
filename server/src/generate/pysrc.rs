//! Small helpers for writing Python source: string literals, identifiers.

/// A Python string literal for `s`, double-quoted.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float literal Python reads back as the same number (`2.0`, `0.025`).
pub fn float(v: f64) -> String {
    if v.is_finite() {
        format!("{v:?}")
    } else if v.is_nan() {
        "float(\"nan\")".to_string()
    } else if v > 0.0 {
        "float(\"inf\")".to_string()
    } else {
        "float(\"-inf\")".to_string()
    }
}

/// `CsvExporter` → `csv_exporter`, `HTTPServer` → `http_server`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Lowercase words of `text` joined by `_`, usable in a Python identifier
/// (`"Hello, World!"` → `hello_world`, `-1.5` → `minus_1_5`), at most `max`
/// characters (cut at a word boundary).
pub fn slug(text: &str, max: usize) -> String {
    let text = text.trim();
    let text = match text.strip_prefix('-') {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => format!("minus_{rest}"),
        _ => text.to_string(),
    };
    let mut out = String::new();
    let mut pending = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if pending && !out.is_empty() {
                out.push('_');
            }
            pending = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending = true;
        }
    }
    if out.len() > max {
        let cut = out[..max].rfind('_').filter(|&i| i > 0).unwrap_or(max);
        out.truncate(cut);
    }
    out
}

/// Whether `name` is a Python identifier (ASCII subset) and not a keyword.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !is_keyword(name)
}

pub fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "False"
            | "None"
            | "True"
            | "and"
            | "as"
            | "assert"
            | "async"
            | "await"
            | "break"
            | "class"
            | "continue"
            | "def"
            | "del"
            | "elif"
            | "else"
            | "except"
            | "finally"
            | "for"
            | "from"
            | "global"
            | "if"
            | "import"
            | "in"
            | "is"
            | "lambda"
            | "nonlocal"
            | "not"
            | "or"
            | "pass"
            | "raise"
            | "return"
            | "try"
            | "while"
            | "with"
            | "yield"
    )
}

/// The value of a simple Python string literal's source (`'a'`, `"b\n"`,
/// `r"c"`), or `None` for f-strings, byte strings and anything unusual.
pub fn string_value(src: &str) -> Option<String> {
    let lower_prefix: String = src
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let raw = match lower_prefix.as_str() {
        "" | "u" => false,
        "r" => true,
        _ => return None,
    };
    let body = &src[lower_prefix.len()..];
    let quote = body.chars().next()?;
    if !matches!(quote, '"' | '\'') || body.len() < 2 || !body.ends_with(quote) {
        return None;
    }
    if body.starts_with(&format!("{quote}{quote}{quote}")) && body.len() >= 6 {
        return None;
    }
    let inner = &body[1..body.len() - 1];
    if raw {
        return Some(inner.to_string());
    }
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            '0' => out.push('\0'),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings() {
        assert_eq!(string("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(string("café"), "\"café\"");
        assert_eq!(string_value("'json'").as_deref(), Some("json"));
        assert_eq!(string_value("\"a\\nb\"").as_deref(), Some("a\nb"));
        assert_eq!(string_value("r'\\d'").as_deref(), Some("\\d"));
        assert_eq!(string_value("f'{x}'"), None);
        assert_eq!(string_value("b'x'"), None);
    }

    #[test]
    fn names() {
        assert_eq!(snake_case("CsvExporter"), "csv_exporter");
        assert_eq!(snake_case("HTTPServer"), "http_server");
        assert_eq!(snake_case("Cart"), "cart");
        assert_eq!(slug("Hello, World!", 40), "hello_world");
        assert_eq!(slug("-1.5", 40), "minus_1_5");
        assert_eq!(slug("a_very_long_name", 8), "a_very");
        assert!(is_identifier("qty_2") && !is_identifier("2x") && !is_identifier("lambda"));
        assert_eq!(float(2.0), "2.0");
        assert_eq!(float(0.025), "0.025");
    }
}
