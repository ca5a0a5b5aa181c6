//! Serializers: how a key's canonical text becomes the key that is stored.

use alloc::string::String;
use md5::Digest as _;

use crate::error::KeyError;

/// Turns a canonical key into the stored key.
///
/// `label` is the readable head of the key (`name` or `name@version`) and `canonical` the
/// whole canonical text (`label(args…)`); implementations append the stored key to `out`.
/// A serializer must be deterministic and should be injective (collision-resistant for
/// digests), or distinct calls would share a cache entry.
pub trait Serializer {
    /// Appends the stored form of `canonical` to `out`.
    fn serialize(&self, label: &str, canonical: &str, out: &mut String);

    /// Whether the stored form is the canonical text itself, so a builder can leave the key
    /// as it built it instead of handing it over (a copy per key). Default: false.
    fn keeps_canonical(&self) -> bool {
        false
    }
}

/// The canonical text itself: readable, and injective by construction. The default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Repr;

/// `label:` + the 32 hex digits of the MD5 digest of the canonical text.
///
/// Short and compatible with keys other tools build, but MD5 has practical chosen-prefix
/// collisions: if callers control the arguments, two of their calls can be made to share a
/// key. Prefer [`Sha256`] for keys built from untrusted input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Md5;

/// `label:` + the 64 hex digits of the SHA-256 digest of the canonical text: the safe
/// default for hashed keys shared across processes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sha256;

/// The built-in serializers, chosen at run time by name (`"repr"`, `"md5"`, `"sha256"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StandardSerializer {
    /// [`Repr`].
    #[default]
    Repr,
    /// [`Md5`].
    Md5,
    /// [`Sha256`].
    Sha256,
}

impl StandardSerializer {
    /// The serializer called `name`: `"repr"`, `"md5"` or `"sha256"`.
    pub fn from_name(name: &str) -> Result<Self, KeyError> {
        match name {
            "repr" => Ok(Self::Repr),
            "md5" => Ok(Self::Md5),
            "sha256" => Ok(Self::Sha256),
            _ => Err(KeyError::UnknownSerializer),
        }
    }

    /// The serializer's name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Repr => "repr",
            Self::Md5 => "md5",
            Self::Sha256 => "sha256",
        }
    }
}

impl Serializer for Repr {
    fn serialize(&self, _label: &str, canonical: &str, out: &mut String) {
        out.push_str(canonical);
    }

    fn keeps_canonical(&self) -> bool {
        true
    }
}

impl Serializer for Md5 {
    fn serialize(&self, label: &str, canonical: &str, out: &mut String) {
        push_labelled_hex(label, &md5::Md5::digest(canonical.as_bytes()), out);
    }
}

impl Serializer for Sha256 {
    fn serialize(&self, label: &str, canonical: &str, out: &mut String) {
        push_labelled_hex(label, &sha2::Sha256::digest(canonical.as_bytes()), out);
    }
}

impl Serializer for StandardSerializer {
    fn serialize(&self, label: &str, canonical: &str, out: &mut String) {
        match self {
            Self::Repr => Repr.serialize(label, canonical, out),
            Self::Md5 => Md5.serialize(label, canonical, out),
            Self::Sha256 => Sha256.serialize(label, canonical, out),
        }
    }

    fn keeps_canonical(&self) -> bool {
        matches!(self, Self::Repr)
    }
}

fn push_labelled_hex(label: &str, digest: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(label.len() + 1 + 2 * digest.len());
    out.push_str(label);
    out.push(':');
    for &byte in digest {
        out.push(HEX[(byte >> 4) as usize] as char);
        out.push(HEX[(byte & 15) as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_known_values() {
        let mut out = String::new();
        Md5.serialize("f", "", &mut out);
        assert_eq!(out, "f:d41d8cd98f00b204e9800998ecf8427e");
        out.clear();
        Sha256.serialize("f", "abc", &mut out);
        assert_eq!(
            out,
            "f:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn names_round_trip() {
        for serializer in [
            StandardSerializer::Repr,
            StandardSerializer::Md5,
            StandardSerializer::Sha256,
        ] {
            assert_eq!(
                StandardSerializer::from_name(serializer.name()),
                Ok(serializer)
            );
        }
        assert_eq!(
            StandardSerializer::from_name("sha1"),
            Err(KeyError::UnknownSerializer)
        );
    }
}
