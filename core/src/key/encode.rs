//! The canonical text of one value (grammar in `KEYS.md`).

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt::Write;

use super::value::ArgValue;
use crate::error::KeyError;

/// The deepest nesting of lists, objects, maps and sets a key may have.
pub const MAX_DEPTH: usize = 128;

/// The largest magnitude of a date's time value (ECMAScript: 8.64e15 ms).
const MAX_TIME_VALUE: f64 = 8.64e15;

/// Appends `value`'s canonical form to `out`.
///
/// Fails for non-canonical BigInt text, invalid date time values, nesting deeper than
/// [`MAX_DEPTH`], or output longer than `max_bytes` in total. On failure `out` may hold a
/// partial encoding; callers truncate it.
pub fn encode_value(value: &ArgValue, out: &mut String, max_bytes: usize) -> Result<(), KeyError> {
    Encoder {
        out,
        argument: 0,
        max_bytes,
    }
    .value(value, 0)
}

/// Encodes into `out`, attributing errors to top-level argument `argument`.
pub(crate) fn encode_argument(
    value: &ArgValue,
    argument: usize,
    out: &mut String,
    max_bytes: usize,
) -> Result<(), KeyError> {
    Encoder {
        out,
        argument,
        max_bytes,
    }
    .value(value, 0)
}

struct Encoder<'a> {
    out: &'a mut String,
    argument: usize,
    max_bytes: usize,
}

