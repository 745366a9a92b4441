//! What a catalogue index derives from the catalogue's texts besides the tantivy index: the
//! compound dictionary, the analysed service names, their qualifying words and the
//! near-duplicate variants. Derived once (the costly pass over every service text) and
//! either used at once (RAM index) or stored beside a built index and read back.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::{TextAnalyzer, TokenizerManager};

use super::variants::Variants;
use crate::content::{Catalog, TextsError};
use crate::text::{self, Dictionary};

/// The name under which our German analyzer is registered with tantivy.
pub(crate) const SOPHIA_TOKENIZER: &str = "sophia_de";
/// tantivy's default tokenizer (simple tokenizer, lower-casing): the plain-BM25 baseline.
pub(crate) const DEFAULT_TOKENIZER: &str = "default";

/// A step of building an index, reported with the services done so far and in all.
///
/// ```
/// use sophia::search::BuildStep;
/// assert_ne!(BuildStep::Analysing, BuildStep::Indexing);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildStep {
    /// Counting the words of every service (the compound dictionary, name weights).
    Analysing,
    /// Adding every service to the tantivy index.
    Indexing,
}

/// Told of the progress of a build: the step, services done, services in all.
///
/// ```
/// use sophia::search::{BuildStep, Progress};
/// let mut last = (BuildStep::Analysing, 0, 0);
/// let progress: Progress<'_> = &mut |step, done, total| last = (step, done, total);
/// progress(BuildStep::Indexing, 5, 10);
/// assert_eq!(last, (BuildStep::Indexing, 5, 10));
/// ```
pub type Progress<'a> = &'a mut dyn FnMut(BuildStep, u64, u64);

/// Progress is reported every this many services.
const PROGRESS_EVERY: u64 = 256;

/// The derived per-service data of one catalogue (see the module documentation).
#[derive(Debug, Clone)]
pub(crate) struct Lexicon {
    /// The compound dictionary (German analysis only).
    pub dictionary: Option<Arc<Dictionary>>,
    /// Per service ordinal: the analysed words of its name (with compound parts).
    pub names: Vec<Vec<String>>,
    /// Per service ordinal: the words of its name without the ones common to many services.
    pub qualifiers: Vec<Vec<String>>,
    /// Per service ordinal: its near-duplicate variants.
    pub variants: Variants,
}

/// The stored form of a [`Lexicon`] without its dictionary (stored as an fst of its own).
#[derive(Serialize, Deserialize)]
pub(crate) struct StoredLexicon {
    pub names: Vec<Vec<String>>,
    pub qualifiers: Vec<Vec<String>>,
    pub variants: Variants,
}

impl Lexicon {
    /// Derives everything from the catalogue's texts; a text that cannot be read is an
    /// error.
    pub fn derive(
        catalog: &Catalog,
        german_analysis: bool,
        progress: Progress<'_>,
    ) -> Result<Lexicon, TextsError> {
        let counts = word_counts(catalog, progress)?;
        let variants = variants(catalog, &counts);
        let dictionary = german_analysis.then(|| Arc::new(Dictionary::from_words(counts.keys())));
        let mut analyzer = analyzer(dictionary.as_ref());
        let names: Vec<Vec<String>> = catalog
            .services()
            .iter()
            .map(|s| text::tokens(&mut analyzer, &s.name))
            .collect();
        // Words in a fifth of all services ("beantragen", "Termin") qualify nothing.
        let facing = citizen_facing(catalog);
        let qualifiers = names
            .iter()
            .map(|name| {
                name.iter()
                    .filter(|t| counts.get(*t).copied().unwrap_or(0) * 5 <= facing)
                    .cloned()
                    .collect()
            })
            .collect();
        Ok(Lexicon {
            dictionary,
            names,
            qualifiers,
            variants,
        })
    }

    /// The lexicon from its stored parts.
    pub fn from_stored(stored: StoredLexicon, dictionary: Option<Dictionary>) -> Lexicon {
        Lexicon {
            dictionary: dictionary.map(Arc::new),
            names: stored.names,
            qualifiers: stored.qualifiers,
            variants: stored.variants,
        }
    }

    /// The stored form, without the dictionary.
    pub fn to_stored(&self) -> StoredLexicon {
        StoredLexicon {
            names: self.names.clone(),
            qualifiers: self.qualifiers.clone(),
            variants: self.variants.clone(),
        }
    }

    /// The name of the tokenizer the index's text fields use.
    pub fn tokenizer_name(&self) -> &'static str {
        if self.dictionary.is_some() {
            SOPHIA_TOKENIZER
        } else {
            DEFAULT_TOKENIZER
        }
    }

    /// The analyzer of the index: our German analysis with this dictionary, or tantivy's
    /// default tokenizer for the baseline.
    pub fn analyzer(&self) -> TextAnalyzer {
        analyzer(self.dictionary.as_ref())
    }
}

fn analyzer(dictionary: Option<&Arc<Dictionary>>) -> TextAnalyzer {
    match dictionary {
        Some(dictionary) => text::retrieval_analyzer_with(Arc::clone(dictionary)),
        None => TokenizerManager::default()
            .get(DEFAULT_TOKENIZER)
            .expect("tantivy registers its default tokenizer"),
    }
}

/// Number of citizen-facing services.
pub(crate) fn citizen_facing(catalog: &Catalog) -> u64 {
    catalog
        .services()
        .iter()
        .filter(|s| s.citizen_facing)
        .count() as u64
}

