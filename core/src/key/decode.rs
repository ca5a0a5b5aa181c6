//! Parsing a canonical `repr` key back into its label and arguments.
//!
//! The decoder exists to make the encoding's central promise checkable: a key parses back into
//! exactly one argument list, so distinct argument lists can never share a key. Tests and the
//! fuzzers round-trip random argument trees through it; tools can use it to read keys.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::encode::MAX_DEPTH;
use super::value::ArgValue;

/// A key that is not valid canonical text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What was expected there.
    pub expected: &'static str,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not a canonical key: expected {} at byte {}",
            self.expected, self.offset
        )
    }
}

impl core::error::Error for DecodeError {}

/// A `repr` key split into its parts (the prefix is not separable and stays in `label`).
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedKey {
    /// `prefix name[@version]`.
    pub label: String,
    /// The participating arguments, in key order.
    pub args: Vec<ArgValue>,
}

/// Parses a key built with the `repr` serializer.
pub fn decode_key(key: &str) -> Result<DecodedKey, DecodeError> {
    let open = key.find('(').ok_or(DecodeError {
        offset: key.len(),
        expected: "'('",
    })?;
    let mut parser = Parser {
        text: key,
        at: open + 1,
    };
    let mut args = Vec::new();
    if !parser.eat(")") {
        loop {
            args.push(parser.value(0)?);
            if parser.eat(")") {
                break;
            }
            parser.expect(",")?;
        }
    }
    if parser.at != key.len() {
        return Err(parser.error("the end of the key"));
    }
    Ok(DecodedKey {
        label: String::from(&key[..open]),
        args,
    })
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn error(&self, expected: &'static str) -> DecodeError {
        DecodeError {
            offset: self.at,
            expected,
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &'static str) -> Result<(), DecodeError> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.error(token))
        }
    }

    fn value(&mut self, depth: usize) -> Result<ArgValue, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(self.error("shallower nesting"));
        }
        let rest = self.rest();
        let value = if self.eat("null") {
            ArgValue::Null
        } else if self.eat("undefined") {
            ArgValue::Undefined
        } else if self.eat("true") {
            ArgValue::Bool(true)
        } else if self.eat("false") {
            ArgValue::Bool(false)
        } else if rest.starts_with('"') {
            ArgValue::String(self.string()?)
        } else if self.eat("b\"") {
            let hex = self.until('"')?;
            if hex.len() % 2 != 0
                || !hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(self.error("lowercase hex bytes"));
            }
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0))
                .collect();
            ArgValue::Bytes(bytes)
        } else if self.eat("Date(") {
            let time = self.number()?;
            self.expect(")")?;
            ArgValue::Date(time)
        } else if self.eat("[") {
            ArgValue::List(self.sequence("]", depth)?)
        } else if self.eat("Set{") {
            ArgValue::Set(self.sequence("}", depth)?)
        } else if self.eat("Map{") {
            let mut entries = Vec::new();
            if !self.eat("}") {
                loop {
                    let key = self.value(depth + 1)?;
                    self.expect("=>")?;
                    entries.push((key, self.value(depth + 1)?));
                    if self.eat("}") {
                        break;
                    }
                    self.expect(",")?;
                }
            }
            ArgValue::Map(entries)
        } else if self.eat("{") {
            let mut fields = Vec::new();
            if !self.eat("}") {
                loop {
                    let key = self.string()?;
                    self.expect(":")?;
                    fields.push((key, self.value(depth + 1)?));
                    if self.eat("}") {
                        break;
                    }
                    self.expect(",")?;
                }
            }
            ArgValue::Object(fields)
        } else {
            let token = self.numeric_token();
            if let Some(digits) = token.strip_suffix('n') {
                self.at += token.len();
                ArgValue::BigInt(String::from(digits))
            } else {
                ArgValue::Number(self.number()?)
            }
        };
        Ok(value)
    }

    fn sequence(
        &mut self,
        close: &'static str,
        depth: usize,
    ) -> Result<Vec<ArgValue>, DecodeError> {
        let mut items = Vec::new();
        if self.eat(close) {
            return Ok(items);
        }
        loop {
            items.push(self.value(depth + 1)?);
            if self.eat(close) {
                return Ok(items);
            }
            self.expect(",")?;
        }
    }

    /// The characters a number or BigInt can hold.
    fn numeric_token(&self) -> &'a str {
        let rest = self.rest();
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.')))
            .unwrap_or(rest.len());
        &rest[..end]
    }

    fn number(&mut self) -> Result<f64, DecodeError> {
        let token = self.numeric_token();
        let value = match token {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            _ => token.parse::<f64>().map_err(|_| self.error("a number"))?,
        };
        self.at += token.len();
        Ok(value)
    }

    fn until(&mut self, close: char) -> Result<&'a str, DecodeError> {
        let rest = self.rest();
        let end = rest.find(close).ok_or(self.error("a closing quote"))?;
        self.at += end + close.len_utf8();
        Ok(&rest[..end])
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        self.expect("\"")?;
        let mut out = String::new();
        loop {
            let c = self
                .rest()
                .chars()
                .next()
                .ok_or(self.error("a closing quote"))?;
            self.at += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let escaped = self.rest().chars().next().ok_or(self.error("an escape"))?;
                    self.at += escaped.len_utf8();
                    match escaped {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            self.expect("{")?;
                            let hex = self.until('}')?;
                            let code = u32::from_str_radix(hex, 16)
                                .map_err(|_| self.error("hex digits"))?;
                            // Lone surrogates (from JavaScript) have no Rust `char`.
                            out.push(
                                char::from_u32(code).ok_or(self.error("a Unicode scalar value"))?,
                            );
                        }
                        _ => return Err(self.error("a known escape")),
                    }
                }
                c => out.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{KeyOptions, build_key};
    use alloc::vec;

    #[test]
    fn keys_parse_back_into_their_arguments() {
        let args = vec![
            ArgValue::from("a\",\"b\\\n"),
            ArgValue::from(-1.5e-7),
            ArgValue::BigInt("-12".into()),
            ArgValue::Date(f64::NAN),
            ArgValue::bytes([0u8, 255]),
            ArgValue::Map(vec![(ArgValue::list([1, 2]), ArgValue::Undefined)]),
            ArgValue::Set(vec![ArgValue::Null, true.into()]),
            ArgValue::object([("k\u{1}", ArgValue::Object(vec![]))]),
        ];
        let key = build_key("app.f", &args, &KeyOptions::default().version("3")).unwrap();
        let decoded = decode_key(&key).unwrap();
        assert_eq!(decoded.label, "app.f@3");
        assert_eq!(decoded.args.len(), args.len());
        let again = build_key("app.f", &decoded.args, &KeyOptions::default().version("3")).unwrap();
        assert_eq!(again, key);
    }

    #[test]
    fn malformed_keys_are_errors() {
        for bad in [
            "f",
            "f(",
            "f(1",
            "f(1,)",
            "f(\"a)",
            "f(b\"0\")",
            "f(\"\\q\")",
            "f(1)x",
            "f(Map{1})",
            "f(1.2.3)",
        ] {
            assert!(decode_key(bad).is_err(), "{bad:?}");
        }
    }
}
