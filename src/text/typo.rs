//! Query-time typo tolerance over the index vocabulary.
//!
//! [`Vocabulary`] is the set of terms the index holds (as the
//! [`retrieval_analyzer`](super::retrieval_analyzer) emits them: normalised and stemmed)
//! with their document frequencies, stored as an [`fst::Map`]. [`TypoCorrector`] finds the
//! vocabulary terms within a small edit distance of a query term with the Levenshtein
//! automata of the `levenshtein_automata` crate: the expensive parametric automata (one for
//! one edit, one for two) are built once in [`TypoCorrector::new`]; a query word only costs
//! one cheap DFA and one walk over the `fst`.
//!
//! # Rules
//!
//! - A term that is in the vocabulary is never corrected, neither are terms with digits.
//! - Allowed edits by the length of the term in characters: fewer than 5 → none,
//!   5 to 8 → one, 9 or more → two. A transposition of neighbours ("nug" for "ung") counts
//!   as one edit.
//! - Candidates shorter than [`MIN_CANDIDATE_CHARS`] characters or with digits are ignored.
//! - Results are sorted by distance, then by higher document frequency, then
//!   alphabetically; at most [`MAX_CORRECTIONS`].
//! - The score of a correction is multiplied with [`penalty`] of its distance.
//!
//! # Stemmed misspellings
//!
//! A misspelled word is stemmed like any other word, but the stemmer may strip a
//! different suffix from it ("gewerbeanmeldnug" keeps its garbled "nug", while
//! "gewerbeanmeldung" loses "ung"), which puts the stem out of reach. So
//! [`TypoCorrector::corrections_of_word`] also compares the *unstemmed* normalised word
//! with the inflected forms of the vocabulary terms (term + an inflection suffix the
//! stemmer removes, such as "gewerbeanmeld" + "ung") and maps a hit back through
//! [`stem_word`] into the vocabulary. Such a hit must also be within the edits allowed for
//! the length of the vocabulary term itself, so that a short stem plus a guessed ending
//! does not pass for a long word.
//!
//! # Example
//! ```rust
//! use sophia::text::{TypoCorrector, Vocabulary};
//!
//! let vocabulary = Vocabulary::from_counts([
//!     ("gewerbeanmeld".to_string(), 3),
//!     ("reisepass".to_string(), 7),
//! ]);
//! let corrector = TypoCorrector::new(vocabulary);
//! let found = corrector.corrections_of_word("Gewerbeanmeldnug");
//! assert_eq!(found[0].term, "gewerbeanmeld");
//! assert_eq!(found[0].distance, 1);
//! assert!(corrector.corrections_of_word("Reisepass").is_empty());
//! ```
use std::cmp::Reverse;
use std::fmt;
use std::sync::{Arc, LazyLock};

use fst::{Automaton, IntoStreamer, Map, MapBuilder, Streamer};
use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};
use quick_cache::sync::Cache;

use super::{is_stop_word, normalize_word, stem_word};

/// Terms shorter than this many characters are never corrected.
pub const MIN_ONE_EDIT_CHARS: usize = 5;
/// Terms of at least this many characters may be corrected with two edits.
pub const MIN_TWO_EDITS_CHARS: usize = 9;
/// Vocabulary terms shorter than this many characters are never offered as a correction.
pub const MIN_CANDIDATE_CHARS: usize = 4;
/// At most this many corrections are returned for one term.
pub const MAX_CORRECTIONS: usize = 3;

/// The edits allowed for a term of `chars` characters, see the [module rules](self).
///
/// # Example
/// ```rust
/// use sophia::text::typo::max_edits;
///
/// assert_eq!(max_edits(4), 0);
/// assert_eq!(max_edits(8), 1);
/// assert_eq!(max_edits(9), 2);
/// ```
pub fn max_edits(chars: usize) -> u8 {
    match chars {
        c if c >= MIN_TWO_EDITS_CHARS => 2,
        c if c >= MIN_ONE_EDIT_CHARS => 1,
        _ => 0,
    }
}

/// The factor the score of a match through a correction at `distance` edits is multiplied
/// with.
///
/// - 0 edits: 1.0 (not a correction).
/// - 1 edit: 0.6. A one-edit correction of a long word is almost always what the citizen
///   meant, but a word the citizen actually typed must still outrank it, so a document
///   matching the correction scores clearly below one matching the exact term, yet well
///   above documents matching nothing of that word.
/// - 2 edits: 0.35. Two edits are right most of the time for long compounds but also reach
///   neighbouring compounds, so they only decide when nothing better matches.
/// - more: 0.0 (never produced).
///
/// # Example
/// ```rust
/// use sophia::text::typo::penalty;
///
/// assert_eq!(penalty(0), 1.0);
/// assert!(penalty(1) > penalty(2));
/// assert_eq!(penalty(3), 0.0);
/// ```
pub fn penalty(distance: u8) -> f32 {
    match distance {
        0 => 1.0,
        1 => 0.6,
        2 => 0.35,
        _ => 0.0,
    }
}

