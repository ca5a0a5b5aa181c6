//! Typed wasmtime host API for the cashier component (filled in by the component work).
