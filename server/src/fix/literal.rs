//! Writing a runtime value back as a Python literal in the file's own style:
//! its quote character, and one item per line where the literal it replaces
//! was laid out that way.

use super::failure::Value;
use super::source::{descendants, Source};
use tree_sitter::Node;

/// How to write a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteralStyle {
    pub quote: char,
    /// Items of the outermost container one per line, indented one step
    /// deeper than `indent`.
    pub multiline: Option<Multiline>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multiline {
    /// The indentation of the line the literal starts on.
    pub indent: String,
    pub step: String,
    pub trailing_comma: bool,
    pub newline: &'static str,
}

impl LiteralStyle {
    /// The style of the literal `node` in `src`.
    pub fn of(src: &Source, node: Node) -> LiteralStyle {
        let text = src.text_of(node);
        let quote = descendants(node)
            .find(|n| n.kind() == "string_start")
            .and_then(|n| src.text_of(n).chars().last())
            .unwrap_or_else(|| src.preferred_quote());
        let multiline = text.contains('\n').then(|| {
            let indent = src.indentation_at(node.start_byte()).to_string();
            // The first item's line tells the step.
            let step = text
                .lines()
                .nth(1)
                .map(|l| {
                    let width = l.len() - l.trim_start_matches([' ', '\t']).len();
                    l[..width].strip_prefix(indent.as_str()).unwrap_or("    ").to_string()
                })
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "    ".to_string());
            let before_close = text.trim_end().trim_end_matches([')', ']', '}']).trim_end();
            Multiline {
                indent,
                step,
                trailing_comma: before_close.ends_with(','),
                newline: src.newline(),
            }
        });
        LiteralStyle { quote, multiline }
    }
}

/// `value` as Python source.
pub fn render(value: &Value, style: &LiteralStyle) -> String {
    match (&style.multiline, value) {
        (Some(layout), Value::List { items } | Value::Tuple { items } | Value::Set { items })
            if items.len() > 1 || (matches!(value, Value::List { .. } | Value::Set { .. }) && !items.is_empty()) =>
        {
            let (open, close) = match value {
                Value::List { .. } => ("[", "]"),
                Value::Tuple { .. } => ("(", ")"),
                _ => ("{", "}"),
            };
            let lines: Vec<String> = items.iter().map(|i| inline(i, style.quote)).collect();
            block(open, close, &lines, layout)
        }
        (Some(layout), Value::Dict { pairs }) if !pairs.is_empty() => {
            let lines: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}: {}", inline(k, style.quote), inline(v, style.quote)))
                .collect();
            block("{", "}", &lines, layout)
        }
        _ => inline(value, style.quote),
    }
}

fn block(open: &str, close: &str, lines: &[String], layout: &Multiline) -> String {
    let inner = format!("{}{}", layout.indent, layout.step);
    let mut out = String::from(open);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(layout.newline);
        out.push_str(&inner);
        out.push_str(line);
        if i + 1 < lines.len() || layout.trailing_comma {
            out.push(',');
        }
    }
    out.push_str(layout.newline);
    out.push_str(&layout.indent);
    out.push_str(close);
    out
}

