//! Walks a tree-sitter Python tree and builds the [`Module`] model.
//!
//! The walk uses an explicit work list instead of recursion, so deeply nested
//! expressions in generated code cannot overflow the stack.

use super::complexity;
use super::conditions::{self, Rules};
use super::model::*;
use super::regions::{block_range, reached_through_bodies};
use super::syntax::{end_line_of, line_of, statements};
use tree_sitter::{Node, Tree};

/// How much of each function body to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Everything: complexity, raises, comparisons, generators.
    Full,
    /// Definitions and their positions only: statements are visited, but
    /// not the expressions inside them. What an editor needs per keystroke.
    Outline,
}

/// Builds the module model from a parsed tree and its source bytes.
pub fn extract(tree: &Tree, src: &[u8], depth: Depth) -> Module {
    build(tree, src, depth, true)
}

/// The outline of a run of whole top-level statements cut from a module.
/// Unless the cut starts the module, a string statement at its start is not
/// the module's docstring.
pub fn extract_region(tree: &Tree, src: &[u8], at_module_start: bool) -> Module {
    build(tree, src, Depth::Outline, at_module_start)
}

fn build(tree: &Tree, src: &[u8], depth: Depth, at_module_start: bool) -> Module {
    let mut ex = Extractor {
        depth,
        src,
        module: Module {
            line_count: line_count(src),
            ..Module::default()
        },
        scopes: vec![Scope {
            qualname: String::new(),
            function: None,
            class: None,
            params: Vec::new(),
            region: true,
        }],
    };
    let root = tree.root_node();
    if at_module_start {
        ex.module_docstring(root);
    }
    ex.module.top_level_names = super::toplevel::top_level_names(root, src);
    ex.walk(root);
    ex.finish_classes();
    if root.has_error() {
        ex.module.syntax_errors = syntax_errors(root, src);
    }
    ex.module
}

fn line_count(src: &[u8]) -> u32 {
    if src.is_empty() {
        return 0;
    }
    let newlines = src.iter().filter(|&&b| b == b'\n').count() as u32;
    newlines + u32::from(!src.ends_with(b"\n"))
}

/// A lexical scope: the module, a class body or a function body.
struct Scope {
    qualname: String,
    /// Index into `module.functions` when this scope is a function body.
    function: Option<usize>,
    /// Index into `module.classes` when this scope is a class body.
    class: Option<usize>,
    /// Parameter names, for mining comparisons.
    params: Vec<String>,
    /// Whether coverage.py makes regions for the definitions in this scope.
    region: bool,
}

struct Extractor<'s> {
    depth: Depth,
    src: &'s [u8],
    module: Module,
    scopes: Vec<Scope>,
}

fn position(p: tree_sitter::Point) -> Position {
    Position {
        line: p.row as u32 + 1,
        byte_column: p.column as u32,
    }
}

/// The string node when `stmt` is a docstring-shaped statement.
fn docstring_node(stmt: Node) -> Option<Node> {
    if stmt.kind() != "expression_statement" || stmt.named_child_count() != 1 {
        return None;
    }
    let expr = stmt.named_child(0)?;
    matches!(expr.kind(), "string" | "concatenated_string").then_some(expr)
}

impl<'s> Extractor<'s> {
    fn text(&self, node: Node) -> String {
        String::from_utf8_lossy(&self.src[node.byte_range()]).into_owned()
    }

    /// Records the docstring of a body (if its first statement is one) and
    /// returns its cleaned text.
    fn body_docstring(&mut self, body: Node) -> Option<String> {
        let first = statements(body).next()?;
        let string = docstring_node(first)?;
        self.module.docstring_lines.push(LineRange {
            start: line_of(first),
            end: end_line_of(first),
        });
        Some(clean_docstring(&self.text(string)))
    }

    fn module_docstring(&mut self, root: Node) {
        self.body_docstring(root);
    }

