//! Choosing the cases worth writing: the fewest that reach the most lines and
//! arcs of the target (greedy set cover), plus one per distinct exception.

use std::collections::BTreeSet;

/// A line (`(line, 0)`) or an arc (`(from, to)`) of the target.
pub type Feature = (i64, i64);

/// A case eligible for a test.
#[derive(Debug, Clone)]
pub struct Eligible {
    /// Index of the case among the target's cases.
    pub index: usize,
    pub features: BTreeSet<Feature>,
    /// The exception's name, for cases that raise.
    pub exception: Option<String>,
}

/// The features of a probe record.
pub fn features(lines: &[i64], arcs: &[(i64, i64)]) -> BTreeSet<Feature> {
    lines.iter().map(|&l| (l, 0)).chain(arcs.iter().copied()).collect()
}

/// Greedy set cover over the cases' features, earliest case winning ties;
/// then the first case of each exception not raised by a chosen one; at most
/// `cap` in all, returned in case order. Deterministic.
pub fn choose(cases: &[Eligible], cap: usize) -> Vec<usize> {
    let mut covered: BTreeSet<Feature> = BTreeSet::new();
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < cap {
        let best = cases
            .iter()
            .enumerate()
            .filter(|(i, _)| !chosen.contains(i))
            .map(|(i, c)| (i, c.features.difference(&covered).count()))
            .filter(|&(_, gain)| gain > 0)
            // max_by_key keeps the last maximum: compare so the earliest wins.
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((i, _)) = best else {
            break;
        };
        covered.extend(cases[i].features.iter().copied());
        chosen.push(i);
    }
    if chosen.is_empty() && cap > 0 && !cases.is_empty() {
        // Nothing traced (say, the code ran elsewhere): keep the first case.
        chosen.push(0);
    }
    let mut raised: BTreeSet<&str> = chosen.iter().filter_map(|&i| cases[i].exception.as_deref()).collect();
    for (i, c) in cases.iter().enumerate() {
        if chosen.len() >= cap {
            break;
        }
        if let Some(e) = c.exception.as_deref() {
            if raised.insert(e) {
                chosen.push(i);
            }
        }
    }
    let mut indices: Vec<usize> = chosen.iter().map(|&i| cases[i].index).collect();
    indices.sort_unstable();
    indices
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(index: usize, lines: &[i64], exception: Option<&str>) -> Eligible {
        Eligible {
            index,
            features: features(lines, &[]),
            exception: exception.map(str::to_string),
        }
    }

    #[test]
    fn fewest_cases_that_reach_everything() {
        let cases = [
            case(0, &[1, 2], None),
            case(1, &[1, 2, 3], None),
            case(2, &[1, 4], None),
            case(3, &[1, 2, 3, 4], None),
        ];
        assert_eq!(choose(&cases, 8), [3]);
        assert_eq!(choose(&cases[..3], 8), [1, 2]);
        assert_eq!(choose(&cases[..3], 1), [1]);
    }

    #[test]
    fn ties_go_to_the_earliest_case() {
        let cases = [case(0, &[1, 2], None), case(1, &[1, 3], None)];
        assert_eq!(choose(&cases, 1), [0]);
    }

    #[test]
    fn one_case_per_exception_even_without_new_lines() {
        let cases = [
            case(0, &[1, 2, 3], None),
            case(1, &[1, 2], Some("ValueError")),
            case(2, &[1, 2], Some("ValueError")),
            case(3, &[1], Some("TypeError")),
        ];
        assert_eq!(choose(&cases, 8), [0, 1, 3]);
        assert_eq!(choose(&cases, 2), [0, 1]);
    }

    #[test]
    fn indices_are_the_cases_own() {
        let cases = [case(4, &[1], None), case(9, &[2], None)];
        assert_eq!(choose(&cases, 8), [4, 9]);
        assert_eq!(choose(&[], 8), Vec::<usize>::new());
    }
}
