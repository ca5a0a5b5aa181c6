//! [`KeyBuilder`]: whole keys from a name, options and arguments.

use alloc::string::String;
use alloc::vec::Vec;

use super::DEFAULT_MAX_KEY_BYTES;
use super::encode::encode_argument;
use super::serializer::{Serializer, StandardSerializer};
use super::value::ArgValue;
use crate::error::KeyError;

/// Which parameters take part in the key (the seed's `CacheWith`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ArgSelection {
    /// Every argument, in order; the argument count matters (`f()` ≠ `f(undefined)`).
    #[default]
    All,
    /// Only these parameter positions, in ascending order; a position the call did not pass
    /// keys as `undefined`, as the parameter reads in JavaScript.
    Positions(Vec<usize>),
}

/// How keys for one function are built. `Default` is: no prefix, no version, every argument,
/// the [`StandardSerializer::Repr`] serializer, keys of at most 1 MiB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOptions {
    /// Prepended verbatim to every key, e.g. `"myapp:"` (no `(`, `)`, `@` or control characters).
    pub prefix: String,
    /// Rotating it gives every key of the function a new value: old entries are never read
    /// again. `[A-Za-z0-9._-]+`.
    pub version: Option<String>,
    /// The participating parameters.
    pub selection: ArgSelection,
    /// How the canonical text becomes the stored key.
    pub serializer: StandardSerializer,
    /// The longest key accepted, in bytes; longer ones are a [`KeyError::TooLong`].
    pub max_key_bytes: usize,
}

impl Default for KeyOptions {
    fn default() -> Self {
        Self {
            prefix: String::new(),
            version: None,
            selection: ArgSelection::All,
            serializer: StandardSerializer::Repr,
            max_key_bytes: DEFAULT_MAX_KEY_BYTES,
        }
    }
}

impl KeyOptions {
    /// Sets the prefix.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Sets the version.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Keys only on these parameter positions.
    pub fn cache_with(mut self, positions: impl Into<Vec<usize>>) -> Self {
        self.selection = ArgSelection::Positions(positions.into());
        self
    }

    /// Sets the serializer.
    pub fn serializer(mut self, serializer: StandardSerializer) -> Self {
        self.serializer = serializer;
        self
    }

    /// Sets the longest key accepted.
    pub fn max_key_bytes(mut self, max_key_bytes: usize) -> Self {
        self.max_key_bytes = max_key_bytes;
        self
    }
}

/// Builds the keys of one function: validates the name and options once, then turns argument
/// lists into keys. Reusable and cheap to call; [`KeyBuilder::build_into`] appends to a
/// caller's buffer so a hot path allocates nothing.
///
/// ```
/// use cashier_core::{ArgValue, KeyBuilder, KeyOptions, StandardSerializer};
///
/// let keys = KeyBuilder::new("users.search", &KeyOptions::default().version("2").cache_with([1]))?;
/// let request = ArgValue::from("an HTTP request: not part of the key");
/// let query = ArgValue::object([("tags", ArgValue::list(["b", "a"])), ("limit", 10.into())]);
/// assert_eq!(keys.build(&[request, query.clone()])?, r#"users.search@2({"limit":10,"tags":["b","a"]})"#);
///
/// let hashed = KeyBuilder::new("users.search", &KeyOptions::default().serializer(StandardSerializer::Sha256))?;
/// assert_eq!(hashed.build(&[query])?.len(), "users.search:".len() + 64);
/// # Ok::<(), cashier_core::KeyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBuilder {
    prefix: String,
    /// `name` or `name@version`.
    label: String,
    positions: Option<Vec<usize>>,
    serializer: StandardSerializer,
    max_key_bytes: usize,
}

impl KeyBuilder {
    /// A builder for the function called `name` (its qualified name).
    ///
    /// Fails if the name is empty or holds `(`, `)`, `@` or a control character, if the
    /// prefix holds one of those, if the version is not `[A-Za-z0-9._-]+`, or if the
    /// selection repeats a position.
    pub fn new(name: &str, options: &KeyOptions) -> Result<Self, KeyError> {
        Self::check(name, options)?;
        let mut label = String::from(name);
        if let Some(version) = &options.version {
            label.push('@');
            label.push_str(version);
        }
        let positions = match &options.selection {
            ArgSelection::All => None,
            ArgSelection::Positions(positions) => {
                let mut sorted = positions.clone();
                // Insertion sort: selections are a few positions, and this keeps a general
                // sort's code out of modules that only check options.
                for i in 1..sorted.len() {
                    let mut j = i;
                    while j > 0 && sorted[j - 1] > sorted[j] {
                        sorted.swap(j - 1, j);
                        j -= 1;
                    }
                }
                Some(sorted)
            }
        };
        Ok(Self {
            prefix: options.prefix.clone(),
            label,
            positions,
            serializer: options.serializer,
            max_key_bytes: options.max_key_bytes,
        })
    }