impl Encoder<'_> {
    fn value(&mut self, value: &ArgValue, depth: usize) -> Result<(), KeyError> {
        match value {
            ArgValue::Null => self.push("null"),
            ArgValue::Undefined => self.push("undefined"),
            ArgValue::Bool(true) => self.push("true"),
            ArgValue::Bool(false) => self.push("false"),
            ArgValue::Number(number) => self.number(*number),
            ArgValue::BigInt(digits) => {
                if !is_canonical_integer(digits) {
                    return Err(KeyError::InvalidBigInt {
                        argument: self.argument,
                    });
                }
                self.push(digits)?;
                self.push("n")
            }
            ArgValue::String(text) => self.string(text),
            ArgValue::Bytes(bytes) => self.bytes(bytes),
            ArgValue::Date(time) => {
                // `as i64` is exact within the range, so the round trip tests integrality
                // without `f64::fract`, which needs std.
                let in_range = (-MAX_TIME_VALUE..=MAX_TIME_VALUE).contains(time);
                let valid = time.is_nan() || (in_range && (*time as i64) as f64 == *time);
                if !valid {
                    return Err(KeyError::InvalidDate {
                        argument: self.argument,
                    });
                }
                self.push("Date(")?;
                self.number(*time)?;
                self.push(")")
            }
            ArgValue::List(items) => {
                let depth = self.enter(depth)?;
                self.push("[")?;
                for (position, item) in items.iter().enumerate() {
                    if position > 0 {
                        self.push(",")?;
                    }
                    self.value(item, depth)?;
                }
                self.push("]")
            }
            ArgValue::Object(fields) => self.object(fields, depth),
            ArgValue::Map(entries) => self.map(entries, depth),
            ArgValue::Set(items) => self.set(items, depth),
        }
    }

    fn enter(&self, depth: usize) -> Result<usize, KeyError> {
        if depth >= MAX_DEPTH {
            Err(KeyError::TooDeep {
                argument: self.argument,
            })
        } else {
            Ok(depth + 1)
        }
    }

    fn push(&mut self, text: &str) -> Result<(), KeyError> {
        if self.out.len() + text.len() > self.max_bytes {
            return Err(KeyError::TooLong {
                max_bytes: self.max_bytes,
            });
        }
        self.out.push_str(text);
        Ok(())
    }

    fn number(&mut self, number: f64) -> Result<(), KeyError> {
        // ECMAScript Number::toString: "NaN", "Infinity", "-Infinity", "0" for -0, shortest
        // round-trip digits otherwise. Identical to JavaScript's `String(x)`.
        if let Some(integer) = safe_integer(number) {
            // The common case, without the shortest-digits search: an integer below 2^53 in
            // magnitude is written as its plain decimal digits, as `String(x)` writes it.
            let mut buffer = [0u8; 20];
            return self.push(decimal(integer, &mut buffer));
        }
        let mut buffer = ryu_js::Buffer::new();
        let text = buffer.format(number);
        self.push(text)
    }

    fn string(&mut self, text: &str) -> Result<(), KeyError> {
        // Worst case every byte needs escaping; check the plain length first to fail fast on
        // huge inputs, then the exact length as we go.
        self.push("\"")?;
        let needs_escape =
            |c: char| matches!(c, '"' | '\\') || (c as u32) < 0x20 || c as u32 == 0x7f;
        if !text.chars().any(needs_escape) {
            self.push(text)?;
        } else {
            if self.out.len() + text.len() > self.max_bytes {
                return Err(KeyError::TooLong {
                    max_bytes: self.max_bytes,
                });
            }
            for c in text.chars() {
                match c {
                    '"' => self.push("\\\"")?,
                    '\\' => self.push("\\\\")?,
                    '\n' => self.push("\\n")?,
                    '\r' => self.push("\\r")?,
                    '\t' => self.push("\\t")?,
                    c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                        let mut escape = String::new();
                        let _ = write!(escape, "\\u{{{:x}}}", c as u32);
                        self.push(&escape)?;
                    }
                    c => {
                        let mut utf8 = [0u8; 4];
                        self.push(c.encode_utf8(&mut utf8))?;
                    }
                }
            }
        }
        self.push("\"")
    }

    fn bytes(&mut self, bytes: &[u8]) -> Result<(), KeyError> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        if self.out.len() + 3 + 2 * bytes.len() > self.max_bytes {
            return Err(KeyError::TooLong {
                max_bytes: self.max_bytes,
            });
        }
        self.out.push_str("b\"");
        for &byte in bytes {
            self.out.push(HEX[(byte >> 4) as usize] as char);
            self.out.push(HEX[(byte & 15) as usize] as char);
        }
        self.out.push('"');
        Ok(())
    }

    fn object(&mut self, fields: &[(String, ArgValue)], depth: usize) -> Result<(), KeyError> {
        let depth = self.enter(depth)?;
        // Keys in Unicode code point order: Rust `str` ordering is UTF-8 byte order, which is
        // code point order.
        let order = sorted_order(fields.len(), &|a, b| fields[a].0.cmp(&fields[b].0));
        let has_repeats = order
            .windows(2)
            .any(|pair| fields[pair[0]].0 == fields[pair[1]].0);
        self.push("{")?;
        if !has_repeats {
            for (position, &index) in order.iter().enumerate() {
                if position > 0 {
                    self.push(",")?;
                }
                let (key, value) = &fields[index];
                self.string(key)?;
                self.push(":")?;
                self.value(value, depth)?;
            }
        } else {
            // Only a hand-built Rust value can repeat a key; order repeats by their encoding
            // so that the result does not depend on input order.
            let mut encoded = Vec::with_capacity(fields.len());
            for (key, value) in fields {
                encoded.push((key.as_str(), self.detached(value, depth)?));
            }
            let order = sorted_order(encoded.len(), &|a, b| encoded[a].cmp(&encoded[b]));
            for (position, &index) in order.iter().enumerate() {
                if position > 0 {
                    self.push(",")?;
                }
                let (key, value) = &encoded[index];
                self.string(key)?;
                self.push(":")?;
                self.push(value)?;
            }
        }
        self.push("}")
    }

    fn map(&mut self, entries: &[(ArgValue, ArgValue)], depth: usize) -> Result<(), KeyError> {
        let depth = self.enter(depth)?;
        let mut encoded = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            encoded.push((self.detached(key, depth)?, self.detached(value, depth)?));
        }
        let order = sorted_order(encoded.len(), &|a, b| encoded[a].cmp(&encoded[b]));
        self.push("Map{")?;
        for (position, &index) in order.iter().enumerate() {
            if position > 0 {
                self.push(",")?;
            }
            let (key, value) = &encoded[index];
            self.push(key)?;
            self.push("=>")?;
            self.push(value)?;
        }
        self.push("}")
    }

    fn set(&mut self, items: &[ArgValue], depth: usize) -> Result<(), KeyError> {
        let depth = self.enter(depth)?;
        let mut encoded = Vec::with_capacity(items.len());
        for item in items {
            encoded.push(self.detached(item, depth)?);
        }
        let order = sorted_order(encoded.len(), &|a, b| encoded[a].cmp(&encoded[b]));
        self.push("Set{")?;
        for (position, &index) in order.iter().enumerate() {
            if position > 0 {
                self.push(",")?;
            }
            self.push(&encoded[index])?;
        }
        self.push("}")
    }

    /// Encodes `value` on its own (for sorting), within what is left of the length budget.
    fn detached(&self, value: &ArgValue, depth: usize) -> Result<String, KeyError> {
        let mut text = String::new();
        let budget = self.max_bytes.saturating_sub(self.out.len());
        Encoder {
            out: &mut text,
            argument: self.argument,
            max_bytes: budget,
        }
        .value(value, depth)
        .map_err(|error| match error {
            KeyError::TooLong { .. } => KeyError::TooLong {
                max_bytes: self.max_bytes,
            },
            other => other,
        })?;
        Ok(text)
    }
}

