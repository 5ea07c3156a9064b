//! Parameter annotations as a small type tree: enough to choose inputs.
//!
//! `Optional[X]`, `Union[X, Y]` and `X | Y` become [`TypeExpr::Union`];
//! `typing.List[int]` and `list[int]` alike become `Generic("list", [int])`;
//! quoted forward references are parsed as what they quote; `Annotated[X,
//! …]` is `X`. Anything unparsable is [`TypeExpr::Unknown`].

/// A parsed annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    /// A plain (possibly dotted) name: `int`, `Decimal`, `models.User`.
    Name(String),
    /// A subscripted name with its arguments, the name canonicalised
    /// (`List` → `list`, `typing.Optional` handled as a union).
    Generic(String, Vec<TypeExpr>),
    Union(Vec<TypeExpr>),
    /// `Literal[...]` members as source text.
    Literal(Vec<String>),
    /// A bracketed list of types, as in `Callable[[int], str]`.
    List(Vec<TypeExpr>),
    None,
    Ellipsis,
    Unknown,
}

impl TypeExpr {
    /// Parses an annotation's source text.
    pub fn parse(text: &str) -> TypeExpr {
        let tokens = match tokenize(text) {
            Some(t) => t,
            None => return TypeExpr::Unknown,
        };
        let mut parser = Parser { tokens, at: 0 };
        match parser.union() {
            Some(t) if parser.at == parser.tokens.len() => t,
            _ => TypeExpr::Unknown,
        }
    }

    /// Whether `None` is an accepted value.
    pub fn allows_none(&self) -> bool {
        match self {
            TypeExpr::None => true,
            TypeExpr::Union(members) => members.iter().any(TypeExpr::allows_none),
            TypeExpr::Literal(items) => items.iter().any(|i| i == "None"),
            TypeExpr::Name(n) => matches!(last_segment(n), "Any" | "object"),
            _ => false,
        }
    }

    /// The members of a union other than `None` (the type itself otherwise).
    pub fn without_none(&self) -> Vec<&TypeExpr> {
        match self {
            TypeExpr::Union(members) => members.iter().filter(|m| !matches!(m, TypeExpr::None)).collect(),
            other => vec![other],
        }
    }
}

/// The last part of a dotted name.
pub fn last_segment(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Str(String),
    Num(String),
    Open(char),
    Close(char),
    Comma,
    Pipe,
    Ellipsis,
}

fn tokenize(text: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' | '\\' => i += 1,
            '[' | '(' => {
                out.push(Token::Open(c));
                i += 1;
            }
            ']' | ')' => {
                out.push(Token::Close(c));
                i += 1;
            }
            ',' => {
                out.push(Token::Comma);
                i += 1;
            }
            '|' => {
                out.push(Token::Pipe);
                i += 1;
            }
            '.' if chars[i..].starts_with(&['.', '.', '.']) => {
                out.push(Token::Ellipsis);
                i += 3;
            }
            '"' | '\'' => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != c {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= chars.len() {
                    return None;
                }
                i += 1;
                out.push(Token::Str(chars[start..i].iter().collect()));
            }
            c if c == '-' || c.is_ascii_digit() => {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                    i += 1;
                }
                out.push(Token::Num(chars[start..i].iter().collect()));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                    i += 1;
                }
                out.push(Token::Name(chars[start..i].iter().collect()));
            }
            _ => return None,
        }
    }
    Some(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn union(&mut self) -> Option<TypeExpr> {
        let mut members = vec![self.primary()?];
        while self.peek() == Some(&Token::Pipe) {
            self.at += 1;
            members.push(self.primary()?);
        }
        Some(flatten_union(members))
    }

    fn args(&mut self, close: char) -> Option<Vec<TypeExpr>> {
        let mut out = Vec::new();
        loop {
            if self.peek() == Some(&Token::Close(close)) {
                self.at += 1;
                return Some(out);
            }
            out.push(self.union()?);
            match self.next()? {
                Token::Comma => {}
                Token::Close(c) if c == close => return Some(out),
                _ => return None,
            }
        }
    }

    /// Raw source of each argument of `Literal[...]`.
    fn literal_args(&mut self) -> Option<Vec<String>> {
        let mut out = Vec::new();
        loop {
            match self.next()? {
                Token::Close(']') => return Some(out),
                Token::Str(s) | Token::Num(s) | Token::Name(s) => out.push(s),
                _ => return None,
            }
            match self.next()? {
                Token::Comma => {}
                Token::Close(']') => return Some(out),
                _ => return None,
            }
        }
    }

    fn primary(&mut self) -> Option<TypeExpr> {
        match self.next()? {
            Token::Name(name) => {
                if name == "None" {
                    return Some(TypeExpr::None);
                }
                if self.peek() == Some(&Token::Open('(')) {
                    // A call (`Gt(0)` in `Annotated`): not a type.
                    let mut depth = 0;
                    while let Some(t) = self.next() {
                        match t {
                            Token::Open(_) => depth += 1,
                            Token::Close(_) => depth -= 1,
                            _ => {}
                        }
                        if depth == 0 {
                            break;
                        }
                    }
                    return Some(TypeExpr::Unknown);
                }
                if self.peek() != Some(&Token::Open('[')) {
                    return Some(TypeExpr::Name(name));
                }
                self.at += 1;
                let base = last_segment(&name).to_string();
                if base == "Literal" {
                    return self.literal_args().map(TypeExpr::Literal);
                }
                let args = self.args(']')?;
                Some(generic(&name, &base, args))
            }
            Token::Str(s) => {
                // A forward reference: the annotation is inside the quotes.
                let inner = &s[1..s.len() - 1];
                Some(TypeExpr::parse(inner))
            }
            Token::Num(_) => Some(TypeExpr::Unknown),
            Token::Ellipsis => Some(TypeExpr::Ellipsis),
            Token::Open('[') => self.args(']').map(TypeExpr::List),
            Token::Open('(') => {
                let inner = self.union()?;
                (self.next()? == Token::Close(')')).then_some(inner)
            }
            _ => None,
        }
    }
}