    /// Whether [`KeyBuilder::new`] accepts `name` and `options` (the same error if not),
    /// without building the builder: nothing is allocated, for callers that only need the
    /// verdict (the npm package checks options when a function is memoized).
    pub fn check(name: &str, options: &KeyOptions) -> Result<(), KeyError> {
        if name.is_empty() {
            return Err(KeyError::EmptyName);
        }
        check_label_part("name", name)?;
        check_label_part("prefix", &options.prefix)?;
        if let Some(version) = &options.version {
            let valid = !version.is_empty()
                && version
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
            if !valid {
                return Err(KeyError::InvalidVersion);
            }
        }
        if let ArgSelection::Positions(positions) = &options.selection {
            // The smallest position given twice (the first repeat in ascending order).
            let repeated = (0..positions.len())
                .filter(|&i| positions[..i].contains(&positions[i]))
                .map(|i| positions[i])
                .min();
            if let Some(position) = repeated {
                return Err(KeyError::DuplicateSelection { position });
            }
        }
        Ok(())
    }

    /// The key for a call with `args`.
    pub fn build(&self, args: &[ArgValue]) -> Result<String, KeyError> {
        let mut out = String::new();
        self.build_into(args, &mut out)?;
        Ok(out)
    }

    /// Appends the key for a call with `args` to `out`; on error `out` is left as it was.
    pub fn build_into(&self, args: &[ArgValue], out: &mut String) -> Result<(), KeyError> {
        self.build_with(args, &self.serializer, out)
    }

    /// Like [`KeyBuilder::build_into`] with another serializer (a custom one).
    pub fn build_with<S: Serializer + ?Sized>(
        &self,
        args: &[ArgValue],
        serializer: &S,
        out: &mut String,
    ) -> Result<(), KeyError> {
        let start = out.len();
        let result = self.canonical_into(args, out);
        if let Err(error) = result {
            out.truncate(start);
            return Err(error);
        }
        if serializer.keeps_canonical() {
            return Ok(());
        }
        // The canonical text sits at out[start..]; replace it with its serialized form. (No
        // `&out[..]` slicing: its panic path formats chars with Debug, which links Unicode tables
        // into every WebAssembly module that builds keys.)
        let canonical = out.split_off(start + self.prefix.len());
        serializer.serialize(&self.label, &canonical, out);
        Ok(())
    }

    /// The readable head of every key: `name` or `name@version`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The prefix every key starts with.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Appends `prefix` + `label(args…)`.
    fn canonical_into(&self, args: &[ArgValue], out: &mut String) -> Result<(), KeyError> {
        let budget = out.len().saturating_add(self.max_key_bytes);
        let too_long = KeyError::TooLong {
            max_bytes: self.max_key_bytes,
        };
        if self.prefix.len() + self.label.len() + 2 > self.max_key_bytes {
            return Err(too_long);
        }
        out.push_str(&self.prefix);
        out.push_str(&self.label);
        out.push('(');
        let undefined = ArgValue::Undefined;
        let mut write = |position: usize, argument: &ArgValue, first: bool| {
            if !first {
                if out.len() + 1 > budget {
                    return Err(too_long.clone());
                }
                out.push(',');
            }
            encode_argument(argument, position, out, budget).map_err(|error| match error {
                KeyError::TooLong { .. } => too_long.clone(),
                other => other,
            })
        };
        match &self.positions {
            None => {
                for (position, argument) in args.iter().enumerate() {
                    write(position, argument, position == 0)?;
                }
            }
            Some(positions) => {
                for (nth, &position) in positions.iter().enumerate() {
                    write(position, args.get(position).unwrap_or(&undefined), nth == 0)?;
                }
            }
        }
        if out.len() + 1 > budget {
            return Err(too_long);
        }
        out.push(')');
        Ok(())
    }
}

