//! Type-checking a file entry without keeping it.
//!
//! Loading a report checks every entry's shape and reads its summary, but
//! allocates nothing for its line lists, branches or regions: the entries a
//! caller needs are decoded in full later, from the raw bytes. Contexts are
//! skipped unchecked; a hover decodes them and shows none if they are odd.

use super::model::Summary;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// A JSON array whose elements must deserialize as `T`; nothing is kept.
pub struct CheckedSeq<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for CheckedSeq<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for SeqVisitor<T> {
            type Value = CheckedSeq<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<T>()?.is_some() {}
                Ok(CheckedSeq(PhantomData))
            }
        }
        deserializer.deserialize_seq(SeqVisitor(PhantomData))
    }
}

/// A JSON object whose values must deserialize as `V`; nothing is kept.
pub struct CheckedMap<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for CheckedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = CheckedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, V>()?.is_some() {}
                Ok(CheckedMap(PhantomData))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

type Lines = CheckedSeq<u32>;
type Arcs = CheckedSeq<(i32, i32)>;

/// A `functions`/`classes` region, checked.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct RegionCheck {
    #[serde(default)]
    executed_lines: Option<Lines>,
    #[serde(default)]
    missing_lines: Option<Lines>,
    #[serde(default)]
    excluded_lines: Option<Lines>,
    summary: Summary,
    #[serde(default)]
    executed_branches: Option<Arcs>,
    #[serde(default)]
    missing_branches: Option<Arcs>,
}

/// A file entry, checked; only its summary is kept.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
pub struct EntryCheck {
    #[serde(default)]
    executed_lines: Option<Lines>,
    #[serde(default)]
    missing_lines: Option<Lines>,
    #[serde(default)]
    excluded_lines: Option<Lines>,
    pub summary: Summary,
    #[serde(default)]
    executed_branches: Option<Arcs>,
    #[serde(default)]
    missing_branches: Option<Arcs>,
    #[serde(default)]
    functions: Option<CheckedMap<RegionCheck>>,
    #[serde(default)]
    classes: Option<CheckedMap<RegionCheck>>,
}

impl EntryCheck {
    /// Checks one entry's raw JSON, returning its summary.
    pub fn summary_of(raw: &[u8]) -> Result<Summary, serde_json::Error> {
        serde_json::from_slice::<EntryCheck>(raw).map(|e| e.summary)
    }
}
