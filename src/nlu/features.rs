//! Features of a message for the intent classifier: analysed words (stop words kept: "wo",
//! "du", "nicht" carry intent), word pairs, and character n-grams of the normalised words
//! (robust to typos and endings), hashed into a fixed-size sparse vector.

use tantivy::tokenizer::TextAnalyzer;

use crate::text::{self, normalize_word};

/// Number of hashed feature dimensions.
pub const DIMENSIONS: usize = 1 << 18;

/// Shortest and longest character n-gram.
const NGRAMS: std::ops::RangeInclusive<usize> = 3..=5;

/// A sparse, L2-normalised feature vector: (dimension, value) pairs, sorted by dimension,
/// each dimension once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Features(pub Vec<(u32, f32)>);

/// Turns messages into [`Features`].
#[derive(Clone)]
pub struct Featurizer {
    analyzer: TextAnalyzer,
}

impl Default for Featurizer {
    fn default() -> Self {
        Featurizer {
            analyzer: text::intent_analyzer(),
        }
    }
}

impl std::fmt::Debug for Featurizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Featurizer")
    }
}

impl Featurizer {
    /// The features of `message`.
    ///
    /// ```
    /// use sophia::nlu::features::Featurizer;
    /// let f = Featurizer::default();
    /// let a = f.features("Wie geht's dir?");
    /// let b = f.features("wie gehts dir");
    /// assert!(!a.0.is_empty());
    /// assert!(sophia::nlu::features::cosine(&a, &b) > 0.5);
    /// ```
    pub fn features(&self, message: &str) -> Features {
        let words = text::tokens(&mut self.analyzer.clone(), message);
        let mut raw: Vec<u32> = Vec::new();
        for word in &words {
            raw.push(Fnv::of("w").text(word).dimension());
        }
        for pair in words.windows(2) {
            raw.push(
                Fnv::of("b")
                    .text(&pair[0])
                    .text(" ")
                    .text(&pair[1])
                    .dimension(),
            );
        }
        if words.is_empty() {
            raw.push(Fnv::of("e").dimension());
        }
        let mut chars: Vec<char> = Vec::new();
        for (_, word) in text::words(message) {
            chars.clear();
            chars.push('^');
            chars.extend(normalize_word(word).chars());
            chars.push('$');
            for n in NGRAMS {
                for gram in chars.windows(n) {
                    let mut hash = Fnv::of("c");
                    for &c in gram {
                        hash = hash.text(c.encode_utf8(&mut [0; 4]));
                    }
                    raw.push(hash.dimension());
                }
            }
        }
        raw.sort_unstable();
        let mut counted: Vec<(u32, f32)> = Vec::new();
        for dim in raw {
            match counted.last_mut() {
                Some((d, v)) if *d == dim => *v += 1.0,
                _ => counted.push((dim, 1.0)),
            }
        }
        // Sub-linear counts, then unit length, so long messages don't dominate.
        for (_, v) in counted.iter_mut() {
            *v = 1.0 + v.ln();
        }
        let norm = counted.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, v) in counted.iter_mut() {
                *v /= norm;
            }
        }
        Features(counted)
    }
}

/// Cosine similarity of two feature vectors (both unit length).
pub fn cosine(a: &Features, b: &Features) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.0.len() && j < b.0.len() {
        match a.0[i].0.cmp(&b.0[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a.0[i].1 * b.0[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// FNV-1a over a kind prefix, a zero byte and the text (given in pieces, so no feature
/// needs a string of its own), folded into [`DIMENSIONS`].
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn of(kind: &str) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325).text(kind).byte(0)
    }

    fn byte(self, byte: u8) -> Fnv {
        Fnv((self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
    }

    fn text(self, text: &str) -> Fnv {
        text.bytes().fold(self, Fnv::byte)
    }

    fn dimension(self) -> u32 {
        (self.0 % DIMENSIONS as u64) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dimensions the model was trained with stay where they were: FNV-1a of kind,
    /// zero byte and text, however the text is handed over.
    #[test]
    fn hashing_in_pieces_is_hashing_the_whole() {
        assert_eq!(
            Fnv::of("b").text("pass").text(" ").text("neu").dimension(),
            Fnv::of("b").text("pass neu").dimension()
        );
        // FNV-1a (64 bits) of the bytes "c", 0, "abc", modulo 2^18, computed with Python.
        assert_eq!(Fnv::of("c").text("abc").dimension(), 78_818);
    }

    #[test]
    fn features_are_sorted_unique_and_unit_length() {
        let f = Featurizer::default().features("Hallo hallo, wer bist du? Wer?");
        assert!(f.0.windows(2).all(|w| w[0].0 < w[1].0));
        let norm: f32 = f.0.iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-4);
    }

    #[test]
    fn umlaut_spellings_and_typos_stay_close() {
        let f = Featurizer::default();
        let a = f.features("Führerschein verloren");
        assert!(cosine(&a, &f.features("fuehrerschein verloren")) > 0.9);
        assert!(cosine(&a, &f.features("führerschien verloren")) > 0.5);
        assert!(cosine(&a, &f.features("wie wird das wetter")) < 0.2);
    }

    #[test]
    fn empty_and_symbol_only_messages_have_features() {
        let f = Featurizer::default();
        assert!(!f.features("").0.is_empty());
        assert!(!f.features("?!").0.is_empty());
    }
}