    fn walk(&mut self, root: Node) {
        // (node, scope index) pairs still to visit.
        let mut work: Vec<(Node, usize)> = vec![(root, 0)];
        while let Some((node, scope)) = work.pop() {
            match node.kind() {
                "function_definition" => {
                    let inner = self.enter_function(node, None, scope, &mut work);
                    if let Some(body) = node.child_by_field_name("body") {
                        work.push((body, inner));
                    }
                }
                "class_definition" => {
                    let inner = self.enter_class(node, None, scope, &mut work);
                    if let Some(body) = node.child_by_field_name("body") {
                        work.push((body, inner));
                    }
                }
                "decorated_definition" => {
                    let Some(def) = node.child_by_field_name("definition") else {
                        continue;
                    };
                    let inner = match def.kind() {
                        "function_definition" => self.enter_function(def, Some(node), scope, &mut work),
                        "class_definition" => self.enter_class(def, Some(node), scope, &mut work),
                        _ => {
                            work.push((def, scope));
                            continue;
                        }
                    };
                    if let Some(body) = def.child_by_field_name("body") {
                        work.push((body, inner));
                    }
                }
                kind => {
                    match (self.depth, self.scopes[scope].function) {
                        (Depth::Outline, _) if !holds_statements(kind) => continue,
                        (Depth::Full, Some(f)) => self.measure(node, scope, f),
                        _ => {}
                    }
                    let mut cursor = node.walk();
                    let children: Vec<Node> = node.named_children(&mut cursor).collect();
                    // Reverse so that functions come out in source order.
                    for child in children.into_iter().rev() {
                        work.push((child, scope));
                    }
                }
            }
        }
        self.module
            .functions
            .sort_by_key(|f| (f.def_line, f.name_start.byte_column));
        self.module
            .classes
            .sort_by_key(|c| (c.def_line, c.name_start.byte_column));
    }

    /// Counts what one node adds to its function: complexity, raises,
    /// comparisons, `yield`.
    fn measure(&mut self, node: Node, scope: usize, f: usize) {
        let added = complexity::increment(node);
        if added > 0 {
            self.module.functions[f].complexity += added;
        }
        match node.kind() {
            "yield" => self.module.functions[f].is_generator = true,
            "raise_statement" => {
                if let Some(raise) = self.raise_of(node) {
                    self.module.functions[f].raises.push(raise);
                }
            }
            "comparison_operator" => {
                let found = self.comparisons(node, &self.scopes[scope].params);
                self.module.functions[f].comparisons.extend(found);
            }
            "match_statement" => {
                let found = self.match_comparisons(node, &self.scopes[scope].params);
                self.module.functions[f].comparisons.extend(found);
            }
            _ => {}
        }
    }

    fn decorators(&self, decorated: Option<Node>) -> Vec<Decorator> {
        let Some(decorated) = decorated else {
            return Vec::new();
        };
        let mut cursor = decorated.walk();
        let decorators: Vec<Node> = decorated
            .named_children(&mut cursor)
            .filter(|n| n.kind() == "decorator")
            .collect();
        decorators
            .into_iter()
            .filter_map(|d| {
                let expr = d.named_child(0)?;
                let callee = if expr.kind() == "call" {
                    expr.child_by_field_name("function").unwrap_or(expr)
                } else {
                    expr
                };
                Some(Decorator {
                    name: self.text(callee),
                    text: self.text(expr),
                    line: line_of(d),
                })
            })
            .collect()
    }

    fn qualify(&self, scope: usize, name: &str) -> String {
        let outer = &self.scopes[scope].qualname;
        if outer.is_empty() {
            name.to_string()
        } else {
            format!("{outer}.{name}")
        }
    }

    /// Queues what a definition evaluates in its enclosing scope (decorators,
    /// defaults, annotations, base classes) so those count for the outer
    /// function, as they do at run time.
    fn queue_outer_parts<'t>(
        &self,
        def: Node<'t>,
        decorated: Option<Node<'t>>,
        scope: usize,
        work: &mut Vec<(Node<'t>, usize)>,
    ) {
        let mut cursor = def.walk();
        for child in def.named_children(&mut cursor) {
            if matches!(child.kind(), "parameters" | "argument_list") {
                work.push((child, scope));
            }
        }
        if let Some(decorated) = decorated {
            let mut cursor = decorated.walk();
            for child in decorated.named_children(&mut cursor) {
                if child.kind() == "decorator" {
                    work.push((child, scope));
                }
            }
        }
    }