/// The terms of the index (normalised and stemmed, as the
/// [`retrieval_analyzer`](super::retrieval_analyzer) emits them) with their document
/// frequencies, as an [`fst::Map`].
///
/// # Example
/// ```rust
/// use sophia::text::Vocabulary;
///
/// let vocabulary = Vocabulary::from_counts([
///     ("reisepass".to_string(), 2),
///     ("ausweis".to_string(), 5),
///     ("reisepass".to_string(), 1),
/// ]);
/// assert_eq!(vocabulary.len(), 2);
/// assert!(vocabulary.contains("ausweis"));
/// assert_eq!(vocabulary.doc_freq("reisepass"), Some(3));
/// assert_eq!(vocabulary.doc_freq("pass"), None);
///
/// let copy = Vocabulary::from_bytes(vocabulary.as_bytes().to_vec()).unwrap();
/// assert_eq!(copy.doc_freq("ausweis"), Some(5));
/// ```
#[derive(Clone)]
pub struct Vocabulary {
    map: Map<Vec<u8>>,
}

impl Vocabulary {
    /// Builds the vocabulary from `(term, document frequency)` pairs in any order;
    /// the frequencies of repeated terms are added up.
    pub fn from_counts(counts: impl IntoIterator<Item = (String, u64)>) -> Self {
        let mut counts: Vec<(String, u64)> = counts.into_iter().collect();
        counts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut builder = MapBuilder::memory();
        let mut pending: Option<(String, u64)> = None;
        for (term, freq) in counts {
            match &mut pending {
                Some((last, sum)) if *last == term => *sum = sum.saturating_add(freq),
                _ => {
                    if let Some((last, sum)) = pending.replace((term, freq)) {
                        builder.insert(last, sum).expect("sorted, distinct keys");
                    }
                }
            }
        }
        if let Some((last, sum)) = pending {
            builder.insert(last, sum).expect("sorted, distinct keys");
        }
        Self {
            map: builder.into_map(),
        }
    }

    /// Loads a vocabulary stored with [`as_bytes`](Self::as_bytes).
    ///
    /// # Errors
    /// When `bytes` is not a valid `fst` map.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, fst::Error> {
        Ok(Self {
            map: Map::new(bytes)?,
        })
    }

    /// The serialised `fst` map, for [`from_bytes`](Self::from_bytes).
    pub fn as_bytes(&self) -> &[u8] {
        self.map.as_fst().as_bytes()
    }

    /// Whether `term` is in the vocabulary.
    pub fn contains(&self, term: &str) -> bool {
        self.map.contains_key(term)
    }

    /// The document frequency of `term`, `None` when it is not in the vocabulary.
    pub fn doc_freq(&self, term: &str) -> Option<u64> {
        self.map.get(term)
    }

    /// The number of distinct terms.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the vocabulary has no terms.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The underlying `fst` map.
    pub fn as_map(&self) -> &Map<Vec<u8>> {
        &self.map
    }
}

impl fmt::Debug for Vocabulary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vocabulary")
            .field("terms", &self.len())
            .finish()
    }
}

/// A vocabulary term offered for a misspelled term, see [`TypoCorrector`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The vocabulary term (analysed form).
    pub term: String,
    /// Edits between the query and the term (1 or 2); a transposition counts as one.
    pub distance: u8,
    /// The document frequency of `term`.
    pub doc_freq: u64,
}

/// Finds vocabulary terms close to a misspelled query term.
///
/// Cheap to share (the vocabulary is behind an [`Arc`]); building one builds the two
/// parametric Levenshtein automata, which takes a few milliseconds, so build it once.
///
/// # Example
/// ```rust
/// use sophia::text::{TypoCorrector, Vocabulary};
///
/// let corrector = TypoCorrector::new(Vocabulary::from_counts([
///     ("fuhrerschein".to_string(), 12),
///     ("personalausweis".to_string(), 9),
/// ]));
/// let found = corrector.corrections("fuhrerchein");
/// assert_eq!(found.len(), 1);
/// assert_eq!((found[0].term.as_str(), found[0].distance), ("fuhrerschein", 1));
/// assert_eq!(found[0].doc_freq, 12);
/// // Known terms are never corrected.
/// assert!(corrector.corrections("fuhrerschein").is_empty());
/// ```
pub struct TypoCorrector {
    vocabulary: Arc<Vocabulary>,
    one_edit: LevenshteinAutomatonBuilder,
    two_edits: LevenshteinAutomatonBuilder,
    /// The corrections of words already looked up, by normalised word: citizens' messages
    /// repeat their words ("perso", "geklaut", "ummelden"), a walk over the vocabulary
    /// costs tens of microseconds, and the vocabulary never changes under a corrector.
    /// `None` when built to keep none.
    cache: Option<Cache<String, Arc<[Correction]>>>,
}

/// Words whose corrections a [`TypoCorrector`] keeps (about 1 MB).
pub const CACHED_WORDS: usize = 10_000;

impl fmt::Debug for TypoCorrector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypoCorrector")
            .field("vocabulary", &self.vocabulary)
            .finish_non_exhaustive()
    }
}

