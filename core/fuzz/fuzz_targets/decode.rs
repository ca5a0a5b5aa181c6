//! Arbitrary text → decode_key. Never panics; whatever decodes re-encodes to text that decodes to
//! the same arguments.
#![no_main]

use cashier_core::key::{decode_key, encode_value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(decoded) = decode_key(text) else { return };
    let mut args = String::new();
    for (position, arg) in decoded.args.iter().enumerate() {
        if position > 0 {
            args.push(',');
        }
        // Non-canonical input (e.g. "01n") decodes but does not re-encode: an error, not a panic.
        if encode_value(arg, &mut args, usize::MAX).is_err() {
            return;
        }
    }
    let again = decode_key(&format!("f({args})")).expect("re-encoded arguments decode");
    assert_eq!(again.args.len(), decoded.args.len());
});