/// The key of one call: `KeyBuilder::new(name, options)?.build(args)`.
pub fn build_key(name: &str, args: &[ArgValue], options: &KeyOptions) -> Result<String, KeyError> {
    KeyBuilder::new(name, options)?.build(args)
}

fn check_label_part(part: &'static str, text: &str) -> Result<(), KeyError> {
    match text
        .chars()
        .find(|&c| matches!(c, '(' | ')' | '@') || c.is_control())
    {
        Some(character) => Err(KeyError::InvalidName { part, character }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn keys_have_prefix_label_and_args() {
        let options = KeyOptions::default().prefix("app:").version("2");
        let key = build_key("users.get", &[1.into(), "a".into()], &options).unwrap();
        assert_eq!(key, "app:users.get@2(1,\"a\")");
    }

    #[test]
    fn selection_picks_sorted_positions_and_fills_undefined() {
        let options = KeyOptions::default().cache_with(vec![2, 0]);
        let key = build_key("f", &[1.into(), "db-handle".into()], &options).unwrap();
        assert_eq!(key, "f(1,undefined)");
        let repeated = KeyOptions::default().cache_with(vec![1, 1]);
        assert_eq!(
            KeyBuilder::new("f", &repeated),
            Err(KeyError::DuplicateSelection { position: 1 })
        );
    }

    #[test]
    fn check_gives_the_verdict_of_new() {
        let cases = [
            ("f", KeyOptions::default()),
            ("", KeyOptions::default()),
            ("f@", KeyOptions::default()),
            ("f", KeyOptions::default().prefix("a(")),
            ("f(", KeyOptions::default().prefix("a(")),
            ("f", KeyOptions::default().version("")),
            ("f", KeyOptions::default().version("1 2")),
            ("f", KeyOptions::default().version("1.2_a-B")),
            ("f", KeyOptions::default().cache_with(vec![2, 0, 1])),
            // Several repeats: the smallest position repeated is the one reported.
            ("f", KeyOptions::default().cache_with(vec![3, 1, 3, 1])),
            ("f", KeyOptions::default().cache_with(vec![5, 4, 4, 5, 0])),
            ("f\u{7}", KeyOptions::default().version("?")),
        ];
        for (name, options) in cases {
            assert_eq!(
                KeyBuilder::check(name, &options),
                KeyBuilder::new(name, &options).map(drop),
                "{name:?} {options:?}"
            );
        }
        for (positions, repeated) in [(vec![3, 1, 3, 1], 1), (vec![5, 4, 4, 5, 0], 4)] {
            assert_eq!(
                KeyBuilder::check("f", &KeyOptions::default().cache_with(positions)),
                Err(KeyError::DuplicateSelection { position: repeated })
            );
        }
    }

    #[test]
    fn invalid_parts_are_rejected() {
        let options = KeyOptions::default();
        assert_eq!(KeyBuilder::new("", &options), Err(KeyError::EmptyName));
        assert_eq!(
            KeyBuilder::new("f(", &options),
            Err(KeyError::InvalidName {
                part: "name",
                character: '('
            })
        );
        assert_eq!(
            KeyBuilder::new("f", &KeyOptions::default().prefix("a@")),
            Err(KeyError::InvalidName {
                part: "prefix",
                character: '@'
            })
        );
        assert_eq!(
            KeyBuilder::new("f", &KeyOptions::default().version("1 2")),
            Err(KeyError::InvalidVersion)
        );
    }

    #[test]
    fn errors_leave_the_buffer_untouched_and_limits_hold() {
        let builder = KeyBuilder::new("f", &KeyOptions::default().max_key_bytes(16)).unwrap();
        let mut out = String::from("keep");
        assert_eq!(
            builder.build_into(&["0123456789abcdef".into()], &mut out),
            Err(KeyError::TooLong { max_bytes: 16 })
        );
        assert_eq!(out, "keep");
        builder.build_into(&["abc".into()], &mut out).unwrap();
        assert_eq!(out, "keepf(\"abc\")");
    }

    #[test]
    fn hashed_keys_keep_prefix_and_label() {
        let options = KeyOptions::default()
            .prefix("p:")
            .serializer(StandardSerializer::Md5);
        let key = build_key("f", &[], &options).unwrap();
        // md5("f()")
        assert_eq!(key.len(), "p:f:".len() + 32);
        assert!(key.starts_with("p:f:"));
    }
}
