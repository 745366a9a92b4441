//! Features of a message for the intent classifier: analysed words (stop words kept: "wo",
//! "du", "nicht" carry intent), word pairs, and character n-grams of the normalised words
//! (robust to typos and endings), hashed into a fixed-size sparse vector.

use tantivy::tokenizer::TextAnalyzer;

use crate::text::{self, Fnv, normalize_word};

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
    /// The dimension of one analysed word's own feature (`"w"`), as [`Featurizer::features`]
    /// hashes it.
    ///
    /// ```
    /// use sophia::nlu::features::Featurizer;
    /// let f = Featurizer::default();
    /// let dim = f.word_dimension("mensch");
    /// assert!(f.features("mensch").0.iter().any(|&(d, _)| d == dim));
    /// ```
    pub fn word_dimension(&self, word: &str) -> u32 {
        dimension(feature("w").text(word))
    }

    pub fn features(&self, message: &str) -> Features {
        let words = text::tokens(&mut self.analyzer.clone(), message);
        let mut raw: Vec<u32> = Vec::new();
        for word in &words {
            raw.push(dimension(feature("w").text(word)));
        }
        for pair in words.windows(2) {
            let pair = feature("b").text(&pair[0]).text(" ").text(&pair[1]);
            raw.push(dimension(pair));
        }
        if words.is_empty() {
            raw.push(dimension(feature("e")));
        }
        let mut chars: Vec<char> = Vec::new();
        for (_, word) in text::words(message) {
            chars.clear();
            chars.push('^');
            chars.extend(normalize_word(word).chars());
            chars.push('$');
            for n in NGRAMS {
                for gram in chars.windows(n) {
                    let mut hash = feature("c");
                    for &c in gram {
                        hash = hash.text(c.encode_utf8(&mut [0; 4]));
                    }
                    raw.push(dimension(hash));
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

/// The hash of a feature of kind `kind` ("w" word, "b" word pair, "c" character n-gram,
/// "e" empty message) before its text: FNV-1a of the kind and a zero byte. The text follows
/// in pieces, so no feature needs a string of its own.
fn feature(kind: &str) -> Fnv {
    Fnv::new().text(kind).byte(0)
}

/// A feature's hash folded into [`DIMENSIONS`].
fn dimension(hash: Fnv) -> u32 {
    (hash.finish() % DIMENSIONS as u64) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dimensions the model was trained with stay where they were: FNV-1a of kind,
    /// zero byte and text, however the text is handed over.
    #[test]
    fn hashing_in_pieces_is_hashing_the_whole() {
        assert_eq!(
            dimension(feature("b").text("pass").text(" ").text("neu")),
            dimension(feature("b").text("pass neu"))
        );
        // FNV-1a (64 bits) of the bytes "c", 0, "abc", modulo 2^18, computed with Python.
        assert_eq!(dimension(feature("c").text("abc")), 78_818);
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