    fn enter_function<'t>(
        &mut self,
        def: Node<'t>,
        decorated: Option<Node<'t>>,
        scope: usize,
        work: &mut Vec<(Node<'t>, usize)>,
    ) -> usize {
        self.queue_outer_parts(def, decorated, scope, work);
        let name_node = def.child_by_field_name("name");
        let name = name_node.map(|n| self.text(n)).unwrap_or_default();
        let qualname = self.qualify(scope, &name);
        let params = def
            .child_by_field_name("parameters")
            .map(|p| self.params(p))
            .unwrap_or_default();
        let body = def.child_by_field_name("body");
        let docstring = body.and_then(|b| self.body_docstring(b));
        let body_range = body.map(|b| block_range(b)).unwrap_or(LineRange {
            start: line_of(def),
            end: end_line_of(def),
        });
        let is_async = {
            let mut cursor = def.walk();
            let found = def.children(&mut cursor).any(|c| c.kind() == "async");
            found
        };
        let outer = &self.scopes[scope];
        let class = outer.class.map(|c| self.module.classes[c].name.clone());
        let parent_function = outer.function.map(|f| self.module.functions[f].qualname.clone());
        let region = outer.region && reached_through_bodies(decorated.unwrap_or(def));
        let function = Function {
            name,
            qualname: qualname.clone(),
            class,
            parent_function,
            name_start: position(name_node.unwrap_or(def).start_position()),
            name_end: position(name_node.unwrap_or(def).end_position()),
            start_line: line_of(decorated.unwrap_or(def)),
            def_line: line_of(def),
            body: body_range,
            params: params.clone(),
            returns: def.child_by_field_name("return_type").map(|r| self.text(r)),
            is_async,
            is_generator: false,
            decorators: self.decorators(decorated),
            raises: Vec::new(),
            docstring,
            complexity: 1,
            comparisons: Vec::new(),
            coverage_region: region,
        };
        self.module.functions.push(function);
        self.scopes.push(Scope {
            qualname,
            function: Some(self.module.functions.len() - 1),
            class: None,
            params: params.into_iter().map(|p| p.name).collect(),
            region,
        });
        self.scopes.len() - 1
    }

    fn enter_class<'t>(
        &mut self,
        def: Node<'t>,
        decorated: Option<Node<'t>>,
        scope: usize,
        work: &mut Vec<(Node<'t>, usize)>,
    ) -> usize {
        self.queue_outer_parts(def, decorated, scope, work);
        let name_node = def.child_by_field_name("name");
        let name = name_node.map(|n| self.text(n)).unwrap_or_default();
        let qualname = self.qualify(scope, &name);
        let bases: Vec<String> = def
            .child_by_field_name("superclasses")
            .map(|args| {
                let mut cursor = args.walk();
                let bases: Vec<Node> = args
                    .named_children(&mut cursor)
                    .filter(|n| n.kind() != "keyword_argument" && n.kind() != "comment")
                    .collect();
                bases.into_iter().map(|n| self.text(n)).collect()
            })
            .unwrap_or_default();
        let decorators = self.decorators(decorated);
        let body = def.child_by_field_name("body");
        let docstring = body.and_then(|b| self.body_docstring(b));
        let last = |s: &str| s.rsplit('.').next().unwrap_or(s).to_string();
        let is_dataclass = decorators.iter().any(|d| {
            matches!(
                last(&d.name).as_str(),
                "dataclass" | "define" | "frozen" | "mutable" | "s" | "attrs" | "pydantic_dataclass"
            )
        });
        let is_enum = bases
            .iter()
            .any(|b| matches!(last(b).as_str(), "Enum" | "IntEnum" | "StrEnum" | "Flag" | "IntFlag"));
        let is_namedtuple = bases.iter().any(|b| last(b) == "NamedTuple");
        let is_exception = bases.iter().any(|b| {
            let b = last(b);
            b.ends_with("Error") || b.ends_with("Exception") || b == "Warning"
        });
        let (fields, members) = match body {
            Some(body) => self.class_fields(body),
            None => (Vec::new(), Vec::new()),
        };
        let class = Class {
            name,
            qualname: qualname.clone(),
            start_line: line_of(decorated.unwrap_or(def)),
            def_line: line_of(def),
            name_start: position(name_node.unwrap_or(def).start_position()),
            name_end: position(name_node.unwrap_or(def).end_position()),
            body: body.map(|b| block_range(b)).unwrap_or(LineRange {
                start: line_of(def),
                end: end_line_of(def),
            }),
            bases,
            decorators,
            docstring,
            is_dataclass,
            is_enum,
            is_namedtuple,
            is_exception,
            init_params: if is_dataclass || is_namedtuple {
                fields
            } else {
                Vec::new()
            },
            members: if is_enum { members } else { Vec::new() },
        };
        self.module.classes.push(class);
        self.scopes.push(Scope {
            qualname,
            function: None,
            class: Some(self.module.classes.len() - 1),
            params: Vec::new(),
            region: self.scopes[scope].region && reached_through_bodies(decorated.unwrap_or(def)),
        });
        self.scopes.len() - 1
    }

