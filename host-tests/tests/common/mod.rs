//! Loads the built component once per test binary.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use cashier_host::{CacheConfig, CacheHandle, Cashier, Limits, ManualClock};
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

/// `CASHIER_COMPONENT`, or `target/cashier.component.wasm` as `.ci/build-component.sh` writes it.
pub fn component_path() -> PathBuf {
    std::env::var_os("CASHIER_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../target/cashier.component.wasm"
            ))
        })
}

/// One engine (fuel metering on, so tests can bound calls) and the compiled component.
pub fn compiled() -> &'static (Engine, Component) {
    static COMPILED: OnceLock<(Engine, Component)> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let path = component_path();
        assert!(
            path.exists(),
            "{} is missing: run `bash .ci/build-component.sh` first",
            path.display()
        );
        let mut config = Config::new();
        config.consume_fuel(true);
        let engine = Engine::new(&config).expect("an engine");
        let component = Component::from_file(&engine, &path).expect("the component compiles");
        (engine, component)
    })
}

pub const PLENTY_OF_FUEL: u64 = u64::MAX / 2;

/// A fresh instance on a manual clock, with effectively unlimited fuel.
pub fn instance(clock: &ManualClock) -> Cashier {
    instance_with(
        clock,
        Limits {
            fuel: Some(PLENTY_OF_FUEL),
            ..Limits::default()
        },
    )
}

/// A fresh instance whose linear memory may not grow past `bytes`, with plenty of fuel.
pub fn instance_with_memory_limit(clock: &ManualClock, bytes: usize) -> Cashier {
    instance_with(
        clock,
        Limits {
            memory_bytes: Some(bytes),
            fuel: Some(PLENTY_OF_FUEL),
        },
    )
}

pub fn instance_with(clock: &ManualClock, limits: Limits) -> Cashier {
    let (engine, component) = compiled();
    Cashier::instantiate(engine, component, clock.clone(), limits)
        .expect("the component instantiates")
}

pub fn config(max_size: u32, default_ttl_ms: Option<u64>) -> CacheConfig {
    CacheConfig {
        max_size,
        default_ttl_ms,
        hash_seed: 0x5eed,
    }
}

pub fn cache(cashier: &mut Cashier, max_size: u32, default_ttl_ms: Option<u64>) -> CacheHandle {
    cashier
        .create_cache(config(max_size, default_ttl_ms))
        .expect("a valid config")
}
