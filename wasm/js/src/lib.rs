//! wasm-bindgen exports for the npm package (filled in by the JS package work).