    /// Annotated fields (`name: type = default`) and plain assignments
    /// (`NAME = value`, enum members) directly in a class body.
    fn class_fields(&self, body: Node) -> (Vec<Param>, Vec<String>) {
        let mut fields = Vec::new();
        let mut members = Vec::new();
        for stmt in statements(body) {
            if stmt.kind() != "expression_statement" {
                continue;
            }
            let Some(assign) = stmt.named_child(0).filter(|n| n.kind() == "assignment") else {
                continue;
            };
            let Some(left) = assign.child_by_field_name("left").filter(|l| l.kind() == "identifier") else {
                continue;
            };
            let name = self.text(left);
            match assign.child_by_field_name("type") {
                Some(ty) => {
                    let annotation = self.text(ty);
                    if !annotation.starts_with("ClassVar") && !annotation.contains(".ClassVar") {
                        fields.push(Param {
                            name,
                            kind: ParamKind::Regular,
                            annotation: Some(annotation),
                            default: assign.child_by_field_name("right").map(|r| self.text(r)),
                        });
                    }
                }
                None if !name.starts_with('_') => members.push(name),
                None => {}
            }
        }
        (fields, members)
    }

    fn finish_classes(&mut self) {
        for class in &mut self.module.classes {
            if !class.init_params.is_empty() || class.is_enum {
                continue;
            }
            let init = format!("{}.__init__", class.qualname);
            if let Some(f) = self.module.functions.iter().find(|f| f.qualname == init) {
                class.init_params = f.params.iter().skip(1).cloned().collect();
            }
        }
    }

    fn params(&self, params: Node) -> Vec<Param> {
        let mut out = Vec::new();
        let mut keyword_only = false;
        let mut cursor = params.walk();
        let children: Vec<Node> = params.named_children(&mut cursor).collect();
        for child in children {
            let (name_node, annotation, default) = match child.kind() {
                "identifier" | "list_splat_pattern" | "dictionary_splat_pattern" => (child, None, None),
                "typed_parameter" => {
                    let inner = child.named_child(0).unwrap_or(child);
                    (inner, child.child_by_field_name("type"), None)
                }
                "default_parameter" | "typed_default_parameter" => {
                    let Some(name) = child.child_by_field_name("name") else {
                        continue;
                    };
                    (
                        name,
                        child.child_by_field_name("type"),
                        child.child_by_field_name("value"),
                    )
                }
                "positional_separator" => {
                    for p in out.iter_mut() {
                        let p: &mut Param = p;
                        if p.kind == ParamKind::Regular {
                            p.kind = ParamKind::PositionalOnly;
                        }
                    }
                    continue;
                }
                "keyword_separator" => {
                    keyword_only = true;
                    continue;
                }
                _ => continue,
            };
            let (kind, name) = match name_node.kind() {
                "list_splat_pattern" => {
                    keyword_only = true;
                    (ParamKind::VarPositional, name_node.named_child(0))
                }
                "dictionary_splat_pattern" => (ParamKind::VarKeyword, name_node.named_child(0)),
                _ if keyword_only => (ParamKind::KeywordOnly, Some(name_node)),
                _ => (ParamKind::Regular, Some(name_node)),
            };
            let Some(name) = name else { continue };
            out.push(Param {
                name: self.text(name),
                kind,
                annotation: annotation.map(|a| self.text(a)),
                default: default.map(|d| self.text(d)),
            });
        }
        out
    }