/// Endings the Snowball German stemmer removes (already normalised): a derivational
/// ending (step 3 of the algorithm, or none) followed by an inflectional one (steps 1
/// and 2, or none), and "erung", which [`stem_word`] takes off a verbal noun
/// ("Einbürgerung" → "einburg"). Whether the stemmer really removes it from a given word
/// is checked with [`stem_word`].
static SUFFIXES: LazyLock<Vec<String>> = LazyLock::new(|| {
    const DERIVATIONAL: &[&str] = &[
        "", "end", "ung", "igend", "igung", "ig", "ik", "isch", "lich", "erlich", "enlich", "heit",
        "erheit", "enheit", "keit", "lichkeit", "igkeit", "erung",
    ];
    // "se", "sen", "ses": the "nis" + "se" of "Zeugnisse", "Ergebnissen".
    const INFLECTIONAL: &[&str] = &[
        "", "e", "em", "en", "er", "ern", "es", "s", "est", "st", "se", "sen", "ses",
    ];
    DERIVATIONAL
        .iter()
        .flat_map(|d| INFLECTIONAL.iter().map(move |i| format!("{d}{i}")))
        .collect()
});

/// The longest of [`SUFFIXES`] in characters.
fn max_suffix_chars() -> usize {
    SUFFIXES.iter().map(String::len).max().unwrap_or(0)
}

/// [`SUFFIXES`] as a trie of bytes: walking it from the DFA state reached after a
/// vocabulary term tries every ending at once, sharing the common beginnings ("e", "en",
/// "ern") and leaving a branch as soon as the DFA can no longer match.
struct SuffixTrie {
    /// Node 0 is the root (the empty ending).
    nodes: Vec<SuffixNode>,
}

#[derive(Default)]
struct SuffixNode {
    /// The path from the root to this node is one of the endings.
    is_suffix: bool,
    children: Vec<(u8, usize)>,
}

impl SuffixTrie {
    fn new<'a>(suffixes: impl IntoIterator<Item = &'a str>) -> Self {
        let mut nodes = vec![SuffixNode::default()];
        for suffix in suffixes {
            let mut node = 0;
            for &byte in suffix.as_bytes() {
                node = match nodes[node].children.iter().find(|(b, _)| *b == byte) {
                    Some(&(_, child)) => child,
                    None => {
                        nodes.push(SuffixNode::default());
                        let child = nodes.len() - 1;
                        nodes[node].children.push((byte, child));
                        child
                    }
                };
            }
            nodes[node].is_suffix = true;
        }
        SuffixTrie { nodes }
    }

    /// Calls `visit(ending, state)` for every ending after which `dfa`, started in `state`,
    /// is not dead: `state` is then the DFA's state after the ending.
    fn walk(&self, dfa: &DFA, state: u32, visit: &mut impl FnMut(&str, u32)) {
        let mut path = String::new();
        self.walk_from(0, dfa, state, &mut path, visit);
    }

    fn walk_from(
        &self,
        node: usize,
        dfa: &DFA,
        state: u32,
        path: &mut String,
        visit: &mut impl FnMut(&str, u32),
    ) {
        if self.nodes[node].is_suffix {
            visit(path, state);
        }
        for &(byte, child) in &self.nodes[node].children {
            let next = dfa.transition(state, byte);
            if next == SINK_STATE {
                continue;
            }
            // The endings are ASCII, so every byte is a whole character.
            path.push(char::from(byte));
            self.walk_from(child, dfa, next, path, visit);
            path.pop();
        }
    }
}

static SUFFIX_TRIE: LazyLock<SuffixTrie> =
    LazyLock::new(|| SuffixTrie::new(SUFFIXES.iter().map(String::as_str)));

/// Walks the vocabulary with a Levenshtein DFA of a whole (unstemmed) word and accepts
/// every term that could still be completed to a match (the DFA is not dead after it)
/// and is long enough that one of [`SUFFIXES`] can complete it. The exact check with the
/// suffixes happens on the few terms it finds.
struct StemPrefix<'a> {
    dfa: &'a DFA,
    min_bytes: usize,
}

impl Automaton for StemPrefix<'_> {
    /// DFA state and bytes consumed.
    type State = (u32, usize);

    fn start(&self) -> Self::State {
        (self.dfa.initial_state(), 0)
    }

    fn is_match(&self, &(state, depth): &Self::State) -> bool {
        state != SINK_STATE && depth >= self.min_bytes
    }

    fn can_match(&self, &(state, _): &Self::State) -> bool {
        state != SINK_STATE
    }

    fn accept(&self, &(state, depth): &Self::State, byte: u8) -> Self::State {
        (self.dfa.transition(state, byte), depth + 1)
    }
}

fn has_digit(term: &str) -> bool {
    term.chars().any(|c| c.is_numeric())
}

/// The exact distance if within the DFA's limit.
fn exact(distance: Distance) -> Option<u8> {
    match distance {
        Distance::Exact(d) => Some(d),
        Distance::AtLeast(_) => None,
    }
}

impl TypoCorrector {
    /// Builds the corrector for `vocabulary`, including both parametric automata; it
    /// keeps the corrections of up to [`CACHED_WORDS`] words.
    pub fn new(vocabulary: impl Into<Arc<Vocabulary>>) -> Self {
        Self::with_cache(vocabulary, CACHED_WORDS)
    }