/// The order of `len` items under `compare`, as indices. Every sort in the encoder goes through
/// this one function, a small merge sort (stable, `O(n log n)`): the standard library's sorts
/// are ~7 KB of WebAssembly each, which the npm package ships twice. Items that compare equal
/// encode equally, so any correct order gives the same key.
fn sorted_order(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    /// Runs this long are sorted by insertion first.
    const RUN: usize = 16;
    let mut order: Vec<usize> = (0..len).collect();
    for run in order.chunks_mut(RUN) {
        for i in 1..run.len() {
            let mut j = i;
            while j > 0 && compare(run[j - 1], run[j]) == Ordering::Greater {
                run.swap(j - 1, j);
                j -= 1;
            }
        }
    }
    let mut scratch = alloc::vec![0; len];
    let mut width = RUN;
    while width < len {
        for start in (0..len).step_by(2 * width) {
            let middle = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            let (mut left, mut right) = (start, middle);
            for slot in &mut scratch[start..end] {
                let take_left = right == end
                    || (left < middle && compare(order[left], order[right]) != Ordering::Greater);
                if take_left {
                    *slot = order[left];
                    left += 1;
                } else {
                    *slot = order[right];
                    right += 1;
                }
            }
        }
        core::mem::swap(&mut order, &mut scratch);
        width *= 2;
    }
    order
}

/// `-?(0|[1-9][0-9]*)` and not `-0`.
fn is_canonical_integer(digits: &str) -> bool {
    let unsigned = digits.strip_prefix('-').unwrap_or(digits);
    let well_formed = match unsigned.as_bytes() {
        [] => false,
        [b'0'] => true,
        [first, rest @ ..] => (b'1'..=b'9').contains(first) && rest.iter().all(u8::is_ascii_digit),
    };
    well_formed && digits != "-0"
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn enc(value: ArgValue) -> String {
        let mut out = String::new();
        encode_value(&value, &mut out, usize::MAX).unwrap();
        out
    }

    #[test]
    fn sorted_order_sorts_like_the_standard_sort() {
        // Lengths around the insertion runs and merge widths, with repeats (stability checked).
        let mut state = 0x2545_f491_u32;
        for len in [0, 1, 2, 15, 16, 17, 31, 32, 33, 64, 100, 257] {
            let items: Vec<u32> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    state % 40
                })
                .collect();
            let order = sorted_order(len, &|a, b| items[a].cmp(&items[b]));
            let mut expected: Vec<usize> = (0..len).collect();
            expected.sort_by_key(|&i| items[i]);
            assert_eq!(order, expected, "length {len}");
        }
    }

    #[test]
    fn numbers_follow_ecmascript() {
        assert_eq!(enc(1.0.into()), "1");
        assert_eq!(enc((-0.0).into()), "0");
        assert_eq!(enc(0.5.into()), "0.5");
        assert_eq!(enc(1e21.into()), "1e+21");
        assert_eq!(enc(1.5e-7.into()), "1.5e-7");
        assert_eq!(enc(f64::NAN.into()), "NaN");
        assert_eq!(enc(f64::INFINITY.into()), "Infinity");
        assert_eq!(enc(f64::NEG_INFINITY.into()), "-Infinity");
        assert_eq!(enc(2f64.powi(60).into()), "1152921504606847000");
        assert_eq!(enc(5u64.into()), "5n");
    }

    #[test]
    fn strings_escape_only_what_the_grammar_needs() {
        assert_eq!(
            enc("a\"b\\c\n\r\t\u{1}\u{7f}é😀".into()),
            r#""a\"b\\c\n\r\t\u{1}\u{7f}é😀""#
        );
    }

    #[test]
    fn containers_sort_by_code_point_and_encoding() {
        let object = ArgValue::object([("b", 2), ("a", 1), ("\u{ff61}", 3), ("😀", 4)]);
        assert_eq!(enc(object), "{\"a\":1,\"b\":2,\"\u{ff61}\":3,\"😀\":4}");
        let set = ArgValue::Set(vec!["b".into(), 1.into(), "a".into()]);
        assert_eq!(enc(set), "Set{\"a\",\"b\",1}");
        let map = ArgValue::Map(vec![(2.into(), "x".into()), (1.into(), "y".into())]);
        assert_eq!(enc(map), "Map{1=>\"y\",2=>\"x\"}");
    }

    #[test]
    fn bad_values_are_errors_not_panics() {
        let mut out = String::new();
        for bad in ["", "-", "-0", "01", "1.0", "+1", "1e3", " 1"] {
            assert_eq!(
                encode_value(&ArgValue::BigInt(bad.to_string()), &mut out, usize::MAX),
                Err(KeyError::InvalidBigInt { argument: 0 }),
                "{bad:?}"
            );
        }
        for bad in [0.5, f64::INFINITY, 8.64e15 + 1.0] {
            assert_eq!(
                encode_value(&ArgValue::Date(bad), &mut out, usize::MAX),
                Err(KeyError::InvalidDate { argument: 0 })
            );
        }
        let mut deep = ArgValue::List(vec![]);
        for _ in 0..MAX_DEPTH {
            deep = ArgValue::List(vec![deep]);
        }
        assert_eq!(
            encode_value(&deep, &mut out, usize::MAX),
            Err(KeyError::TooDeep { argument: 0 })
        );
        out.clear();
        assert_eq!(
            encode_value(&"x".repeat(100).into(), &mut out, 50),
            Err(KeyError::TooLong { max_bytes: 50 })
        );
    }
}