    fn raise_of(&self, node: Node) -> Option<Raise> {
        let expr = node.named_child(0)?;
        let target = if expr.kind() == "call" {
            expr.child_by_field_name("function")?
        } else {
            expr
        };
        if !matches!(target.kind(), "identifier" | "attribute") {
            return None;
        }
        Some(Raise {
            exception: self.text(target),
            line: line_of(node),
        })
    }

    /// The parameter a comparison operand refers to: `n` or `len(n)`.
    fn subject(&self, node: Node, params: &[String]) -> Option<(String, bool)> {
        match node.kind() {
            "identifier" => {
                let name = self.text(node);
                params.contains(&name).then_some((name, false))
            }
            "call" => {
                let func = node.child_by_field_name("function")?;
                let args = node.child_by_field_name("arguments")?;
                if self.text(func) != "len" || args.named_child_count() != 1 {
                    return None;
                }
                let (name, _) = self.subject(args.named_child(0)?, params)?;
                Some((name, true))
            }
            "parenthesized_expression" => self.subject(node.named_child(0)?, params),
            _ => None,
        }
    }

    /// Comparisons of a parameter (or its length) with literals.
    fn comparisons(&self, node: Node, params: &[String]) -> Vec<Comparison> {
        if params.is_empty() {
            return Vec::new();
        }
        let rules = Rules {
            concatenated_strings: true,
            containment: false,
        };
        conditions::comparisons(node, self.src, &|n| self.subject(n, params), rules)
    }

    /// `match param:` with literal `case` patterns.
    fn match_comparisons(&self, node: Node, params: &[String]) -> Vec<Comparison> {
        conditions::match_cases(node, self.src, &|n| self.subject(n, params))
            .into_iter()
            .collect()
    }
}

/// Nodes that can contain statements (and so definitions).
fn holds_statements(kind: &str) -> bool {
    matches!(
        kind,
        "module"
            | "block"
            | "if_statement"
            | "elif_clause"
            | "else_clause"
            | "for_statement"
            | "while_statement"
            | "try_statement"
            | "except_clause"
            | "except_group_clause"
            | "finally_clause"
            | "with_statement"
            | "match_statement"
            | "case_clause"
            | "ERROR"
    )
}

/// Strips quotes, prefixes and common indentation from a docstring literal.
fn clean_docstring(literal: &str) -> String {
    let body = literal.trim_start_matches(|c: char| "rRuUbBfF".contains(c));
    let quote = if body.starts_with("\"\"\"") || body.starts_with("'''") {
        3
    } else {
        1
    };
    let inner = if body.len() >= 2 * quote {
        &body[quote..body.len() - quote]
    } else {
        body
    };
    let lines: Vec<&str> = inner.lines().collect();
    let indent = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            out.push(line.trim().to_string());
        } else {
            out.push(line.get(indent..).unwrap_or(line.trim_start()).trim_end().to_string());
        }
    }
    out.join("\n").trim().to_string()
}

/// Up to 20 places where the parser hit an error or had to invent a token.
fn syntax_errors(root: Node, src: &[u8]) -> Vec<SyntaxError> {
    const LIMIT: usize = 20;
    let mut out = Vec::new();
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        if out.len() >= LIMIT {
            break;
        }
        if !node.has_error() && !node.is_missing() {
            continue;
        }
        if node.is_missing() {
            out.push(SyntaxError {
                line: line_of(node),
                column: node.start_position().column as u32,
                message: format!("missing `{}`", node.kind()),
            });
            continue;
        }
        if node.is_error() {
            let text = String::from_utf8_lossy(&src[node.byte_range()]);
            let first = text.lines().next().unwrap_or("").trim();
            let snippet: String = first.chars().take(40).collect();
            out.push(SyntaxError {
                line: line_of(node),
                column: node.start_position().column as u32,
                message: format!("invalid syntax near `{snippet}`"),
            });
            continue;
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        pending.extend(children.into_iter().rev());
    }
    out.sort_by_key(|e| (e.line, e.column));
    out
}