fn flatten_union(members: Vec<TypeExpr>) -> TypeExpr {
    let mut flat = Vec::new();
    for m in members {
        match m {
            TypeExpr::Union(inner) => flat.extend(inner),
            other => flat.push(other),
        }
    }
    if flat.len() == 1 {
        flat.pop().unwrap_or(TypeExpr::Unknown)
    } else {
        TypeExpr::Union(flat)
    }
}

fn generic(name: &str, base: &str, mut args: Vec<TypeExpr>) -> TypeExpr {
    match base {
        "Optional" if args.len() == 1 => flatten_union(vec![args.remove(0), TypeExpr::None]),
        "Union" => flatten_union(args),
        "Annotated" | "Final" | "Required" | "NotRequired" | "ClassVar" if !args.is_empty() => args.remove(0),
        _ => {
            let canonical = match base {
                "List" => "list",
                "Dict" => "dict",
                "Set" => "set",
                "FrozenSet" => "frozenset",
                "Tuple" => "tuple",
                "Type" => "type",
                "DefaultDict" => "dict",
                "OrderedDict" => "dict",
                _ if name.contains('.') && is_typing_name(base) => base,
                _ => name,
            };
            TypeExpr::Generic(canonical.to_string(), args)
        }
    }
}

fn is_typing_name(base: &str) -> bool {
    matches!(
        base,
        "Sequence"
            | "MutableSequence"
            | "Iterable"
            | "Iterator"
            | "Collection"
            | "Mapping"
            | "MutableMapping"
            | "AbstractSet"
            | "MutableSet"
            | "Callable"
            | "Generator"
            | "AsyncIterator"
            | "AsyncIterable"
            | "Awaitable"
            | "Coroutine"
            | "IO"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> TypeExpr {
        TypeExpr::Name(n.to_string())
    }

    fn g(n: &str, args: Vec<TypeExpr>) -> TypeExpr {
        TypeExpr::Generic(n.to_string(), args)
    }

    #[test]
    fn unions_in_every_spelling() {
        let want = TypeExpr::Union(vec![name("int"), TypeExpr::None]);
        assert_eq!(TypeExpr::parse("int | None"), want);
        assert_eq!(TypeExpr::parse("Optional[int]"), want);
        assert_eq!(TypeExpr::parse("typing.Optional[int]"), want);
        assert_eq!(TypeExpr::parse("Union[int, None]"), want);
        assert_eq!(TypeExpr::parse("'int | None'"), want);
        assert!(want.allows_none());
        assert_eq!(
            TypeExpr::parse("Union[int, str] | None"),
            TypeExpr::Union(vec![name("int"), name("str"), TypeExpr::None])
        );
    }

    #[test]
    fn generics_are_canonical() {
        assert_eq!(
            TypeExpr::parse("List[Dict[str, int]]"),
            g("list", vec![g("dict", vec![name("str"), name("int")])])
        );
        assert_eq!(
            TypeExpr::parse("tuple[str, ...]"),
            g("tuple", vec![name("str"), TypeExpr::Ellipsis])
        );
        assert_eq!(
            TypeExpr::parse("collections.abc.Iterable[LineItem]"),
            g("Iterable", vec![name("LineItem")])
        );
        assert_eq!(
            TypeExpr::parse("Callable[[int, str], bool]"),
            g(
                "Callable",
                vec![TypeExpr::List(vec![name("int"), name("str")]), name("bool")]
            )
        );
        assert_eq!(TypeExpr::parse("Annotated[int, Gt(0)]"), name("int"));
    }

    #[test]
    fn literals_keep_their_source() {
        assert_eq!(
            TypeExpr::parse("Literal['a', \"b\", 3, -1, None]"),
            TypeExpr::Literal(vec![
                "'a'".into(),
                "\"b\"".into(),
                "3".into(),
                "-1".into(),
                "None".into()
            ])
        );
    }

    #[test]
    fn nonsense_is_unknown() {
        assert_eq!(TypeExpr::parse("int["), TypeExpr::Unknown);
        assert_eq!(TypeExpr::parse("lambda: 3"), TypeExpr::Unknown);
        assert_eq!(TypeExpr::parse(""), TypeExpr::Unknown);
    }
}
