//! Arbitrary argument trees, names and options → keys. Never panics; every `repr` key parses
//! back (decode_key) into arguments that rebuild the very same key; digests never fail where
//! repr succeeds.
#![no_main]

use arbitrary::Arbitrary;
use cashier_core::key::{ArgValue, KeyBuilder, KeyOptions, StandardSerializer, decode_key};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Arg {
    Null,
    Undefined,
    Bool(bool),
    Number(f64),
    BigInt(i128),
    RawBigInt(String),
    String(String),
    Bytes(Vec<u8>),
    Date(i64),
    RawDate(f64),
    List(Vec<Arg>),
    Object(Vec<(String, Arg)>),
    Map(Vec<(Arg, Arg)>),
    Set(Vec<Arg>),
}

impl Arg {
    fn value(&self) -> ArgValue {
        match self {
            Arg::Null => ArgValue::Null,
            Arg::Undefined => ArgValue::Undefined,
            Arg::Bool(b) => ArgValue::Bool(*b),
            Arg::Number(n) => ArgValue::Number(*n),
            Arg::BigInt(i) => ArgValue::BigInt(i.to_string()),
            Arg::RawBigInt(text) => ArgValue::BigInt(text.clone()),
            Arg::String(text) => ArgValue::String(text.clone()),
            Arg::Bytes(bytes) => ArgValue::Bytes(bytes.clone()),
            Arg::Date(t) => ArgValue::Date((*t % 8_640_000_000_000_000) as f64),
            Arg::RawDate(t) => ArgValue::Date(*t),
            Arg::List(items) => ArgValue::List(items.iter().map(Arg::value).collect()),
            Arg::Object(fields) => ArgValue::Object(fields.iter().map(|(k, v)| (k.clone(), v.value())).collect()),
            Arg::Map(entries) => ArgValue::Map(entries.iter().map(|(k, v)| (k.value(), v.value())).collect()),
            Arg::Set(items) => ArgValue::Set(items.iter().map(Arg::value).collect()),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    name: String,
    prefix: String,
    version: Option<String>,
    selection: Option<Vec<u8>>,
    max_key_bytes: u16,
    args: Vec<Arg>,
}

fuzz_target!(|input: Input| {
    let mut options = KeyOptions::default().prefix(input.prefix.clone());
    if let Some(version) = &input.version {
        options = options.version(version.clone());
    }
    if let Some(positions) = &input.selection {
        options = options.cache_with(positions.iter().map(|&p| p as usize).collect::<Vec<_>>());
    }
    if input.max_key_bytes > 0 {
        options = options.max_key_bytes(input.max_key_bytes as usize * 16);
    }
    let Ok(builder) = KeyBuilder::new(&input.name, &options) else { return };
    let args: Vec<ArgValue> = input.args.iter().map(Arg::value).collect();
    let repr = builder.build(&args);
    for serializer in [StandardSerializer::Md5, StandardSerializer::Sha256] {
        let hashed = KeyBuilder::new(&input.name, &options.clone().serializer(serializer)).unwrap().build(&args);
        assert_eq!(hashed.is_ok(), repr.is_ok(), "digests fail exactly when the canonical key does");
    }
    let Ok(key) = repr else { return };
    let decoded = decode_key(&key).unwrap_or_else(|e| panic!("{e}: {key:?}"));
    assert_eq!(decoded.label, format!("{}{}", input.prefix, builder.label()));
    // The decoded (selected) arguments rebuild the same key with every argument taking part.
    let all = KeyOptions { selection: Default::default(), max_key_bytes: usize::MAX, ..options };
    let rebuilt = KeyBuilder::new(&input.name, &all).unwrap().build(&decoded.args).unwrap();
    assert_eq!(rebuilt, key);
});