fn inline(value: &Value, quote: char) -> String {
    let join = |items: &[Value]| items.iter().map(|i| inline(i, quote)).collect::<Vec<_>>().join(", ");
    match value {
        Value::None => "None".to_string(),
        Value::Bool { value } => if *value { "True" } else { "False" }.to_string(),
        Value::Int { text } | Value::Float { text } | Value::Bytes { text } => text.clone(),
        Value::Str { value } => string_literal(value, quote),
        Value::List { items } => format!("[{}]", join(items)),
        Value::Tuple { items } if items.len() == 1 => format!("({},)", inline(&items[0], quote)),
        Value::Tuple { items } => format!("({})", join(items)),
        Value::Set { items } if items.is_empty() => "set()".to_string(),
        Value::Set { items } => format!("{{{}}}", join(items)),
        Value::Frozenset { items } if items.is_empty() => "frozenset()".to_string(),
        Value::Frozenset { items } => format!("frozenset({{{}}})", join(items)),
        Value::Dict { pairs } => {
            let inner: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}: {}", inline(k, quote), inline(v, quote)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

/// A string literal as `repr()` writes it, preferring `quote` (and, like
/// `repr()`, the other quote when the text holds `quote` but not the other).
pub fn string_literal(text: &str, quote: char) -> String {
    let other = if quote == '"' { '\'' } else { '"' };
    let quote = if text.contains(quote) && !text.contains(other) {
        other
    } else {
        quote
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Whether `node` is a literal a test author wrote as an expected value:
/// numbers, plain strings, `True`/`False`/`None`, and containers of them.
pub fn is_literal(src: &Source, node: Node) -> bool {
    match node.kind() {
        "integer" | "float" | "true" | "false" | "none" => true,
        "string" => !descendants(node).any(|n| n.kind() == "interpolation"),
        "concatenated_string" => {
            let mut cursor = node.walk();
            let all = node.named_children(&mut cursor).all(|c| is_literal(src, c));
            all
        }
        "unary_operator" => {
            let operand = node.child_by_field_name("argument");
            operand.is_some_and(|o| matches!(o.kind(), "integer" | "float"))
        }
        "list" | "tuple" | "set" | "dictionary" | "parenthesized_expression" | "pair" => {
            let mut cursor = node.walk();
            let all = node
                .named_children(&mut cursor)
                .filter(|c| !c.is_extra())
                .all(|c| is_literal(src, c));
            all
        }
        "call" => {
            // `set()`, `frozenset({...})`, `tuple()` written as calls.
            let function = node.child_by_field_name("function").map(|f| src.text_of(f));
            let args = node.child_by_field_name("arguments");
            matches!(function, Some("set" | "frozenset" | "tuple" | "list" | "dict"))
                && args.is_some_and(|a| {
                    let mut cursor = a.walk();
                    let all = a.named_children(&mut cursor).all(|c| is_literal(src, c));
                    all
                })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(n: i64) -> Value {
        Value::Int { text: n.to_string() }
    }

    fn s(text: &str) -> Value {
        Value::Str { value: text.into() }
    }

    fn flat(quote: char) -> LiteralStyle {
        LiteralStyle { quote, multiline: None }
    }

    #[test]
    fn scalars_and_containers() {
        let value = Value::Dict {
            pairs: vec![
                (s("a"), Value::Tuple { items: vec![int(1)] }),
                (s("b"), Value::Set { items: vec![] }),
                (
                    s("c"),
                    Value::List {
                        items: vec![
                            Value::None,
                            Value::Bool { value: true },
                            Value::Float { text: "0.5".into() },
                        ],
                    },
                ),
            ],
        };
        assert_eq!(
            render(&value, &flat('\'')),
            "{'a': (1,), 'b': set(), 'c': [None, True, 0.5]}"
        );
        assert_eq!(
            render(&value, &flat('"')),
            r#"{"a": (1,), "b": set(), "c": [None, True, 0.5]}"#
        );
    }

    #[test]
    fn strings_like_repr() {
        assert_eq!(string_literal("it's", '\''), "\"it's\"");
        assert_eq!(string_literal("say \"hi\" it's", '"'), r#""say \"hi\" it's""#);
        assert_eq!(string_literal("a\\b\n\t\u{1}é", '"'), r#""a\\b\n\t\x01é""#);
    }

    #[test]
    fn the_layout_of_the_literal_it_replaces() {
        let src = Source::parse("def test():\n    assert f() == {\n        'a': 1,\n        'b': [1, 2],\n    }\n");
        let dict = descendants(src.root()).find(|n| n.kind() == "dictionary").unwrap();
        assert!(is_literal(&src, dict));
        let style = LiteralStyle::of(&src, dict);
        assert_eq!(style.quote, '\'');
        let value = Value::Dict {
            pairs: vec![(s("a"), int(2)), (s("c"), Value::List { items: vec![int(3)] })],
        };
        assert_eq!(render(&value, &style), "{\n        'a': 2,\n        'c': [3],\n    }");
    }

    #[test]
    fn literals_and_not() {
        let src = Source::parse("x = (-1, 'a' 'b', [1.5, None], {'k': True}, set(), f'{y}', y, g())\n");
        let tuple = descendants(src.root()).find(|n| n.kind() == "tuple").unwrap();
        let mut cursor = tuple.walk();
        let verdicts: Vec<bool> = tuple.named_children(&mut cursor).map(|c| is_literal(&src, c)).collect();
        assert_eq!(verdicts, [true, true, true, true, true, false, false, false]);
    }
}
