//! The shared key vectors (`core/tests/vectors/keys.json`) through the component's `build-key`,
//! and hostile node lists: each an error value, never a trap.

mod common;

use cashier_host::{CacheError, HostError, KeyOptions, ManualClock, Node, Serializer};
use serde_json::Value;

fn vectors() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/vectors/keys.json"
    ))
    .unwrap();
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    deserializer.disable_recursion_limit();
    serde::Deserialize::deserialize(&mut deserializer).unwrap()
}

/// Appends a tagged-JSON argument (KEYS.md) to `nodes` in post-order; returns its index.
fn push(nodes: &mut Vec<Node>, tagged: &Value) -> u32 {
    let number = |value: &Value| match value.as_str() {
        Some("NaN") => f64::NAN,
        Some("Infinity") => f64::INFINITY,
        Some("-Infinity") => f64::NEG_INFINITY,
        Some("-0") => -0.0,
        Some(other) => panic!("unknown number text {other}"),
        None => value.as_f64().unwrap(),
    };
    let value = &tagged["v"];
    let node = match tagged["t"].as_str().unwrap() {
        "null" => Node::Null,
        "undefined" => Node::Undefined,
        "bool" => Node::Boolean(value.as_bool().unwrap()),
        "number" => Node::Number(number(value)),
        "bigint" => Node::Bigint(value.as_str().unwrap().into()),
        "string" => Node::Text(value.as_str().unwrap().into()),
        "bytes" => {
            let hex = value.as_str().unwrap();
            Node::Bytes(
                (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect(),
            )
        }
        "date" => Node::Date(number(value)),
        "list" => Node::List(
            value
                .as_array()
                .unwrap()
                .iter()
                .map(|item| push(nodes, item))
                .collect(),
        ),
        "set" => Node::Set(
            value
                .as_array()
                .unwrap()
                .iter()
                .map(|item| push(nodes, item))
                .collect(),
        ),
        "object" => Node::Object(
            value
                .as_array()
                .unwrap()
                .iter()
                .map(|pair| (pair[0].as_str().unwrap().into(), push(nodes, &pair[1])))
                .collect(),
        ),
        "map" => Node::Map(
            value
                .as_array()
                .unwrap()
                .iter()
                .map(|pair| (push(nodes, &pair[0]), push(nodes, &pair[1])))
                .collect(),
        ),
        other => panic!("unknown tag {other}"),
    };
    nodes.push(node);
    (nodes.len() - 1) as u32
}

fn options(vector: &Value, serializer: Serializer) -> KeyOptions {
    let given = &vector["options"];
    KeyOptions {
        prefix: given["prefix"].as_str().unwrap_or("").into(),
        version: given["version"].as_str().map(Into::into),
        cache_with: given["cacheWith"]
            .as_array()
            .map(|p| p.iter().map(|p| p.as_u64().unwrap() as u32).collect()),
        serializer,
        max_key_bytes: given["maxKeyBytes"].as_u64().map(|m| m as u32),
    }
}

#[test]
fn every_shared_vector_builds_its_exact_keys_in_the_component() {
    let clock = ManualClock::new(0);
    let mut cashier = common::instance(&clock);
    let all = vectors();
    let mut checked = 0;
    for vector in all["vectors"].as_array().unwrap() {
        let mut nodes = Vec::new();
        let args: Vec<u32> = vector["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|arg| push(&mut nodes, arg))
            .collect();
        for (field, serializer) in [
            ("repr", Serializer::Repr),
            ("md5", Serializer::Md5),
            ("sha256", Serializer::Sha256),
        ] {
            let key = cashier.build_key(
                vector["name"].as_str().unwrap(),
                &nodes,
                &args,
                &options(vector, serializer),
            );
            assert_eq!(
                key.as_deref().ok(),
                vector[field].as_str(),
                "{} [{field}]: {key:?}",
                vector["about"]
            );
            checked += 1;
        }
    }
    assert!(checked >= 180, "{checked} keys checked");
    for vector in all["errors"].as_array().unwrap() {
        let mut nodes = Vec::new();
        let args: Vec<u32> = vector["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|arg| push(&mut nodes, arg))
            .collect();
        match cashier.build_key(
            vector["name"].as_str().unwrap(),
            &nodes,
            &args,
            &options(vector, Serializer::Repr),
        ) {
            Err(HostError::Cache(CacheError::InvalidKey(message))) => assert!(!message.is_empty()),
            other => panic!("{}: expected invalid-key, got {other:?}", vector["about"]),
        }
    }
}

#[test]
fn malformed_node_lists_are_errors_and_the_instance_lives_on() {
    let clock = ManualClock::new(0);
    let mut cashier = common::instance(&clock);
    let cases: Vec<(&str, Vec<Node>, Vec<u32>)> = vec![
        (
            "a child that is not earlier (a cycle)",
            vec![Node::List(vec![0])],
            vec![0],
        ),
        (
            "a forward reference",
            vec![Node::List(vec![1]), Node::Null],
            vec![0],
        ),
        (
            "a shared subtree",
            vec![Node::Null, Node::List(vec![0, 0])],
            vec![1],
        ),
        ("a root used twice", vec![Node::Null], vec![0, 0]),
        ("a root out of range", vec![Node::Null], vec![5]),
        (
            "a child of a root used as a root",
            vec![Node::Null, Node::List(vec![0])],
            vec![1, 0],
        ),
    ];
    for (about, nodes, args) in cases {
        match cashier.build_key("f", &nodes, &args, &KeyOptions::repr()) {
            Err(HostError::Cache(CacheError::InvalidArguments(message))) => {
                assert!(!message.is_empty(), "{about}")
            }
            other => panic!("{about}: expected invalid-arguments, got {other:?}"),
        }
    }
    // A million nested lists: rejected as too deep without recursing (no stack overflow).
    let mut deep = vec![Node::List(Vec::new())];
    for child in 0..1_000_000u32 {
        deep.push(Node::List(vec![child]));
    }
    let root = deep.len() as u32 - 1;
    match cashier.build_key("f", &deep, &[root], &KeyOptions::repr()) {
        Err(HostError::Cache(CacheError::InvalidKey(message))) => {
            assert!(message.contains("deeper"))
        }
        other => panic!("expected too deep, got {other:?}"),
    }
    // Still serving.
    let key = cashier
        .build_key(
            "f",
            &[Node::Number(1.0), Node::Text("1".into())],
            &[0, 1],
            &KeyOptions::repr(),
        )
        .unwrap();
    assert_eq!(key, "f(1,\"1\")");
}