    /// The same, keeping the corrections of up to `words` words (0: none, every word is
    /// looked up in the vocabulary each time, as the benches measure it).
    ///
    /// ```rust
    /// use sophia::text::{TypoCorrector, Vocabulary};
    ///
    /// let vocabulary = Vocabulary::from_counts([("reisepass".to_string(), 4)]);
    /// let cached = TypoCorrector::new(vocabulary.clone());
    /// let uncached = TypoCorrector::with_cache(vocabulary, 0);
    /// for _ in 0..2 {
    ///     assert_eq!(cached.corrections_of_word("Reisepas"), uncached.corrections_of_word("Reisepas"));
    /// }
    /// ```
    pub fn with_cache(vocabulary: impl Into<Arc<Vocabulary>>, words: usize) -> Self {
        Self {
            vocabulary: vocabulary.into(),
            one_edit: LevenshteinAutomatonBuilder::new(1, true),
            two_edits: LevenshteinAutomatonBuilder::new(2, true),
            cache: (words > 0).then(|| Cache::new(words)),
        }
    }

    /// The vocabulary corrections are taken from.
    pub fn vocabulary(&self) -> &Arc<Vocabulary> {
        &self.vocabulary
    }

    /// The DFA for `word`, `None` when `word` may not be corrected at all.
    fn dfa(&self, word: &str) -> Option<DFA> {
        if word.is_empty() || has_digit(word) {
            return None;
        }
        match max_edits(word.chars().count()) {
            0 => None,
            1 => Some(self.one_edit.build_dfa(word)),
            _ => Some(self.two_edits.build_dfa(word)),
        }
    }

