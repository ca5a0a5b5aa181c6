//! The Rust half of the cross-language test (`js/test/redis/interop.test.mjs`):
//!
//! ```text
//! cashier-redis-interop <redis-url> <prefix> read    # prints the values JavaScript memoized
//! cashier-redis-interop <redis-url> <prefix> write   # stores a value JavaScript must find
//! ```
//!
//! Each side builds the arguments natively (here as `ArgValue`s, there as JavaScript values) and
//! its own key; the test passes only if the keys are identical.

use std::process::ExitCode;

use cashier_core::{ArgValue, KeyBuilder, KeyOptions, StandardSerializer};
use cashier_redis_interop::RedisLayout;

/// A call whose key both languages build.
struct Case {
    /// The name the JavaScript side knows this case by.
    label: &'static str,
    function: &'static str,
    serializer: StandardSerializer,
    args: Vec<ArgValue>,
}

/// The calls JavaScript memoized: `interop.quote(42, "EUR", {...})` under each serializer.
fn js_written_cases() -> Vec<Case> {
    let order = || {
        vec![
            ArgValue::Number(42.0),
            ArgValue::String("EUR".into()),
            ArgValue::object([
                ("region", ArgValue::String("eu".into())),
                (
                    "tags",
                    ArgValue::List(vec![
                        ArgValue::String("a".into()),
                        ArgValue::String("b \"quoted\"".into()),
                    ]),
                ),
                ("since", ArgValue::Date(0.0)),
            ]),
        ]
    };
    [
        ("repr", StandardSerializer::Repr),
        ("sha256", StandardSerializer::Sha256),
        ("md5", StandardSerializer::Md5),
    ]
    .into_iter()
    .map(|(label, serializer)| Case {
        label,
        function: "interop.quote",
        serializer,
        args: order(),
    })
    .collect()
}

/// The call Rust stores a value for: `interop.fromRust(12345678901234567890n, Map{1 => "x"}, Set{true, null})`.
fn rust_written_case() -> Vec<ArgValue> {
    vec![
        ArgValue::BigInt("12345678901234567890".into()),
        ArgValue::Map(vec![(ArgValue::Number(1.0), ArgValue::String("x".into()))]),
        ArgValue::Set(vec![ArgValue::Bool(true), ArgValue::Null]),
    ]
}

fn key(name: &str, serializer: StandardSerializer, args: &[ArgValue]) -> Result<String, String> {
    let options = KeyOptions::default().serializer(serializer);
    let builder = KeyBuilder::new(name, &options).map_err(|e| e.to_string())?;
    builder.build(args).map_err(|e| e.to_string())
}

fn run(url: &str, prefix: &str, command: &str) -> Result<(), String> {
    let client = redis::Client::open(url).map_err(|e| e.to_string())?;
    let mut connection = client.get_connection().map_err(|e| e.to_string())?;
    let layout = RedisLayout::new(prefix);
    match command {
        "read" => {
            for case in js_written_cases() {
                let key = key(case.function, case.serializer, &case.args)?;
                let text = layout
                    .read(&mut connection, &key)
                    .map_err(|e| e.to_string())?;
                let value: serde_json::Value = match text {
                    Some(text) => serde_json::from_str(&text).map_err(|e| e.to_string())?,
                    None => serde_json::Value::Null,
                };
                println!(
                    "{}",
                    serde_json::json!({ "case": case.label, "key": key, "value": value })
                );
            }
            Ok(())
        }
        "write" => {
            let args = rust_written_case();
            let key = key("interop.fromRust", StandardSerializer::Repr, &args)?;
            // The JavaScript value serializer's text for { from: "rust", n: 7n }.
            let text = r#"{"from":"rust","n":{"$t":"bigint","v":"7"}}"#;
            layout
                .write(&mut connection, &key, text)
                .map_err(|e| e.to_string())?;
            println!("{}", serde_json::json!({ "key": key }));
            Ok(())
        }
        other => Err(format!("unknown command {other:?}; use read or write")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, prefix, command] = args.as_slice() else {
        eprintln!("usage: cashier-redis-interop <redis-url> <prefix> read|write");
        return ExitCode::from(2);
    };
    match run(url, prefix, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cashier-redis-interop: {error}");
            ExitCode::FAILURE
        }
    }
}
