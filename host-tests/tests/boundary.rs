//! The component boundary under arbitrary input: random node lists (any indices, any tags) and
//! random operation sequences (any keys, values, TTLs, tickets) through wasmtime. Every call
//! must answer with a value or a WIT error — never a trap — and the instance must keep working.
//! `PROPTEST_CASES` sets the number of cases (default 300: each case starts an instance).

mod common;

use cashier_host::{HostError, KeyOptions, Lookup, ManualClock, Node, Serializer};
use proptest::prelude::*;

fn node() -> impl Strategy<Value = Node> {
    let index = 0u32..12;
    prop_oneof![
        Just(Node::Null),
        Just(Node::Undefined),
        any::<bool>().prop_map(Node::Boolean),
        any::<f64>().prop_map(Node::Number),
        "[-0-9n]{0,6}".prop_map(Node::Bigint),
        any::<String>().prop_map(Node::Text),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(Node::Bytes),
        any::<f64>().prop_map(Node::Date),
        prop::collection::vec(index.clone(), 0..4).prop_map(Node::List),
        prop::collection::vec(("[a-z\"]{0,3}", index.clone()), 0..3).prop_map(Node::Object),
        prop::collection::vec((index.clone(), index.clone()), 0..3).prop_map(Node::Map),
        prop::collection::vec(index, 0..4).prop_map(Node::Set),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Get(u8),
    Set(u8, Vec<u8>, Option<u64>),
    Delete(u8),
    Begin(u8),
    Complete(u64, Vec<u8>, Option<u64>),
    Fail(u64),
    Clear,
    Bump,
    Advance(u16),
}

fn op() -> impl Strategy<Value = Op> {
    let ticket = prop_oneof![any::<u64>(), 0u64..4, (0u64..4).prop_map(|s| s << 32)];
    prop_oneof![
        any::<u8>().prop_map(Op::Get),
        (
            any::<u8>(),
            prop::collection::vec(any::<u8>(), 0..32),
            prop::option::of(0u64..100)
        )
            .prop_map(|(k, v, t)| Op::Set(k, v, t)),
        any::<u8>().prop_map(Op::Delete),
        any::<u8>().prop_map(Op::Begin),
        (
            ticket.clone(),
            prop::collection::vec(any::<u8>(), 0..8),
            prop::option::of(0u64..100)
        )
            .prop_map(|(t, v, l)| Op::Complete(t, v, l)),
        ticket.prop_map(Op::Fail),
        Just(Op::Clear),
        Just(Op::Bump),
        any::<u16>().prop_map(Op::Advance),
    ]
}

fn no_trap<T: std::fmt::Debug>(result: Result<T, HostError>) -> Result<(), TestCaseError> {
    match result {
        Err(HostError::Wasmtime(error)) => Err(TestCaseError::fail(format!("trap: {error:#}"))),
        _ => Ok(()),
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_node_lists_never_trap(nodes in prop::collection::vec(node(), 0..12), args in prop::collection::vec(0u32..14, 0..4), name in "[a-z(@]{0,4}") {
        let clock = ManualClock::new(0);
        let mut cashier = common::instance(&clock);
        let options = KeyOptions { prefix: String::new(), version: None, cache_with: None, serializer: Serializer::Sha256, max_key_bytes: Some(4096) };
        no_trap(cashier.build_key(&name, &nodes, &args, &options))?;
        prop_assert_eq!(cashier.build_key("f", &[Node::Null], &[0], &options).map(|k| k.len()).ok(), Some(66));
    }

    #[test]
    fn arbitrary_operation_sequences_never_trap(max_size in 0u32..6, ttl in prop::option::of(0u64..50), ops in prop::collection::vec(op(), 0..40)) {
        let clock = ManualClock::new(0);
        let mut cashier = common::instance(&clock);
        let cache = match cashier.create_cache(common::config(max_size, ttl)) {
            Ok(cache) => cache,
            Err(error) => return no_trap(Err::<(), _>(error)),
        };
        let key = |k: u8| format!("k{}", k % 8);
        let mut tickets = Vec::new();
        for op in ops {
            match op {
                Op::Get(k) => no_trap(cashier.get(&cache, &key(k)))?,
                Op::Set(k, v, t) => no_trap(cashier.set(&cache, &key(k), &v, t))?,
                Op::Delete(k) => no_trap(cashier.delete(&cache, &key(k)))?,
                Op::Begin(k) => match cashier.begin(&cache, &key(k)) {
                    Ok(Lookup::Miss(ticket)) => tickets.push(ticket),
                    other => no_trap(other)?,
                },
                Op::Complete(t, v, l) => {
                    let ticket = tickets.pop().unwrap_or(t);
                    no_trap(cashier.complete(&cache, ticket, &v, l))?
                }
                Op::Fail(t) => no_trap(cashier.fail(&cache, tickets.pop().unwrap_or(t)))?,
                Op::Clear => no_trap(cashier.clear(&cache))?,
                Op::Bump => no_trap(cashier.bump_version(&cache))?,
                Op::Advance(ms) => clock.advance(u64::from(ms)),
            }
            let stats = cashier.stats(&cache).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert!(stats.size <= u64::from(max_size));
        }
    }
}