/// `number` as an integer when it is one of magnitude at most 2^53 (`-0` gives 0).
fn safe_integer(number: f64) -> Option<i64> {
    const MAX_SAFE: f64 = 9_007_199_254_740_992.0;
    // Within ±2^53 (NaN fails the comparison) `as` truncates exactly; the round trip then
    // tells an integer from a fraction (`f64::trunc` is not in `core`).
    if number.abs() > MAX_SAFE || number.is_nan() {
        return None;
    }
    let integer = number as i64;
    (integer as f64 == number).then_some(integer)
}

/// The decimal digits of `integer`, written into the end of `buffer`.
fn decimal(integer: i64, buffer: &mut [u8; 20]) -> &str {
    let mut at = buffer.len();
    let mut rest = integer.unsigned_abs();
    loop {
        at -= 1;
        buffer[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if integer < 0 {
        at -= 1;
        buffer[at] = b'-';
    }
    // Only ASCII digits and '-' were written.
    core::str::from_utf8(&buffer[at..]).unwrap_or("")
}

#[cfg(test)]
mod integer_tests {
    use super::{decimal, safe_integer};

    /// The integer fast path writes exactly what ryu-js (JavaScript's `String(x)`) writes.
    #[test]
    fn the_integer_fast_path_matches_number_to_string() {
        let mut samples = alloc::vec![0.0, -0.0, 1.0, -1.0, 9.0, 10.0, 99.0, 100.0, 1e15, 9e15];
        samples.extend([
            9_007_199_254_740_992.0,
            -9_007_199_254_740_992.0,
            4_503_599_627_370_497.0,
        ]);
        let mut x = 1.0f64;
        while x < 9e15 {
            samples.extend([x, -x, x + 1.0, x - 1.0]);
            x *= 3.0;
        }
        for number in samples {
            let integer = safe_integer(number).expect("an integer");
            let mut buffer = [0u8; 20];
            let mut expected = ryu_js::Buffer::new();
            assert_eq!(
                decimal(integer, &mut buffer),
                expected.format(number),
                "{number}"
            );
        }
        for not_safe in [
            0.5,
            -1.5,
            f64::NAN,
            f64::INFINITY,
            9_007_199_254_740_994.0,
            1e21,
        ] {
            assert_eq!(safe_integer(not_safe), None, "{not_safe}");
        }
    }
}
