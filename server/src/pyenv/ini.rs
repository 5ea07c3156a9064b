//! INI files as Python's tools read them (`.coveragerc`, `setup.cfg`,
//! `tox.ini`, `pytest.ini`): the one reader behind coverage's and pytest's
//! settings.
//!
//! The dialect is the common ground of configparser (coverage.py) and
//! iniconfig (pytest): `[section]` headers, `key = value` or `key: value`
//! split at the first `=` or `:`, whole-line `#` / `;` comments, and indented
//! lines continuing the value above (joined with `\n`). Keys are kept as
//! written: configparser folds their case, iniconfig does not, so the caller
//! compares as its tool does.

/// One `key = value` line (with its continuation lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The section it sits in; `""` before the first header.
    pub section: String,
    pub key: String,
    pub value: String,
}

/// A parsed INI file: its section headers and entries, in file order. A
/// section named twice is read as one (first entry wins on lookup).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ini {
    pub sections: Vec<String>,
    pub entries: Vec<Entry>,
}

impl Ini {
    /// Parses `text`; lines that are neither headers, entries, comments nor
    /// continuations are skipped (the tools themselves report them).
    pub fn parse(text: &str) -> Ini {
        let mut ini = Ini::default();
        let mut section = String::new();
        // Whether the last entry belongs to the current section, so an
        // indented line can continue it.
        let mut open_entry = false;
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
                continue;
            }
            if open_entry && line.starts_with([' ', '\t']) {
                if let Some(last) = ini.entries.last_mut() {
                    if !last.value.is_empty() {
                        last.value.push('\n');
                    }
                    last.value.push_str(trimmed);
                }
                continue;
            }
            if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                section = name.trim().to_string();
                ini.sections.push(section.clone());
                open_entry = false;
                continue;
            }
            if let Some((key, value)) = trimmed.split_once(['=', ':']) {
                ini.entries.push(Entry {
                    section: section.clone(),
                    key: key.trim().to_string(),
                    value: value.trim().to_string(),
                });
                open_entry = true;
            }
        }
        ini
    }

    /// Whether `[name]` appears, even with nothing under it.
    pub fn has_section(&self, name: &str) -> bool {
        self.sections.iter().any(|s| s == name)
    }

    /// The `(key, value)` pairs of `[name]`, in file order.
    pub fn section<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a, 'n> {
        self.entries
            .iter()
            .filter(move |e| e.section == name)
            .map(|e| (e.key.as_str(), e.value.as_str()))
    }

    /// The first value of `key` (spelled exactly so) in `[section]`.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.section(section).find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Vec<(String, String, String)> {
        Ini::parse(text)
            .entries
            .into_iter()
            .map(|e| (e.section, e.key, e.value))
            .collect()
    }

    fn triple(section: &str, key: &str, value: &str) -> (String, String, String) {
        (section.to_string(), key.to_string(), value.to_string())
    }

    #[test]
    fn sections_keys_and_both_separators() {
        let text = "top = 1\n[run]\nbranch = True\n# a comment\n; another\n[ json ]\noutput: build/cov.json\nurl = http://x:1\n";
        assert_eq!(
            entries(text),
            [
                triple("", "top", "1"),
                triple("run", "branch", "True"),
                triple("json", "output", "build/cov.json"),
                triple("json", "url", "http://x:1"),
            ]
        );
    }

    #[test]
    fn continuation_lines_join_with_newlines() {
        let ini = Ini::parse("[tool:pytest]\ntestpaths =\n    checks\n\n    more\naddopts = -q\n    # not a value\n");
        assert_eq!(ini.get("tool:pytest", "testpaths"), Some("checks\nmore"));
        assert_eq!(ini.get("tool:pytest", "addopts"), Some("-q"));
    }

    #[test]
    fn an_indented_line_after_a_header_starts_an_entry() {
        // There is no entry in the section yet for it to continue.
        let ini = Ini::parse("[a]\nx = 1\n[b]\n  y = 2\n");
        assert_eq!(ini.get("a", "x"), Some("1"));
        assert_eq!(ini.get("b", "y"), Some("2"));
    }

    #[test]
    fn empty_sections_count_and_keys_keep_their_case() {
        let ini = Ini::parse("[pytest]\n[other]\nKey = v\n");
        assert!(ini.has_section("pytest") && !ini.has_section("missing"));
        assert_eq!(ini.section("pytest").count(), 0);
        assert_eq!(ini.get("other", "Key"), Some("v"));
        assert_eq!(ini.get("other", "key"), None);
    }
}
