//! One parametrized test for cases of the same shape: a column per value
//! that varies (and for the outcome, when it varies), a row per case.

use super::body::{body, message_prefix, Body, Columns};
use super::{case_label, raises_name, test_name, Chosen, GroupKey, Rendered, TestRef};
use crate::generate::plan::TargetPlan;
use crate::generate::probe::{reserved_names, Description};
use crate::generate::pysrc;
use std::collections::BTreeSet;

/// The test for `members` (at least two cases sharing `key`), or `None`
/// when no value varies between them.
pub(super) fn parametrized(
    key: &GroupKey,
    members: &[&Chosen],
    names: &mut BTreeSet<String>,
    out: &mut Rendered,
) -> Option<String> {
    let first = members[0];
    let plan = first.plan;
    let dims: Vec<usize> = key.ctor_args.iter().chain(key.args.iter()).map(|a| a.dim).collect();
    let varying: Vec<usize> = dims
        .iter()
        .copied()
        .filter(|&d| members.iter().any(|c| picked(plan, c, d) != picked(plan, first, d)))
        .collect();
    if varying.is_empty() {
        return None;
    }
    let columns = columns_for(plan, &varying);
    // The expected value or message: a column when it varies.
    let outcomes: Vec<Option<String>> = members.iter().map(|c| outcome_source(key, c)).collect();
    let outcome_varies = outcomes.iter().any(|o| *o != outcomes[0]);
    let outcome_column = match (&key.raises, outcome_varies) {
        (Some(_), true) if key.has_message => Some("message"),
        (None, true) => Some("expected"),
        _ => None,
    };
    let b = body(
        first,
        &columns,
        outcome_column.filter(|c| *c == "expected"),
        outcome_column.filter(|c| *c == "message"),
    );
    let mut imports = b.imports.clone();
    let mut rows = Vec::new();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut refs = Vec::new();
    for (c, outcome) in members.iter().zip(&outcomes) {
        let mut values: Vec<String> = varying.iter().map(|&d| picked(plan, c, d)).collect();
        for &d in &varying {
            let v = c.spec.picks[d].unwrap_or(0);
            imports.extend(plan.dims[d].values[v].imports.iter().cloned());
        }
        if outcome_column.is_some() {
            values.push(outcome.clone().unwrap_or_else(|| "None".to_string()));
            if let Some(Description::Literal { imports: needed, .. }) = &c.record.value {
                imports.extend(needed.iter().cloned());
            }
        }
        let id = unique_id(case_label(plan, &c.spec.picks), &mut ids);
        rows.push(format!(
            "        pytest.param({}, id={}),",
            values.join(", "),
            pysrc::string(&id)
        ));
        refs.push((c.target, c.case, id));
    }
    if !outcome_varies && key.raises.is_none() {
        // Same expected value everywhere: it is inlined by `body`.
        if let Some(Description::Literal { imports: needed, .. }) = &first.record.value {
            imports.extend(needed.iter().cloned());
        }
    }
    let mut column_names: Vec<String> = varying.iter().map(|d| columns[d].clone()).collect();
    column_names.extend(outcome_column.map(str::to_string));
    let name = test_name(&base_name(key, first), names);
    let text = test_text(&name, &column_names, &rows, &b);
    imports.insert("import pytest".to_string());
    out.imports.extend(imports);
    for (target, case, id) in refs {
        out.tests.push(TestRef {
            name: name.clone(),
            id: Some(id),
            target,
            case,
        });
    }
    Some(text)
}

/// The source of the value `c` picks for dimension `d` of `plan`.
fn picked(plan: &TargetPlan, c: &Chosen, d: usize) -> String {
    let v = c.spec.picks[d].unwrap_or(0);
    plan.dims[d].values[v].expr.clone()
}

/// A column name per varying dimension: the parameter's name, clear of the
/// names the test reads and of each other.
fn columns_for(plan: &TargetPlan, varying: &[usize]) -> Columns {
    let mut reserved = reserved_names(plan, &plan.imports);
    reserved.insert("request".to_string());
    let own: BTreeSet<&str> = plan.dims[plan.ctor_dims..].iter().map(|d| d.param.as_str()).collect();
    let mut columns = Columns::new();
    for &d in varying {
        let param = plan.dims[d].param.trim_start_matches('_');
        let mut name = if d < plan.ctor_dims && own.contains(param) {
            format!("init_{param}")
        } else if pysrc::is_identifier(param) {
            param.to_string()
        } else {
            "value".to_string()
        };
        while reserved.contains(&name) || columns.values().any(|c| *c == name) {
            name.push_str("_arg");
        }
        columns.insert(d, name);
    }
    columns
}

/// The expected value (or, for raising cases, the message) of `c`.
fn outcome_source(key: &GroupKey, c: &Chosen) -> Option<String> {
    match &key.raises {
        Some(_) => c
            .record
            .exception
            .as_ref()
            .and_then(|e| e.message.as_deref())
            .map(|m| pysrc::string(&message_prefix(m))),
        None => match &c.record.value {
            Some(Description::Literal { src, .. }) => Some(src.clone()),
            _ => None,
        },
    }
}

/// `label`, or `label_2`, `label_3`, … when taken.
fn unique_id(label: String, ids: &mut BTreeSet<String>) -> String {
    let mut id = label.clone();
    let mut n = 2;
    while ids.contains(&id) {
        id = format!("{label}_{n}");
        n += 1;
    }
    ids.insert(id.clone());
    id
}

/// The test's name before it is made unique.
fn base_name(key: &GroupKey, first: &Chosen) -> String {
    let stem = &first.plan.stem;
    match &key.raises {
        Some(_) => raises_name(first),
        None => format!("test_{stem}_returns_expected"),
    }
}

/// The decorator, the signature and the body.
fn test_text(name: &str, column_names: &[String], rows: &[String], b: &Body) -> String {
    let header = if column_names.len() == 1 {
        pysrc::string(&column_names[0])
    } else {
        let quoted: Vec<String> = column_names.iter().map(|c| pysrc::string(c)).collect();
        format!("({})", quoted.join(", "))
    };
    let mut text = String::new();
    text.push_str("@pytest.mark.parametrize(\n");
    text.push_str(&format!("    {header},\n    [\n"));
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text.push_str("    ],\n)\n");
    let mut params = column_names.to_vec();
    if b.tmp_path {
        params.push("tmp_path".to_string());
    }
    text.push_str(&format!("def {name}({}):\n", params.join(", ")));
    for line in &b.lines {
        text.push_str("    ");
        text.push_str(line);
        text.push('\n');
    }
    text
}
