//! Error types. Every failure caused by user input is one of these, never a panic.

use core::fmt;

/// Any error cashier-core reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The cache or store was configured with an invalid value.
    Config(ConfigError),
    /// An argument or a key part cannot be turned into a key.
    Key(KeyError),
    /// A flight ticket was used out of protocol.
    Flight(FlightError),
    /// The allocator refused the memory an operation needed; nothing was changed.
    OutOfMemory(OutOfMemory),
}

/// The allocator refused memory (for a WebAssembly guest: its linear memory cannot grow).
/// Returned before anything changes, so the cache keeps serving what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory;

impl OutOfMemory {
    /// The message, as a constant: reporting it must not allocate.
    pub const MESSAGE: &'static str =
        "out of memory: the cache cannot grow; cached entries are still served";
}

/// An invalid configuration value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigError {
    /// `max_size` was 0: a cache must be able to hold at least one entry.
    ZeroMaxSize,
    /// `max_size` was larger than the store can index (`u32::MAX - 1` entries).
    MaxSizeTooLarge {
        /// The rejected value.
        max_size: u64,
    },
    /// A TTL of 0 ms was given; omit the TTL for entries that never expire.
    ZeroTtl,
}

/// Why a key could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The function name is empty.
    EmptyName,
    /// The function name (or prefix) contains a character the key grammar reserves.
    InvalidName {
        /// Which part: `"name"` or `"prefix"`.
        part: &'static str,
        /// The offending character.
        character: char,
    },
    /// The version is empty or has a character outside `[A-Za-z0-9._-]`.
    InvalidVersion,
    /// A BigInt was not a canonical decimal integer (`-?(0|[1-9][0-9]*)`, no `-0`).
    InvalidBigInt {
        /// Position of the top-level argument that holds it.
        argument: usize,
    },
    /// A date's time value was neither an integer in the ECMAScript range nor NaN.
    InvalidDate {
        /// Position of the top-level argument that holds it.
        argument: usize,
    },
    /// Lists, objects, maps and sets nest deeper than [`crate::key::MAX_DEPTH`].
    TooDeep {
        /// Position of the top-level argument that holds it.
        argument: usize,
    },
    /// The key would be longer than the configured maximum.
    TooLong {
        /// The configured maximum, in bytes.
        max_bytes: usize,
    },
    /// A `cacheWith` selection names the same parameter twice.
    DuplicateSelection {
        /// The repeated parameter position.
        position: usize,
    },
    /// A value the encoding does not support (reported by bindings: functions, symbols, cycles...).
    Unsupported {
        /// Position of the top-level argument that holds it.
        argument: usize,
        /// What the value was.
        what: &'static str,
    },
    /// An unknown serializer name was given (known: `repr`, `md5`, `sha256`).
    UnknownSerializer,
}

/// Misuse of the flight protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlightError {
    /// The ticket no longer refers to a pending flight: it was already completed or failed, or
    /// the flight was invalidated by `delete`, `clear` or `bump_version`. Nothing was stored.
    StaleTicket,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(error) => error.fmt(f),
            Error::Key(error) => error.fmt(f),
            Error::Flight(error) => error.fmt(f),
            Error::OutOfMemory(error) => error.fmt(f),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::ZeroMaxSize => f.write_str("maxSize must be at least 1"),
            ConfigError::MaxSizeTooLarge { max_size } => {
                write!(
                    f,
                    "maxSize {max_size} is larger than the supported {}",
                    u32::MAX - 1
                )
            }
            ConfigError::ZeroTtl => f.write_str(
                "ttl must be at least 1 ms; leave the ttl out for entries that never expire",
            ),
        }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::EmptyName => f.write_str("the function name is empty; give a name"),
            KeyError::InvalidName { part, character } => {
                // A control character is shown by its code point (no Debug escaping: that would
                // pull Unicode tables into every WebAssembly module that reports this error).
                if character.is_control() {
                    write!(f, "the {part} contains U+{:04X}", *character as u32)?;
                } else {
                    write!(f, "the {part} contains '{character}'")?;
                }
                f.write_str(", which keys reserve (no '(', ')', '@' or control characters)")
            }
            KeyError::InvalidVersion => {
                f.write_str("the version must be non-empty and use only A-Z a-z 0-9 . _ -")
            }
            KeyError::InvalidBigInt { argument } => {
                write!(
                    f,
                    "argument {argument}: a BigInt must be a canonical decimal integer"
                )
            }
            KeyError::InvalidDate { argument } => write!(
                f,
                "argument {argument}: a date must be an integral time value within ±8.64e15 ms, or NaN"
            ),
            KeyError::TooDeep { argument } => write!(
                f,
                "argument {argument}: values nest deeper than {} levels",
                crate::key::MAX_DEPTH
            ),
            KeyError::TooLong { max_bytes } => {
                write!(f, "the key is longer than the maximum of {max_bytes} bytes")
            }
            KeyError::DuplicateSelection { position } => {
                write!(f, "cacheWith names parameter {position} twice")
            }
            KeyError::Unsupported { argument, what } => {
                write!(
                    f,
                    "argument {argument}: {what} cannot be part of a cache key"
                )
            }
            KeyError::UnknownSerializer => {
                f.write_str("unknown serializer; use \"repr\", \"md5\" or \"sha256\"")
            }
        }
    }
}

impl fmt::Display for FlightError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlightError::StaleTicket => f.write_str(
                "the ticket is stale: its flight was already completed or failed, or invalidated by delete, clear or a version bump",
            ),
        }
    }
}

impl fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl core::error::Error for Error {}
impl core::error::Error for OutOfMemory {}
impl core::error::Error for ConfigError {}
impl core::error::Error for KeyError {}
impl core::error::Error for FlightError {}

impl From<ConfigError> for Error {
    fn from(error: ConfigError) -> Self {
        Error::Config(error)
    }
}

impl From<KeyError> for Error {
    fn from(error: KeyError) -> Self {
        Error::Key(error)
    }
}

impl From<OutOfMemory> for Error {
    fn from(error: OutOfMemory) -> Self {
        Error::OutOfMemory(error)
    }
}

impl From<FlightError> for Error {
    fn from(error: FlightError) -> Self {
        Error::Flight(error)
    }
}