    /// The closest of `candidates` (analysed terms, such as the synonym rules' words) to the
    /// analysed `term`, within the edits the [module rules](self) allow for it, with its
    /// distance; the first of equally close ones. For words the catalogue does not hold but
    /// the editors' synonyms do ("anwohnerparkausweiss").
    ///
    /// # Example
    /// ```rust
    /// use sophia::text::{TypoCorrector, Vocabulary};
    ///
    /// let corrector = TypoCorrector::new(Vocabulary::from_counts([]));
    /// let keys = ["anwohnerparkausweis", "perso"];
    /// assert_eq!(
    ///     corrector.closest("anwohnerparkausweiss", keys.into_iter()),
    ///     Some(("anwohnerparkausweis", 1))
    /// );
    /// assert_eq!(corrector.closest("pers", keys.into_iter()), None);
    /// ```
    pub fn closest<'c>(
        &self,
        term: &str,
        candidates: impl Iterator<Item = &'c str>,
    ) -> Option<(&'c str, u8)> {
        let dfa = self.dfa(term)?;
        let mut best: Option<(&'c str, u8)> = None;
        for candidate in candidates.filter(|c| Self::is_candidate(c) && *c != term) {
            if let Distance::Exact(d) = dfa.eval(candidate)
                && best.is_none_or(|(_, b)| d < b)
            {
                best = Some((candidate, d));
            }
        }
        best
    }

    /// Whether `term` may be offered as a correction.
    fn is_candidate(term: &str) -> bool {
        term.chars().count() >= MIN_CANDIDATE_CHARS && !has_digit(term)
    }

    /// Corrections of an *analysed* term (normalised and stemmed, as the
    /// [`retrieval_analyzer`](super::retrieval_analyzer) emits it), following the
    /// [module rules](self). Empty when the term is in the vocabulary.
    ///
    /// # Example
    /// ```rust
    /// use sophia::text::{TypoCorrector, Vocabulary};
    ///
    /// let corrector = TypoCorrector::new(Vocabulary::from_counts([
    ///     ("reisepass".to_string(), 4),
    ///     ("kennzeich".to_string(), 6),
    /// ]));
    /// assert_eq!(corrector.corrections("reisepas")[0].term, "reisepass");
    /// assert_eq!(corrector.corrections("kenzeichn")[0].distance, 2);
    /// // Words of fewer than five letters are never corrected.
    /// assert!(corrector.corrections("pas").is_empty());
    /// ```
    pub fn corrections(&self, term: &str) -> Vec<Correction> {
        if self.vocabulary.contains(term) {
            return Vec::new();
        }
        let mut found = match self.dfa(term) {
            Some(dfa) => self.analysed_hits(term, &dfa),
            None => Vec::new(),
        };
        finish(&mut found);
        found
    }

    /// Vocabulary terms within the allowed edits of the analysed `term`; `dfa` is
    /// [`dfa(term)`](Self::dfa).
    fn analysed_hits(&self, term: &str, dfa: &DFA) -> Vec<Correction> {
        let mut found = Vec::new();
        let mut stream = self.vocabulary.map.search(dfa).into_stream();
        while let Some((key, doc_freq)) = stream.next() {
            let Ok(candidate) = std::str::from_utf8(key) else {
                continue;
            };
            if candidate == term || !Self::is_candidate(candidate) {
                continue;
            }
            if let Some(distance) = exact(dfa.eval(key)) {
                found.push(Correction {
                    term: candidate.to_string(),
                    distance,
                    doc_freq,
                });
            }
        }
        found
    }

    /// Vocabulary terms `stem` such that some inflected form `stem + suffix` is within the
    /// allowed edits of the unstemmed, normalised `word` and stems back into the
    /// vocabulary; `dfa` is [`dfa(word)`](Self::dfa).
    ///
    /// The distance must also be allowed for the length of the vocabulary term itself, so
    /// that a short stem plus a guessed ending cannot pass for a long word ("fuhr" +
    /// "erheit" is two edits from "fuhrerchein", "meld" + "ung" one from "umeldung").
    fn unstemmed_hits(&self, word: &str, dfa: &DFA) -> Vec<Correction> {
        let max = max_edits(word.chars().count()) as usize;
        let automaton = StemPrefix {
            dfa,
            min_bytes: word
                .chars()
                .count()
                .saturating_sub(max + max_suffix_chars()),
        };
        let mut found = Vec::new();
        let mut surface = String::new();
        let mut stream = self
            .vocabulary
            .map
            .search_with_state(automaton)
            .into_stream();
        while let Some((key, _, (after_prefix, _))) = stream.next() {
            let Ok(prefix) = std::str::from_utf8(key) else {
                continue;
            };
            SUFFIX_TRIE.walk(dfa, after_prefix, &mut |suffix, state| {
                let Some(distance) = exact(dfa.distance(state)) else {
                    return;
                };
                if distance == 0 {
                    // The word itself is an inflected form of a known term: not a typo.
                    return;
                }
                surface.clear();
                surface.push_str(prefix);
                surface.push_str(suffix);
                let term = stem_word(&surface);
                if !Self::is_candidate(&term) || distance > max_edits(term.chars().count()) {
                    return;
                }
                if let Some(doc_freq) = self.vocabulary.doc_freq(&term) {
                    found.push(Correction {
                        term,
                        distance,
                        doc_freq,
                    });
                }
            });
        }
        found
    }

    /// Corrections of a word as the citizen typed it: tries both the analysed form
    /// (normalised and stemmed) and the normalised but unstemmed form, see the
    /// [module documentation](self#stemmed-misspellings). Empty when the analysed form is in
    /// the vocabulary, for stop words and for words with digits.
    ///
    /// # Example
    /// ```rust
    /// use sophia::text::{TypoCorrector, Vocabulary};
    ///
    /// let corrector = TypoCorrector::new(Vocabulary::from_counts([
    ///     ("beantrag".to_string(), 40),
    ///     ("wohnsitzanmeld".to_string(), 2),
    /// ]));
    /// assert_eq!(corrector.corrections_of_word("beantargen")[0].term, "beantrag");
    /// let found = corrector.corrections_of_word("Wohnsitzanmeldng");
    /// assert_eq!((found[0].term.as_str(), found[0].distance), ("wohnsitzanmeld", 1));
    /// assert!(corrector.corrections_of_word("beantragen").is_empty());
    /// ```
    pub fn corrections_of_word(&self, raw_word: &str) -> Vec<Correction> {
        let normalized = normalize_word(raw_word);
        if normalized.is_empty() || has_digit(&normalized) || is_stop_word(&normalized) {
            return Vec::new();
        }
        let Some(cache) = &self.cache else {
            return self.corrections_of_normalized(&normalized);
        };
        if let Some(found) = cache.get(&normalized) {
            return found.to_vec();
        }
        let found = self.corrections_of_normalized(&normalized);
        cache.insert(normalized, found.as_slice().into());
        found
    }

    /// [`corrections_of_word`](Self::corrections_of_word) of a normalised word that is no
    /// stop word and has no digit, looked up in the vocabulary.
    fn corrections_of_normalized(&self, normalized: &str) -> Vec<Correction> {
        let analysed = stem_word(normalized);
        if self.vocabulary.contains(&analysed) {
            return Vec::new();
        }
        let Some(dfa) = self.dfa(normalized) else {
            // The analysed form is never longer, so it may not be corrected either.
            return Vec::new();
        };
        let mut found = self.unstemmed_hits(normalized, &dfa);
        if analysed == normalized {
            found.extend(self.analysed_hits(&analysed, &dfa));
        } else if let Some(analysed_dfa) = self.dfa(&analysed) {
            found.extend(self.analysed_hits(&analysed, &analysed_dfa));
        }
        found.retain(|c| c.term != analysed);
        finish(&mut found);
        found
    }
}

