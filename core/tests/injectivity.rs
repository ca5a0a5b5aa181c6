//! Injectivity and canonicality of keys, on random argument trees of every supported type.
//!
//! - Round trip: every `repr` key parses back into arguments equal (up to the documented
//!   equivalences) to the ones it was built from, so two different argument lists can never
//!   share a key.
//! - Pairs over a tiny alphabet (so that equal values are common): two argument lists get the
//!   same key exactly when they are equivalent.
//!
//! Equivalence: object fields, map entries and set elements in any order; `-0` = `0`; all NaNs
//! one value. Strings are drawn mostly from the grammar's own delimiters and escapes.
//! `PROPTEST_CASES` sets the number of cases (default 10,000).

use cashier_core::key::{ArgValue, KeyOptions, build_key, decode_key, encode_value};
use proptest::prelude::*;

mod common;
use common::cases;

fn tricky_string() -> impl Strategy<Value = String> + Clone {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(vec![
                '"', '\\', ',', '[', ']', '{', '}', '(', ')', '=', '>', ':', '@', 'n', 'u', '0',
                '1', '-', 'e', 'a', '\n', '\t', '\r', '\u{0}', '\u{1f}', '\u{7f}', 'é', '\u{ff61}',
                '😀',
            ]),
            any::<char>(),
        ],
        0..6,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            1e21,
            1e-7,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY
        ]),
        any::<f64>(),
        (-1000i32..1000).prop_map(f64::from),
    ]
}

fn leaf() -> impl Strategy<Value = ArgValue> {
    prop_oneof![
        Just(ArgValue::Null),
        Just(ArgValue::Undefined),
        any::<bool>().prop_map(ArgValue::Bool),
        number().prop_map(ArgValue::Number),
        any::<i128>().prop_map(|i| ArgValue::BigInt(i.to_string())),
        tricky_string().prop_map(ArgValue::String),
        prop::collection::vec(any::<u8>(), 0..4).prop_map(ArgValue::Bytes),
        prop_oneof![
            Just(f64::NAN),
            (-8_640_000_000_000_000i64..=8_640_000_000_000_000).prop_map(|t| t as f64)
        ]
        .prop_map(ArgValue::Date),
    ]
}

fn tree(
    leaf: impl Strategy<Value = ArgValue> + 'static,
    key: impl Strategy<Value = String> + Clone + 'static,
) -> impl Strategy<Value = ArgValue> {
    leaf.prop_recursive(4, 24, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(ArgValue::List),
            prop::collection::vec((key.clone(), inner.clone()), 0..4).prop_map(|fields| {
                // Plain objects cannot repeat a key.
                let mut seen = std::collections::HashSet::new();
                ArgValue::Object(
                    fields
                        .into_iter()
                        .filter(|(k, _)| seen.insert(k.clone()))
                        .collect(),
                )
            }),
            prop::collection::vec((inner.clone(), inner.clone()), 0..3).prop_map(ArgValue::Map),
            prop::collection::vec(inner, 0..4).prop_map(ArgValue::Set),
        ]
    })
}

fn encoding(value: &ArgValue) -> String {
    let mut out = String::new();
    encode_value(value, &mut out, usize::MAX).unwrap();
    out
}

