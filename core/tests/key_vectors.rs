//! The shared key vectors (`tests/vectors/keys.json`, format in `KEYS.md`): every binding must
//! build exactly these keys. The JavaScript and wasmtime-host tests read the same file.

use cashier_core::{ArgValue, KeyBuilder, KeyError, KeyOptions, StandardSerializer, build_key};
use serde_json::Value;

fn vectors() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/keys.json"
    ))
    .expect("keys.json is readable");
    // The nesting-limit vectors are deeper than serde_json's default recursion limit.
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    deserializer.disable_recursion_limit();
    serde::Deserialize::deserialize(&mut deserializer).expect("keys.json is JSON")
}

/// A tagged-JSON argument (see KEYS.md) as an `ArgValue`.
fn arg(tagged: &Value) -> ArgValue {
    let tag = tagged["t"].as_str().expect("a tag");
    let value = &tagged["v"];
    let number = |value: &Value| match value {
        Value::String(text) => match text.as_str() {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            "-0" => -0.0,
            other => panic!("unknown number text {other}"),
        },
        other => other.as_f64().expect("a number"),
    };
    let text = |value: &Value| value.as_str().expect("a string").to_owned();
    let list = |value: &Value| {
        value
            .as_array()
            .expect("a list")
            .iter()
            .map(arg)
            .collect::<Vec<_>>()
    };
    match tag {
        "null" => ArgValue::Null,
        "undefined" => ArgValue::Undefined,
        "bool" => ArgValue::Bool(value.as_bool().expect("a bool")),
        "number" => ArgValue::Number(number(value)),
        "bigint" => ArgValue::BigInt(text(value)),
        "string" => ArgValue::String(text(value)),
        "bytes" => {
            let hex = text(value);
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            ArgValue::Bytes(bytes)
        }
        "date" => ArgValue::Date(number(value)),
        "list" => ArgValue::List(list(value)),
        "set" => ArgValue::Set(list(value)),
        "object" => ArgValue::Object(pairs(value).map(|(k, v)| (text(k), arg(v))).collect()),
        "map" => ArgValue::Map(pairs(value).map(|(k, v)| (arg(k), arg(v))).collect()),
        other => panic!("unknown tag {other}"),
    }
}

fn pairs(value: &Value) -> impl Iterator<Item = (&Value, &Value)> {
    value
        .as_array()
        .expect("pairs")
        .iter()
        .map(|pair| (&pair[0], &pair[1]))
}

fn options(vector: &Value, serializer: StandardSerializer) -> KeyOptions {
    let given = &vector["options"];
    let mut options = KeyOptions::default().serializer(serializer);
    if let Some(prefix) = given["prefix"].as_str() {
        options = options.prefix(prefix);
    }
    if let Some(version) = given["version"].as_str() {
        options = options.version(version);
    }
    if let Some(positions) = given["cacheWith"].as_array() {
        options = options.cache_with(
            positions
                .iter()
                .map(|p| p.as_u64().unwrap() as usize)
                .collect::<Vec<_>>(),
        );
    }
    if let Some(max) = given["maxKeyBytes"].as_u64() {
        options = options.max_key_bytes(max as usize);
    }
    options
}

fn args(vector: &Value) -> Vec<ArgValue> {
    vector["args"]
        .as_array()
        .expect("args")
        .iter()
        .map(arg)
        .collect()
}

#[test]
fn every_vector_builds_its_exact_keys() {
    let all = vectors();
    let list = all["vectors"].as_array().unwrap();
    assert!(
        list.len() >= 60,
        "at least 60 vectors, found {}",
        list.len()
    );
    let mut failures = Vec::new();
    for vector in list {
        let name = vector["name"].as_str().unwrap();
        for (field, serializer) in [
            ("repr", StandardSerializer::Repr),
            ("md5", StandardSerializer::Md5),
            ("sha256", StandardSerializer::Sha256),
        ] {
            let built = build_key(name, &args(vector), &options(vector, serializer));
            let expected = vector[field].as_str().unwrap();
            if built.as_deref() != Ok(expected) {
                failures.push(format!(
                    "{} [{field}]: expected {expected:?}, built {built:?}",
                    vector["about"]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_error_vector_fails_with_its_error() {
    let all = vectors();
    for vector in all["errors"].as_array().unwrap() {
        let name = vector["name"].as_str().unwrap();
        let result = build_key(
            name,
            &args(vector),
            &options(vector, StandardSerializer::Repr),
        );
        let variant = match &result {
            Err(error) => format!("{error:?}"),
            Ok(key) => panic!("{}: expected an error, built {key:?}", vector["about"]),
        };
        let expected = vector["error"].as_str().unwrap();
        assert!(
            variant.starts_with(expected),
            "{}: expected {expected}, got {variant}",
            vector["about"]
        );
        // The message names the problem.
        assert!(!result.unwrap_err().to_string().is_empty());
    }
}

#[test]
fn only_documented_equal_inputs_share_a_key() {
    // Vectors that are meant to meet an earlier one: equal by content, or keyed on nothing.
    const MEANT_TO_MEET: [&str; 4] = [
        "zero",
        "object insertion order does not matter",
        "negative zero keys as zero",
        "an empty cacheWith keys on the name only",
    ];
    let all = vectors();
    let mut seen = std::collections::HashMap::new();
    for vector in all["vectors"].as_array().unwrap() {
        let about = vector["about"].as_str().unwrap();
        if let Some(earlier) = seen.insert(vector["repr"].as_str().unwrap(), about) {
            assert!(
                MEANT_TO_MEET.contains(&about),
                "{about:?} and {earlier:?} share {}",
                vector["repr"]
            );
        }
    }
}

#[test]
fn a_builder_reports_the_failing_argument_position() {
    let builder = KeyBuilder::new("f", &KeyOptions::default()).unwrap();
    let error = builder.build(&[1.into(), ArgValue::Date(0.5)]).unwrap_err();
    assert_eq!(error, KeyError::InvalidDate { argument: 1 });
    assert!(error.to_string().starts_with("argument 1:"));
}

/// The Python forms (`tests/vectors/python.json`, KEYS.md "Python values"): the tagged
/// arguments build exactly the keys the Python package builds from the `python` expressions.
#[test]
fn every_python_vector_builds_its_exact_keys() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/python.json"
    ))
    .expect("python.json is readable");
    let all: Value = serde_json::from_str(&text).expect("python.json is JSON");
    let list = all["vectors"].as_array().unwrap();
    assert!(list.len() >= 15, "at least 15 Python vectors");
    for vector in list {
        for (field, serializer) in [
            ("repr", StandardSerializer::Repr),
            ("md5", StandardSerializer::Md5),
            ("sha256", StandardSerializer::Sha256),
        ] {
            let built = build_key(
                vector["name"].as_str().unwrap(),
                &args(vector),
                &KeyOptions::default().serializer(serializer),
            );
            assert_eq!(
                built.as_deref(),
                Ok(vector[field].as_str().unwrap()),
                "{} [{field}]",
                vector["about"]
            );
        }
    }
}
