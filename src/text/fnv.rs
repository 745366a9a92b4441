//! FNV-1a, the 64-bit Fowler–Noll–Vo hash of bytes: tiny, fast, and the same on every
//! platform and Rust version, for values that must never move: the intent model's feature
//! dimensions and small talk's choice among its responses.
//!
//! ```
//! use sophia::text::Fnv;
//! assert_eq!(Fnv::new().text("a").finish(), 0xaf63_dc4c_8601_ec8c);
//! // Text handed over in pieces hashes like the whole.
//! assert_eq!(Fnv::new().text("foo").text("bar").finish(), Fnv::new().text("foobar").finish());
//! ```

/// The FNV-1a 64-bit offset basis.
const BASIS: u64 = 0xcbf2_9ce4_8422_2325;
/// The FNV-1a 64-bit prime.
const PRIME: u64 = 0x0100_0000_01b3;

/// An FNV-1a hash in progress; each step takes it by value and returns the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}

impl Fnv {
    /// The hash of nothing (the offset basis).
    pub const fn new() -> Fnv {
        Fnv(BASIS)
    }

    /// A hash whose basis is mixed with `seed`, so the same text hashes apart per seed.
    ///
    /// ```
    /// use sophia::text::Fnv;
    /// assert_eq!(Fnv::seeded(0), Fnv::new());
    /// assert_ne!(Fnv::seeded(1).text("hallo").finish(), Fnv::seeded(2).text("hallo").finish());
    /// ```
    pub const fn seeded(seed: u64) -> Fnv {
        Fnv(BASIS ^ seed)
    }

    /// Adds one byte.
    pub const fn byte(self, byte: u8) -> Fnv {
        Fnv((self.0 ^ byte as u64).wrapping_mul(PRIME))
    }

    /// Adds the bytes of `text`.
    pub fn text(self, text: &str) -> Fnv {
        text.bytes().fold(self, Fnv::byte)
    }

    /// The hash value.
    pub const fn finish(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Published FNV-1a 64 test vectors.
    #[test]
    fn reference_values() {
        assert_eq!(Fnv::new().finish(), 0xcbf2_9ce4_8422_2325);
        assert_eq!(Fnv::new().text("a").finish(), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(Fnv::new().text("foobar").finish(), 0x8594_4171_f739_67e8);
    }
}
