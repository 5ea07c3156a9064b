//! Which calls to probe, and each call's arguments.

use super::{Arg, Dim, Picks};
use crate::python::ParamKind;

/// The calls to probe: the baseline (typical values, defaults left out),
/// then one parameter varied at a time, then pairs of mined and boolean
/// values; at most `cap`, without repeats.
pub fn combinations(dims: &[Dim], cap: usize) -> Vec<Picks> {
    let baseline: Picks = dims
        .iter()
        .map(|d| {
            if d.optional || d.values.is_empty() {
                None
            } else {
                Some(0)
            }
        })
        .collect();
    let mut out: Vec<Picks> = Vec::new();
    let push = |picks: Picks, out: &mut Vec<Picks>| {
        let picks = normalize(dims, picks);
        if out.len() < cap && !out.contains(&picks) {
            out.push(picks);
        }
    };
    push(baseline.clone(), &mut out);
    for (d, dim) in dims.iter().enumerate() {
        for v in 0..dim.values.len() {
            if baseline[d] == Some(v) {
                continue;
            }
            let mut picks = baseline.clone();
            picks[d] = Some(v);
            push(picks, &mut out);
        }
    }
    let interesting = |dim: &Dim| -> Vec<usize> {
        dim.values
            .iter()
            .enumerate()
            .filter(|(_, c)| c.mined || c.expr == "True" || c.expr == "False")
            .map(|(i, _)| i)
            .collect()
    };
    for a in 0..dims.len() {
        for b in a + 1..dims.len() {
            for &va in &interesting(&dims[a]) {
                for &vb in &interesting(&dims[b]) {
                    let mut picks = baseline.clone();
                    picks[a] = Some(va);
                    picks[b] = Some(vb);
                    push(picks, &mut out);
                }
            }
        }
    }
    // While the cap allows: each mined value with every other value of
    // another parameter (`unit="ms"` matters only for a small `value`).
    for a in 0..dims.len() {
        for b in 0..dims.len() {
            if a == b {
                continue;
            }
            for &va in &interesting(&dims[a]) {
                for vb in 0..dims[b].values.len() {
                    if is_magnitude(&dims[b].values[vb].expr) {
                        continue;
                    }
                    let mut picks = baseline.clone();
                    picks[a] = Some(va);
                    picks[b] = Some(vb);
                    push(picks, &mut out);
                }
            }
        }
    }
    out
}

/// A value there only for its size (`1234567`, `float("inf")`): slow to
/// combine with everything, and seldom telling in combination.
fn is_magnitude(expr: &str) -> bool {
    expr.contains("inf") || expr.parse::<f64>().is_ok_and(|v| v.abs() >= 1000.0)
}

/// Makes picks callable: a value for `*args` or a positional-only parameter
/// needs every positional parameter before it.
fn normalize(dims: &[Dim], mut picks: Picks) -> Picks {
    for i in 0..dims.len() {
        let positional_needed =
            picks[i].is_some() && matches!(dims[i].kind, ParamKind::VarPositional | ParamKind::PositionalOnly);
        if positional_needed {
            for j in 0..i {
                if matches!(dims[j].kind, ParamKind::Regular | ParamKind::PositionalOnly)
                    && picks[j].is_none()
                    && !dims[j].values.is_empty()
                {
                    picks[j] = Some(0);
                }
            }
        }
    }
    picks
}

/// The arguments for `dims[range]` under `picks`: positional while nothing
/// before was left out, keywords after.
pub fn args_for(dims: &[Dim], range: std::ops::Range<usize>, picks: &Picks) -> Vec<Arg> {
    let mut out = Vec::new();
    let mut positional = true;
    for d in range {
        let dim = &dims[d];
        if picks[d].is_none() {
            if matches!(dim.kind, ParamKind::Regular | ParamKind::PositionalOnly) {
                positional = false;
            }
            continue;
        }
        let keyword = match dim.kind {
            ParamKind::KeywordOnly => true,
            ParamKind::Regular => !positional,
            _ => false,
        };
        out.push(Arg {
            dim: d,
            keyword: keyword.then(|| dim.param.clone()),
        });
    }
    out
}
