//! A planned call's source: the instance, the call, how its result is
//! consumed.

use super::{Dunder, Form, TargetPlan, Wrap, GENERATOR_BOUND};

impl TargetPlan {
    /// The constructor call for the instance (`Cart(Currency.USD)`), given
    /// the constructor arguments' source.
    pub fn instance_expr(&self, ctor_args: &[String]) -> Option<String> {
        let class = self.class_src.as_ref()?;
        if self.form == Form::Constructor || self.var.is_none() {
            return None;
        }
        if self.dims.first().is_some_and(|d| d.param == "member") && self.ctor_dims == 1 {
            // An enum member is its own instance.
            return ctor_args.first().cloned();
        }
        Some(format!("{class}({})", ctor_args.join(", ")))
    }

    /// The call expression, given the target's arguments' source (each
    /// `value` or `name=value`), wrapped for async functions and generators.
    pub fn call_expr(&self, args: &[String]) -> String {
        self.call_text(args, true)
    }

    /// Whether results are consumed from an iterator (and so may be bounded).
    pub fn consumes_iterator(&self) -> bool {
        self.wrap == Wrap::Generator || self.form == Form::Dunder(Dunder::Iter)
    }

    /// The call expression; `bounded: false` consumes a generator whole
    /// (for one the probe saw end within the bound).
    pub fn call_text(&self, args: &[String], bounded: bool) -> String {
        let joined = args.join(", ");
        let consume = |inner: String| {
            if bounded {
                format!("list(itertools.islice({inner}, {}))", GENERATOR_BOUND + 1)
            } else {
                format!("list({inner})")
            }
        };
        let var = self.var.as_deref().unwrap_or("obj");
        let class = self.class_src.as_deref().unwrap_or("");
        let call = match &self.form {
            Form::Function => format!("{}({joined})", self.name),
            Form::Method => format!("{var}.{}({joined})", self.name),
            Form::ClassLevel => format!("{class}.{}({joined})", self.name),
            Form::Property => format!("{var}.{}", self.name),
            Form::Constructor => format!("{class}({joined})"),
            Form::Dunder(d) => match d {
                Dunder::Len => format!("len({var})"),
                Dunder::Iter => consume(var.to_string()),
                // Parenthesised: `assert (x in c) is True`, never a chain.
                Dunder::Contains => format!("({} in {var})", args.first().map_or("None", |a| a)),
                Dunder::Str => format!("str({var})"),
                Dunder::Repr => format!("repr({var})"),
                Dunder::Bool => format!("bool({var})"),
                Dunder::Hash => format!("hash({var})"),
                Dunder::Binary(op) => {
                    format!("({var} {op} {})", args.first().map_or("None", |a| a))
                }
                Dunder::GetItem => format!("{var}[{}]", args.first().map_or("None", |a| a)),
                Dunder::Call => format!("{var}({joined})"),
            },
        };
        match self.wrap {
            Wrap::None => call,
            Wrap::Generator => consume(call),
            Wrap::Async => format!("asyncio.run({call})"),
        }
    }

    /// The call expression for a case whose record says the call returned
    /// an iterator the probe consumed (`consumed`): its items are taken the
    /// same way a generator's are.
    pub fn call_text_for(&self, args: &[String], bounded: bool, consumed: bool) -> String {
        let call = self.call_text(args, bounded);
        if !consumed || self.consumes_iterator() {
            call
        } else if bounded {
            format!("list(itertools.islice({call}, {}))", GENERATOR_BOUND + 1)
        } else {
            format!("list({call})")
        }
    }

    /// Imports the call's wrapping needs (when bounded, for iterators).
    pub fn wrap_imports(&self) -> Vec<&'static str> {
        if self.consumes_iterator() {
            vec!["import itertools"]
        } else if self.wrap == Wrap::Async {
            vec!["import asyncio"]
        } else {
            Vec::new()
        }
    }

    /// Who the test is about, for messages: `Cart.add`.
    pub fn display(&self) -> &str {
        &self.qualname
    }
}