/// The representative of `value`'s equivalence class.
fn normalize(value: &ArgValue) -> ArgValue {
    let number = |n: f64| {
        if n == 0.0 {
            0.0
        } else if n.is_nan() {
            f64::NAN
        } else {
            n
        }
    };
    match value {
        ArgValue::Number(n) => ArgValue::Number(number(*n)),
        ArgValue::Date(t) => ArgValue::Date(number(*t)),
        ArgValue::List(items) => ArgValue::List(items.iter().map(normalize).collect()),
        ArgValue::Object(fields) => {
            let mut fields: Vec<_> = fields
                .iter()
                .map(|(k, v)| (k.clone(), normalize(v)))
                .collect();
            fields.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| encoding(&a.1).cmp(&encoding(&b.1)))
            });
            ArgValue::Object(fields)
        }
        ArgValue::Map(entries) => {
            let mut entries: Vec<_> = entries
                .iter()
                .map(|(k, v)| (normalize(k), normalize(v)))
                .collect();
            entries.sort_by_key(|(k, v)| (encoding(k), encoding(v)));
            ArgValue::Map(entries)
        }
        ArgValue::Set(items) => {
            let mut items: Vec<_> = items.iter().map(normalize).collect();
            items.sort_by_key(encoding);
            ArgValue::Set(items)
        }
        other => other.clone(),
    }
}

/// Structural equality where NaN equals NaN (inputs are normalized first).
fn same(a: &ArgValue, b: &ArgValue) -> bool {
    let numbers = |x: f64, y: f64| x == y || (x.is_nan() && y.is_nan());
    let all = |xs: &[ArgValue], ys: &[ArgValue]| {
        xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same(x, y))
    };
    match (a, b) {
        (ArgValue::Number(x), ArgValue::Number(y)) | (ArgValue::Date(x), ArgValue::Date(y)) => {
            numbers(*x, *y)
        }
        (ArgValue::List(xs), ArgValue::List(ys)) | (ArgValue::Set(xs), ArgValue::Set(ys)) => {
            all(xs, ys)
        }
        (ArgValue::Object(xs), ArgValue::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .zip(ys)
                    .all(|((kx, vx), (ky, vy))| kx == ky && same(vx, vy))
        }
        (ArgValue::Map(xs), ArgValue::Map(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .zip(ys)
                    .all(|((kx, vx), (ky, vy))| same(kx, ky) && same(vx, vy))
        }
        _ => a == b,
    }
}

fn equivalent(a: &[ArgValue], b: &[ArgValue]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| same(&normalize(x), &normalize(y)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_key_parses_back_into_equivalent_arguments(args in prop::collection::vec(tree(leaf(), tricky_string()), 0..4)) {
        let key = build_key("f", &args, &KeyOptions::default()).unwrap();
        let decoded = decode_key(&key).map_err(|e| TestCaseError::fail(format!("{e}: {key}")))?;
        prop_assert_eq!(decoded.label, "f");
        prop_assert!(equivalent(&decoded.args, &args), "{} decoded to {:?}", key, decoded.args);
        // And the decoded arguments build the very same key.
        prop_assert_eq!(build_key("f", &decoded.args, &KeyOptions::default()).unwrap(), key);
    }

    #[test]
    fn keys_are_equal_exactly_when_arguments_are_equivalent(
        a in prop::collection::vec(tree(small_leaf(), small_key()), 0..3),
        b in prop::collection::vec(tree(small_leaf(), small_key()), 0..3),
    ) {
        let key_a = build_key("f", &a, &KeyOptions::default()).unwrap();
        let key_b = build_key("f", &b, &KeyOptions::default()).unwrap();
        prop_assert_eq!(key_a == key_b, equivalent(&a, &b), "{} vs {}", key_a, key_b);
    }
}

/// A tiny alphabet, so that random pairs are often equal.
fn small_leaf() -> impl Strategy<Value = ArgValue> {
    prop_oneof![
        Just(ArgValue::Null),
        Just(ArgValue::Undefined),
        prop::sample::select(vec![0.0, -0.0, 1.0, f64::NAN]).prop_map(ArgValue::Number),
        prop::sample::select(vec!["0", "1"]).prop_map(|s| ArgValue::BigInt(s.into())),
        prop::sample::select(vec!["", "1", "\"", ",", "a\",\"b"])
            .prop_map(|s| ArgValue::String(s.into())),
    ]
}

fn small_key() -> impl Strategy<Value = String> + Clone {
    prop::sample::select(vec!["a", "b", "", "\""]).prop_map(String::from)
}