/// How many citizen-facing services contain each analysed word (name, keywords,
/// description, fees): the compound-splitting dictionary and the weights of name words.
fn word_counts(
    catalog: &Catalog,
    progress: Progress<'_>,
) -> Result<HashMap<String, u64>, TextsError> {
    let mut analyzer = text::retrieval_analyzer();
    let mut counts: HashMap<String, u64> = HashMap::new();
    let total = citizen_facing(catalog);
    let mut done = 0;
    for service in catalog.services().iter().filter(|s| s.citizen_facing) {
        let long = catalog.texts(service)?;
        let texts = std::iter::once(service.name.as_str())
            .chain(service.keywords.iter().map(String::as_str))
            .chain(std::iter::once(long.description.text.as_str()))
            .chain(long.fees.iter().map(|f| f.text.as_str()));
        let mut words = HashSet::new();
        for t in texts {
            words.extend(text::tokens(&mut analyzer, t));
        }
        for word in words {
            *counts.entry(word).or_default() += 1;
        }
        done += 1;
        if done % PROGRESS_EVERY == 0 || done == total {
            progress(BuildStep::Analysing, done, total);
        }
    }
    Ok(counts)
}

/// The near-duplicate variants among the citizen-facing services, told apart by the whole
/// words of their names ("Altersrente" is not "Rente") weighted by rarity, or sharing the
/// head of their names in a small family ([`Variants::build_within`]).
fn variants(catalog: &Catalog, counts: &HashMap<String, u64>) -> Variants {
    let services = catalog.services();
    let facing = citizen_facing(catalog);
    let mut analyzer = text::retrieval_analyzer();
    let names: Vec<Vec<(String, f32)>> = services
        .iter()
        .map(|service| {
            text::tokens(&mut analyzer, &service.name)
                .into_iter()
                .map(|t| {
                    let weight =
                        super::catalog_index::idf(counts.get(&t).copied().unwrap_or(0), facing);
                    (t, weight)
                })
                .collect()
        })
        .collect();
    let eligible: Vec<bool> = services.iter().map(|s| s.citizen_facing).collect();
    // Services are variants only among those for the same regions: another authority's
    // copy of a service is no variant of it.
    let mut region_groups: HashMap<&[String], usize> = HashMap::new();
    let groups: Vec<usize> = services
        .iter()
        .map(|s| {
            let next = region_groups.len();
            *region_groups.entry(s.regions.as_slice()).or_insert(next)
        })
        .collect();
    let heads: Vec<Option<String>> = services
        .iter()
        .map(|s| Some(super::variants::name_head(&s.name)))
        .collect();
    Variants::build_within(&names, &eligible, &groups, &heads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_form_gives_back_the_same_lexicon() {
        let catalog = Catalog::shipped();
        let mut steps = Vec::new();
        let lexicon = Lexicon::derive(&catalog, true, &mut |step, done, total| {
            steps.push((step, done, total))
        })
        .unwrap();
        assert_eq!(steps.last().map(|s| s.1), steps.last().map(|s| s.2));
        let bytes = postcard::to_stdvec(&lexicon.to_stored()).unwrap();
        let dictionary = lexicon.dictionary.as_ref().unwrap().as_bytes().to_vec();
        let back = Lexicon::from_stored(
            postcard::from_bytes(&bytes).unwrap(),
            Some(Dictionary::from_bytes(dictionary).unwrap()),
        );
        assert_eq!(back.names, lexicon.names);
        assert_eq!(back.qualifiers, lexicon.qualifiers);
        let reisepass = catalog.ordinal("1063453").unwrap();
        assert_eq!(back.variants.of(reisepass), lexicon.variants.of(reisepass));
        assert_eq!(back.tokenizer_name(), SOPHIA_TOKENIZER);
        assert_eq!(
            back.dictionary.unwrap().len(),
            lexicon.dictionary.unwrap().len()
        );
    }

    #[test]
    fn a_small_family_sharing_a_name_head_are_variants_a_large_one_not() {
        let catalog = Catalog::shipped();
        let lexicon = Lexicon::derive(&catalog, false, &mut |_, _, _| {}).unwrap();
        let ordinal = |id: &str| catalog.ordinal(id).unwrap();
        // "Notfall-Hilfe Aufenthaltstitel – Studierende, …" and "– Beschäftigte, Angehörige":
        // their qualifiers weigh more than the shared words, the head makes them variants.
        let students = ordinal("10339027");
        let employed = ordinal("10339028");
        assert!(lexicon.variants.of(students).contains(&employed));
        assert!(lexicon.variants.of(employed).contains(&students));
        // Some 25 "Aufenthaltserlaubnis – …" are distinct services, one per purpose of
        // stay: Au-pair is no variant of school attendance.
        let au_pair = catalog
            .services()
            .iter()
            .position(|s| s.name == "Aufenthaltserlaubnis – Au-pair")
            .unwrap();
        let school = ordinal("10374591");
        assert!(!lexicon.variants.of(au_pair).contains(&school));
    }

    #[test]
    fn the_baseline_has_no_dictionary() {
        let lexicon = Lexicon::derive(&Catalog::shipped(), false, &mut |_, _, _| {}).unwrap();
        assert!(lexicon.dictionary.is_none());
        assert_eq!(lexicon.tokenizer_name(), DEFAULT_TOKENIZER);
    }
}
