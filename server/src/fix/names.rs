//! Name similarity: which of the names that exist now is the one a test
//! still spells the old way (`totl` → `total`, `db_conn` → `db_connection`).

/// Python's own "Did you mean" rule (CPython `suggestions.c`): a
/// Levenshtein distance where a substitution costs 2 and a change of case 1,
/// accepted up to `(len(a) + len(b) + 3) * 2 / 6`.
pub fn python_suggestion<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let limit = (name.len() + candidate.len() + 3) * MOVE_COST / 6;
        let distance = levenshtein(name, candidate, limit);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

const MOVE_COST: usize = 2;
const CASE_COST: usize = 1;

fn substitution_cost(a: char, b: char) -> usize {
    if a == b {
        0
    } else if a.to_lowercase().eq(b.to_lowercase()) {
        CASE_COST
    } else {
        MOVE_COST
    }
}

/// Weighted edit distance; anything beyond `limit` is reported as `limit + 1`.
fn levenshtein(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) * MOVE_COST > limit {
        return limit + 1;
    }
    let mut row: Vec<usize> = (0..=b.len()).map(|j| j * MOVE_COST).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut previous = row[0];
        row[0] = (i + 1) * MOVE_COST;
        let mut row_min = row[0];
        for (j, &cb) in b.iter().enumerate() {
            let substitute = previous + substitution_cost(ca, cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + MOVE_COST).min(row[j + 1] + MOVE_COST);
            row_min = row_min.min(row[j + 1]);
        }
        if row_min > limit {
            return limit + 1;
        }
    }
    row[b.len()]
}

/// A similarity from 0 to 1 that also sees through abbreviations and word
/// reordering in snake_case and CamelCase names: the better of the edit
/// distance ratio and the share of words that match (equal, or one a prefix
/// of the other with at least 3 letters).
pub fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let longest = a.chars().count().max(b.chars().count()).max(1);
    let limit = longest * MOVE_COST;
    let distance = levenshtein(a, b, limit) as f64 / MOVE_COST as f64;
    let edit_ratio = 1.0 - (distance / longest as f64).min(1.0);
    let words_a = words(a);
    let words_b = words(b);
    let matched = words_a
        .iter()
        .filter(|wa| words_b.iter().any(|wb| words_match(wa, wb)))
        .count();
    let total = words_a.len().max(words_b.len()).max(1);
    let mut word_ratio = matched as f64 / total as f64 * 0.95;
    // Every word of one name in the other: `total` → `grand_total`.
    let matched_back = words_b
        .iter()
        .filter(|wb| words_a.iter().any(|wa| words_match(wa, wb)))
        .count();
    let covers = matched == words_a.len() || matched_back == words_b.len();
    if matched > 0 && covers && matched * 2 >= total {
        word_ratio = word_ratio.max(0.7);
    }
    edit_ratio.max(word_ratio).max(abbreviation(a, b))
}

/// `db` for `database`, `cfg` for `config`: the short name's letters in
/// order in the long one, starting with the same letter.
fn abbreviation(a: &str, b: &str) -> f64 {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let short: Vec<char> = short.to_lowercase().chars().filter(|c| *c != '_').collect();
    let long: Vec<char> = long.to_lowercase().chars().filter(|c| *c != '_').collect();
    if short.len() < 2 || short.len() * 2 > long.len() + 2 || short.first() != long.first() {
        return 0.0;
    }
    let mut rest = long.iter();
    let ordered = short.iter().all(|c| rest.any(|l| l == c));
    if ordered {
        0.6
    } else {
        0.0
    }
}

fn words_match(a: &str, b: &str) -> bool {
    a == b || (a.len().min(b.len()) >= 3 && (a.starts_with(b) || b.starts_with(a)))
}

/// `db_conn` → `[db, conn]`; `makeCart` → `[make, cart]`.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The candidates at least `threshold` similar to `name`, best first (ties
/// by name, so the order is stable).
pub fn ranked<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>, threshold: f64) -> Vec<(&'a str, f64)> {
    let mut scored: Vec<(&str, f64)> = candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (c, similarity(name, c)))
        .filter(|(_, s)| *s >= threshold)
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    scored.dedup_by(|a, b| a.0 == b.0);
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_suggestions_match_cpython() {
        // What CPython 3.11 prints for these names.
        assert_eq!(python_suggestion("totl", ["total", "items"]), Some("total"));
        assert_eq!(python_suggestion("Total", ["total"]), Some("total"));
        assert_eq!(python_suggestion("grand_total", ["total", "add_item"]), None);
        assert_eq!(python_suggestion("apend", ["append", "extend"]), Some("append"));
        assert_eq!(python_suggestion("x", ["y"]), None);
    }

    #[test]
    fn similarity_sees_abbreviations_and_renames() {
        assert!(similarity("db_conn", "db_connection") > 0.9);
        assert!(similarity("get_user", "fetch_user") > 0.45);
        assert!(similarity("timeout", "timeout_s") > 0.7);
        assert!(similarity("total", "capsys") < 0.4);
        assert!(similarity("make_cart", "makeCart") > 0.9);
        assert!(similarity("total", "grand_total") >= 0.7);
        assert!(similarity("db", "database") >= 0.6);
        assert!(similarity("db", "tmp_path") < 0.5);
        assert!(similarity("db", "cart_with_db") < 0.6);
    }

    #[test]
    fn ranking_is_stable() {
        let ranked = ranked("db_conn", ["database", "db_connection", "tmp_path", "db_conn"], 0.5);
        assert_eq!(ranked[0].0, "db_connection");
        assert!(ranked.iter().all(|(c, _)| *c != "tmp_path" && *c != "db_conn"));
    }
}
