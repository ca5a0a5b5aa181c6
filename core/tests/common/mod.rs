//! Shared by the property tests.

/// Cases per property: `PROPTEST_CASES`, or 10,000.
pub fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}