/// Sorts by distance, higher document frequency, term; keeps the closest of each term;
/// truncates to [`MAX_CORRECTIONS`].
fn finish(found: &mut Vec<Correction>) {
    found.sort_by(|a, b| {
        (a.distance, Reverse(a.doc_freq), &a.term).cmp(&(b.distance, Reverse(b.doc_freq), &b.term))
    });
    let mut seen = std::collections::HashSet::new();
    found.retain(|c| seen.insert(c.term.clone()));
    found.truncate(MAX_CORRECTIONS);
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::text::{retrieval_analyzer, tokens};

    /// Crude HTML to text: tags become spaces, a few entities are decoded.
    fn strip_tags(html: &str) -> String {
        let mut text = String::with_capacity(html.len());
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => {
                    in_tag = false;
                    text.push(' ');
                }
                _ if !in_tag => text.push(c),
                _ => {}
            }
        }
        text.replace("&nbsp;", " ")
            .replace("&amp;", "&")
            .replace("&quot;", "\"")
    }

    /// The vocabulary of the shipped Munich catalogue, built as production will: names,
    /// keywords and descriptions through the retrieval analyzer, document frequencies.
    fn munich_vocabulary() -> Vocabulary {
        let catalogue: serde_json::Value =
            serde_json::from_str(include_str!("../../index/muenchen/services_de.json")).unwrap();
        let mut analyzer = retrieval_analyzer();
        let mut doc_freq: HashMap<String, u64> = HashMap::new();
        for service in catalogue["data"].as_array().unwrap() {
            let name = service["name"].as_str().unwrap_or_default();
            let keywords = service["meta"]["keywords"].as_str().unwrap_or_default();
            let description = strip_tags(service["description"].as_str().unwrap_or_default());
            let mut terms = HashSet::new();
            for text in [name, keywords, &description] {
                terms.extend(tokens(&mut analyzer, text));
            }
            for term in terms {
                *doc_freq.entry(term).or_default() += 1;
            }
        }
        Vocabulary::from_counts(doc_freq)
    }

    static MUNICH: LazyLock<TypoCorrector> =
        LazyLock::new(|| TypoCorrector::new(munich_vocabulary()));

    /// Realistic citizen typos and the word they meant.
    const TYPOS: &[(&str, &str)] = &[
        ("Führerchein", "Führerschein"),
        ("fuehrerschien", "Führerschein"),
        ("Fürerschein", "Führerschein"),
        ("Persnalausweis", "Personalausweis"),
        ("Personalausweiss", "Personalausweis"),
        ("Perosnalausweis", "Personalausweis"),
        ("Reisepas", "Reisepass"),
        ("Riesepass", "Reisepass"),
        ("Meldebescheinigng", "Meldebescheinigung"),
        ("Meldebescheiningung", "Meldebescheinigung"),
        ("Aufenthaltstittel", "Aufenthaltstitel"),
        ("Aufenthaltstiel", "Aufenthaltstitel"),
        ("Kennzeichenn", "Kennzeichen"),
        ("Kenzeichen", "Kennzeichen"),
        ("beantargen", "beantragen"),
        ("beantragenn", "beantragen"),
        ("Fischereischien", "Fischereischein"),
        ("Jagdschien", "Jagdschein"),
        ("Wohnsitzanmeldng", "Wohnsitzanmeldung"),
        ("Gewerbeanmeldnug", "Gewerbeanmeldung"),
        ("Gewerbeanmledung", "Gewerbeanmeldung"),
        ("Zulassungstelle", "Zulassungsstelle"),
        ("Geburtsurkunte", "Geburtsurkunde"),
        ("Sterbeurkunfe", "Sterbeurkunde"),
        ("Eheschliesung", "Eheschließung"),
        ("Wohngled", "Wohngeld"),
        ("Abmeldnug", "Abmeldung"),
        ("Baugenemigung", "Baugenehmigung"),
        ("Parkausweiß", "Parkausweis"),
        ("Bewohnerparkausweiss", "Bewohnerparkausweis"),
        ("Staatsangehörigkiet", "Staatsangehörigkeit"),
        ("Einbürgerug", "Einbürgerung"),
        ("Einbürgerrung", "Einbürgerung"),
        ("Führungszeugniss", "Führungszeugnis"),
        ("Niederlasungserlaubnis", "Niederlassungserlaubnis"),
        ("Kirchenaustrit", "Kirchenaustritt"),
        ("Beglaubigunng", "Beglaubigung"),
        ("Verpflichtungserklärnug", "Verpflichtungserklärung"),
        ("Umschreibnug", "Umschreibung"),
        ("Waffenschien", "Waffenschein"),
        ("Fahrzeugpapiere", "Fahrzeugpapiere"),
    ];

    fn analysed(word: &str) -> String {
        stem_word(&normalize_word(word))
    }

    /// The trie walk finds exactly the endings, with their distances, that evaluating
    /// term + ending with the whole DFA finds.
    #[test]
    fn suffix_trie_walk_agrees_with_whole_evaluation() {
        let builder = LevenshteinAutomatonBuilder::new(2, true);
        for (word, prefix) in [
            ("gewerbeanmeldnug", "gewerbeanmeld"),
            ("staatsangehorigkiet", "staatsangehor"),
            ("zeugnisen", "zeugnis"),
            ("fuhrerchein", "fuhr"),
            ("wohnung", "xyz"),
        ] {
            let dfa = builder.build_dfa(word);
            let mut state = dfa.initial_state();
            for &byte in prefix.as_bytes() {
                state = dfa.transition(state, byte);
            }
            let mut walked = std::collections::BTreeSet::new();
            SUFFIX_TRIE.walk(&dfa, state, &mut |suffix, end| {
                if let Some(distance) = exact(dfa.distance(end)) {
                    assert!(
                        walked.insert((suffix.to_string(), distance)),
                        "{suffix} twice"
                    );
                }
            });
            let whole: std::collections::BTreeSet<(String, u8)> = SUFFIXES
                .iter()
                .filter_map(|suffix| {
                    exact(dfa.eval(format!("{prefix}{suffix}"))).map(|d| (suffix.clone(), d))
                })
                .collect();
            assert_eq!(walked, whole, "{word} from {prefix}");
        }
        // Every distinct ending is one node of the trie.
        let distinct: std::collections::HashSet<&String> = SUFFIXES.iter().collect();
        let ends = SUFFIX_TRIE.nodes.iter().filter(|n| n.is_suffix).count();
        assert_eq!(ends, distinct.len());
    }

    #[test]
    fn kept_corrections_are_the_ones_looked_up() {
        let cached = TypoCorrector::new(MUNICH.vocabulary().clone());
        let uncached = TypoCorrector::with_cache(MUNICH.vocabulary().clone(), 0);
        for _ in 0..2 {
            for &(typo, meant) in TYPOS {
                let expected = uncached.corrections_of_word(typo);
                assert_eq!(cached.corrections_of_word(typo), expected, "{typo}");
                // Another spelling of the same normalised word shares the entry.
                assert_eq!(cached.corrections_of_word(&typo.to_uppercase()), expected);
                assert_eq!(
                    cached.corrections_of_word(meant),
                    uncached.corrections_of_word(meant)
                );
            }
        }
    }

    #[test]
    fn munich_vocabulary_is_plausible() {
        let vocabulary = MUNICH.vocabulary();
        assert!(vocabulary.len() > 3000, "{}", vocabulary.len());
        assert!(vocabulary.doc_freq("beantrag").unwrap() > 50);
        assert!(vocabulary.contains("fuhrerschein"));
    }

    #[test]
    fn citizen_typos_are_corrected() {
        let mut failures = Vec::new();
        for &(typo, meant) in TYPOS {
            let expected = analysed(meant);
            assert!(
                MUNICH.vocabulary().contains(&expected),
                "{meant} not indexed"
            );
            if expected == analysed(typo) {
                continue; // a correct spelling in the list: see known_words_are_not_corrected
            }
            let found = MUNICH.corrections_of_word(typo);
            if found.first().map(|c| c.term.as_str()) != Some(expected.as_str()) {
                failures.push(format!("{typo} -> {found:?}, expected {expected}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    /// Only distance, frequency and alphabet rank: "umeldung" is stemmed to "umeld", one
    /// edit from both "ummeld" and the more frequent "meld".
    #[test]
    fn equal_distances_rank_by_frequency() {
        let terms: Vec<String> = MUNICH
            .corrections_of_word("Umeldung")
            .into_iter()
            .map(|c| c.term)
            .collect();
        assert!(terms.contains(&"ummeld".to_string()), "{terms:?}");
        assert_eq!(terms[0], "meld");
    }

    #[test]
    fn corrections_of_analysed_terms() {
        // The analysed form alone is enough for these.
        for (term, expected) in [
            ("fuhrerchein", "fuhrerschein"),
            ("persnalausweis", "personalausweis"),
            ("reisepas", "reisepass"),
            ("beantarg", "beantrag"),
            ("aufenthaltstittel", "aufenthaltstitel"),
        ] {
            let found = MUNICH.corrections(term);
            assert_eq!(found[0].term, expected, "{term}: {found:?}");
            assert_eq!(found[0].distance, 1);
            assert_eq!(
                Some(found[0].doc_freq),
                MUNICH.vocabulary().doc_freq(expected)
            );
        }
        // Its stem keeps the garbled ending, three edits from "gewerbeanmeld": only the
        // unstemmed form finds it.
        assert!(MUNICH.corrections("gewerbeanmeldnug").is_empty());
        assert_eq!(
            MUNICH.corrections_of_word("Gewerbeanmeldnug")[0].term,
            "gewerbeanmeld"
        );
    }

    #[test]
    fn known_words_are_not_corrected() {
        for word in [
            "Führerschein",
            "Reisepass",
            "Reisepässe",
            "beantragen",
            "Geburtsurkunde",
            "Anmeldung",
            "Kennzeichnung",
            "Fahrzeugpapiere",
            "Meldebescheinigung",
        ] {
            assert!(MUNICH.vocabulary().contains(&analysed(word)), "{word}");
            assert_eq!(MUNICH.corrections_of_word(word), [], "{word}");
        }
        for term in MUNICH
            .vocabulary()
            .as_map()
            .stream()
            .into_str_keys()
            .unwrap()
        {
            assert_eq!(MUNICH.corrections(&term), [], "{term}");
        }
    }

    #[test]
    fn short_words_are_not_corrected() {
        for word in ["Asly", "Rnte", "Txai", "Psas", "kfzz", "Amtt"] {
            assert!(normalize_word(word).chars().count() < MIN_ONE_EDIT_CHARS);
            assert!(!MUNICH.vocabulary().contains(&analysed(word)), "{word}");
            assert_eq!(MUNICH.corrections_of_word(word), [], "{word}");
            assert_eq!(MUNICH.corrections(&analysed(word)), [], "{word}");
        }
    }

    #[test]
    fn two_edits_need_nine_letters() {
        // Each is two edits from what was meant, but shorter than nine letters.
        for word in ["Reispas", "Jagdshin", "Wohnglt", "Asylantag"] {
            let chars = normalize_word(word).chars().count();
            if chars >= MIN_TWO_EDITS_CHARS {
                continue;
            }
            assert_eq!(MUNICH.corrections_of_word(word), [], "{word}");
        }
        // The same kind of error in a long word is corrected.
        assert_eq!(
            MUNICH.corrections_of_word("Persnalauswis")[0],
            Correction {
                term: "personalausweis".into(),
                distance: 2,
                doc_freq: MUNICH.vocabulary().doc_freq("personalausweis").unwrap(),
            }
        );
    }

    #[test]
    fn words_with_digits_and_stop_words_are_not_corrected() {
        for word in [
            "Reisepass2",
            "Personalausweis1",
            "2025er",
            "B2B",
            "welches",
            "zwischen",
        ] {
            assert_eq!(MUNICH.corrections_of_word(word), [], "{word}");
        }
        assert_eq!(MUNICH.corrections("reisepas2"), []);
    }

    #[test]
    fn never_the_input_and_always_well_formed() {
        let words = TYPOS.iter().map(|(typo, _)| *typo).chain([
            "Umeldung",
            "Anmledung",
            "Wohnung",
            "Bescheinigunen",
            "Ausweiss",
        ]);
        for word in words {
            let normalized = normalize_word(word);
            let stem = analysed(word);
            let found = MUNICH.corrections_of_word(word);
            assert!(found.len() <= MAX_CORRECTIONS, "{word}: {found:?}");
            let max = max_edits(normalized.chars().count()).max(max_edits(stem.chars().count()));
            for c in &found {
                assert_ne!(c.term, stem, "{word}");
                assert_ne!(c.term, normalized, "{word}");
                assert!(MUNICH.vocabulary().doc_freq(&c.term) == Some(c.doc_freq));
                assert!(c.term.chars().count() >= MIN_CANDIDATE_CHARS);
                assert!((1..=max).contains(&c.distance), "{word}: {c:?}");
            }
            let terms: HashSet<&str> = found.iter().map(|c| c.term.as_str()).collect();
            assert_eq!(terms.len(), found.len(), "duplicates for {word}");
            let key = |c: &Correction| (c.distance, Reverse(c.doc_freq), c.term.clone());
            assert!(found.windows(2).all(|w| key(&w[0]) < key(&w[1])), "{word}");
        }
    }

    #[test]
    fn ranking_prefers_distance_then_frequency_then_alphabet() {
        let corrector = TypoCorrector::new(Vocabulary::from_counts(
            [
                ("ausweis", 1),
                ("auswies", 9),
                ("ausreis", 5),
                ("auswels", 5),
                ("aussweis", 5),
                ("auweiss", 50),
            ]
            .map(|(t, f)| (t.to_string(), f)),
        ));
        assert_eq!(corrector.corrections("auswies"), []); // in the vocabulary
        // Eight letters allow one edit: "auweiss" and "ausweis" (one each, the more
        // frequent first); "aussweis" would need two, "ausreis" three.
        let found = corrector.corrections("ausweiss");
        let terms: Vec<&str> = found.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(terms, ["auweiss", "ausweis"]);
        assert!(found.iter().all(|c| c.distance == 1));
        let corrector = TypoCorrector::new(Vocabulary::from_counts(
            ["bbbbbx", "bbbbby", "bbbbbz", "bbbbbw"].map(|t| (t.to_string(), 3)),
        ));
        let terms: Vec<String> = corrector
            .corrections("bbbbbv")
            .into_iter()
            .map(|c| c.term)
            .collect();
        assert_eq!(terms, ["bbbbbw", "bbbbbx", "bbbbby"]);
    }

    #[test]
    fn vocabulary_sums_and_round_trips() {
        let vocabulary = Vocabulary::from_counts(
            [("b", 1), ("a", 2), ("b", 3), ("c", 0)].map(|(t, f)| (t.to_string(), f)),
        );
        assert_eq!(vocabulary.len(), 3);
        assert_eq!(vocabulary.doc_freq("b"), Some(4));
        assert_eq!(vocabulary.doc_freq("c"), Some(0));
        let copy = Vocabulary::from_bytes(vocabulary.as_bytes().to_vec()).unwrap();
        assert_eq!(copy.as_bytes(), vocabulary.as_bytes());
        assert_eq!(copy.doc_freq("a"), Some(2));
        assert!(Vocabulary::from_bytes(b"nonsense".to_vec()).is_err());
        assert!(Vocabulary::from_counts(Vec::new()).is_empty());
    }

    #[test]
    fn penalties_fall_with_distance() {
        assert_eq!(penalty(0), 1.0);
        assert!(penalty(1) < 1.0 && penalty(1) > penalty(2) && penalty(2) > 0.0);
        assert_eq!(penalty(3), 0.0);
    }
}
