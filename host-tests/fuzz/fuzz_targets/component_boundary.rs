//! Arbitrary WIT inputs through wasmtime: node lists with any indices and tags, key options with
//! any `cache-with`, prefix, version and size limit, and operation sequences with any keys,
//! values, TTLs and tickets (forged, reused, after `clear`). Every call must answer with a value
//! or a WIT error, never a trap; the size bound holds after every operation; and a key built after
//! all that is still the one the shared vectors promise, so a bad call never corrupts the instance.
//! The component is `CASHIER_COMPONENT` or `target/cashier.component.wasm`.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use cashier_host::{
    CacheConfig, Cashier, HostError, KeyOptions, Limits, Lookup, ManualClock, Node, Serializer,
};
use libfuzzer_sys::fuzz_target;
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

#[derive(Arbitrary, Debug)]
enum FuzzNode {
    Null,
    Undefined,
    Boolean(bool),
    Number(f64),
    Bigint(String),
    Text(String),
    Bytes(Vec<u8>),
    Date(f64),
    List(Vec<u32>),
    Object(Vec<(String, u32)>),
    Map(Vec<(u32, u32)>),
    Set(Vec<u32>),
}

impl From<FuzzNode> for Node {
    fn from(node: FuzzNode) -> Node {
        match node {
            FuzzNode::Null => Node::Null,
            FuzzNode::Undefined => Node::Undefined,
            FuzzNode::Boolean(b) => Node::Boolean(b),
            FuzzNode::Number(n) => Node::Number(n),
            FuzzNode::Bigint(s) => Node::Bigint(s),
            FuzzNode::Text(s) => Node::Text(s),
            FuzzNode::Bytes(b) => Node::Bytes(b),
            FuzzNode::Date(t) => Node::Date(t),
            FuzzNode::List(items) => Node::List(items),
            FuzzNode::Object(fields) => Node::Object(fields),
            FuzzNode::Map(entries) => Node::Map(entries),
            FuzzNode::Set(items) => Node::Set(items),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Op {
    BuildKey {
        name: String,
        nodes: Vec<FuzzNode>,
        args: Vec<u32>,
        prefix: String,
        version: Option<String>,
        cache_with: Option<Vec<u32>>,
        serializer: u8,
        max_key_bytes: Option<u32>,
    },
    Get(u8),
    Set(u8, Vec<u8>, Option<u64>),
    Delete(u8),
    Begin(u8),
    Complete(Option<u64>, Vec<u8>, Option<u64>),
    Fail(Option<u64>),
    Clear,
    Bump,
    Advance(u32),
    Rewind(u32),
}

#[derive(Arbitrary, Debug)]
struct Input {
    max_size: u32,
    default_ttl_ms: Option<u64>,
    hash_seed: u64,
    ops: Vec<Op>,
}

fn compiled() -> &'static (Engine, Component) {
    static COMPILED: OnceLock<(Engine, Component)> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let path = std::env::var_os("CASHIER_COMPONENT")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../target/cashier.component.wasm"
                ))
            });
        let mut config = Config::new();
        config.consume_fuel(true);
        let engine = Engine::new(&config).expect("an engine");
        let component = Component::from_file(&engine, &path)
            .unwrap_or_else(|e| panic!("{}: {e:#} (run .ci/build-component.sh)", path.display()));
        (engine, component)
    })
}

/// A trap (or any wasmtime error) is the one outcome the boundary promises never to give.
fn no_trap<T: std::fmt::Debug>(result: Result<T, HostError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(HostError::Wasmtime(error)) => panic!("trap at the component boundary: {error:#}"),
        Err(_) => None,
    }
}

fn serializer(byte: u8) -> Serializer {
    match byte % 3 {
        0 => Serializer::Repr,
        1 => Serializer::Md5,
        _ => Serializer::Sha256,
    }
}

fuzz_target!(|input: Input| {
    let (engine, component) = compiled();
    let mut now: u64 = 1 << 30;
    let clock = ManualClock::new(now);
    let limits = Limits {
        memory_bytes: Some(16 << 20),
        fuel: Some(u64::MAX / 2),
    };
    let mut cashier = Cashier::instantiate(engine, component, clock.clone(), limits)
        .expect("the component instantiates");
    let max_size = input.max_size % 16;
    let config = CacheConfig {
        max_size,
        default_ttl_ms: input.default_ttl_ms,
        hash_seed: input.hash_seed,
    };
    let cache = no_trap(cashier.create_cache(config));
    let key = |k: u8| format!("k{}", k % 8);
    let mut tickets = Vec::new();
    for op in input.ops {
        match (op, &cache) {
            (
                Op::BuildKey {
                    name,
                    nodes,
                    args,
                    prefix,
                    version,
                    cache_with,
                    serializer: s,
                    max_key_bytes,
                },
                _,
            ) => {
                let nodes: Vec<Node> = nodes.into_iter().map(Node::from).collect();
                let options = KeyOptions {
                    prefix,
                    version,
                    cache_with,
                    serializer: serializer(s),
                    max_key_bytes,
                };
                no_trap(cashier.build_key(&name, &nodes, &args, &options));
            }
            (Op::Advance(ms), _) => {
                now = now.saturating_add(u64::from(ms));
                clock.set(now);
            }
            (Op::Rewind(ms), _) => {
                now = now.saturating_sub(u64::from(ms));
                clock.set(now);
            }
            (_, None) => {}
            (Op::Get(k), Some(c)) => drop(no_trap(cashier.get(c, &key(k)))),
            (Op::Set(k, v, t), Some(c)) => drop(no_trap(cashier.set(c, &key(k), &v, t))),
            (Op::Delete(k), Some(c)) => drop(no_trap(cashier.delete(c, &key(k)))),
            (Op::Begin(k), Some(c)) => {
                if let Some(Lookup::Miss(ticket)) = no_trap(cashier.begin(c, &key(k))) {
                    tickets.push(ticket);
                }
            }
            (Op::Complete(forged, v, t), Some(c)) => {
                let ticket = forged.or_else(|| tickets.pop()).unwrap_or(0);
                no_trap(cashier.complete(c, ticket, &v, t));
            }
            (Op::Fail(forged), Some(c)) => {
                let ticket = forged.or_else(|| tickets.pop()).unwrap_or(0);
                no_trap(cashier.fail(c, ticket));
            }
            (Op::Clear, Some(c)) => drop(no_trap(cashier.clear(c))),
            (Op::Bump, Some(c)) => drop(no_trap(cashier.bump_version(c))),
        }
        if let Some(c) = &cache {
            let stats = no_trap(cashier.stats(c)).expect("stats answer");
            assert!(
                stats.size <= u64::from(max_size),
                "size {} > max {max_size}",
                stats.size
            );
        }
    }
    // The instance still builds the promised key (a shared vector) after everything above.
    let options = KeyOptions::repr();
    let key = no_trap(cashier.build_key("f", &[Node::Number(1.0)], &[0], &options));
    assert_eq!(key.as_deref(), Some("f(1)"));
});
