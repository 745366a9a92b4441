//! The tantivy index over the catalogue's citizen-facing services.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, TantivyDocument};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, DocSet, Index, IndexReader, ReloadPolicy, Searcher, Term};

use super::lexicon::{self, BuildStep, Lexicon, Progress};
use super::query::{AnalyzedQuery, QueryTerm, TermOrigin};
use super::schema::{FieldBoosts, Fields, NO_REGION, ServiceField};
use crate::content::{Catalog, RichText, Service, ServiceTexts, TextsError};
use crate::geo::{self, Scope, ScopeTerms};
use crate::text::{self, Synonyms, TypoCorrector, Vocabulary, typo};

/// Two words are tried as one compound written apart only when each has this many letters.
const MIN_JOINED_PART: usize = 3;
/// At most this many unknown words of one message are spelling-corrected: correction is
/// the costly step, and a question has few real typos (a flood of them is no question).
const MAX_CORRECTED_WORDS: usize = 4;
/// Score factor of a compound part relative to the whole word.
const PART_FACTOR: f32 = 0.7;
/// Score factor of a synonym relative to the word typed.
const SYNONYM_FACTOR: f32 = 0.9;
/// A message up to this many words long is a question; in a longer one, a citizen tells
/// a story ([`is_story`]), and each everyday word weighs less ([`everyday_share`]).
const QUESTION_WORDS: usize = 8;

/// True when `message` is longer than a question: a citizen telling a story around it.
///
/// ```
/// use sophia::search::is_story;
/// assert!(!is_story("Was kostet ein Reisepass?"));
/// assert!(is_story("Guten Tag, ich habe die Jägerprüfung bestanden und möchte einen Jagdschein"));
/// ```
pub fn is_story(message: &str) -> bool {
    text::words(message).count() > QUESTION_WORDS
}

/// The share of its weight an everyday word ([`text::is_common_word`]) keeps as typed in a
/// message of `words` words: all of it in a question of up to [`QUESTION_WORDS`] words,
/// less the longer the story around the topic. Words outside the everyday list (technical
/// terms, most service names) keep their weight. Everyday words that name services
/// ("Führerschein", "Umzug") weigh less too, as typed; their synonyms' alternatives and
/// compound parts keep their weight. The steps measured are in docs/QUALITY.md (ninth
/// session).
///
/// ```
/// use sophia::search::everyday_share;
/// assert_eq!(everyday_share(5), 1.0);
/// assert_eq!(everyday_share(8), 1.0);
/// assert_eq!(everyday_share(16), 0.5);
/// ```
pub fn everyday_share(words: usize) -> f32 {
    if words <= QUESTION_WORDS {
        1.0
    } else {
        QUESTION_WORDS as f32 / words as f32
    }
}

/// How to build the index.
///
/// ```
/// let options = sophia::search::IndexOptions::default();
/// assert!(options.german_analysis && options.global_idf);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IndexOptions {
    /// Field boosts.
    pub boosts: FieldBoosts,
    /// False builds the plain baseline: tantivy's default tokenizer instead of our German
    /// analysis, and no keywords shared among variants.
    pub german_analysis: bool,
    /// Weigh each term by its rarity across all fields of a service (true), or by its
    /// rarity within each field as plain BM25 does (false).
    pub global_idf: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            boosts: FieldBoosts::default(),
            german_analysis: true,
            global_idf: true,
        }
    }
}

impl IndexOptions {
    /// Plain BM25 over the same fields with tantivy's default tokenizer: the baseline every
    /// change is compared against.
    pub fn plain_bm25() -> Self {
        IndexOptions {
            boosts: FieldBoosts::PLAIN,
            german_analysis: false,
            global_idf: false,
        }
    }
}

/// One ranked service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Position of the service in [`Catalog::services`].
    pub ordinal: usize,
    /// The BM25 score with field boosts.
    pub score: f32,
    /// Which query terms the service contains, and in which fields.
    pub matched: Vec<(String, ServiceField)>,
    /// Sum of the weights of the query terms the service contains in any field, divided by
    /// the query's total weight: 1.0 when every word of the question is found.
    pub coverage: f32,
    /// Like `coverage`, counting only matches in the name or keywords.
    pub title_coverage: f32,
}

/// The analysed query and the ranked services.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SearchResult {
    /// The query as analysed.
    pub query: AnalyzedQuery,
    /// The best services first.
    pub hits: Vec<Hit>,
}

/// The searchable index of one catalogue.
pub struct CatalogIndex {
    reader: IndexReader,
    /// Names, qualifiers, variants and the compound dictionary.
    lexicon: Lexicon,

    /// Corrects unknown query words against the index vocabulary (German analysis only).
    corrector: Option<TypoCorrector>,
    fields: Fields,
    analyzer: TextAnalyzer,
    options: IndexOptions,
    doc_count: u64,
    /// Where each service is in the index, by its position in the catalogue.
    addresses: Vec<Option<DocAddress>>,
    /// The inverse: per segment, per document, the service's position in the catalogue
    /// ([`NO_ORDINAL`] for none). The reader never reloads, so the segments stay.
    ordinals: Vec<Vec<u32>>,
}

/// A document of [`CatalogIndex::ordinals`] without a service.
const NO_ORDINAL: u32 = u32::MAX;

impl std::fmt::Debug for CatalogIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogIndex")
            .field("doc_count", &self.doc_count)
            .field("options", &self.options)
            .finish()
    }
}

impl CatalogIndex {
    /// Indexes every citizen-facing service of `catalog` in RAM.
    ///
    /// ```
    /// use sophia::content::Catalog;
    /// use sophia::search::{CatalogIndex, IndexOptions};
    /// let catalog = Catalog::shipped();
    /// let index = CatalogIndex::build(&catalog, IndexOptions::default()).unwrap();
    /// let result = index.search("Reisepass beantragen", &Default::default(), 3);
    /// // Unscoped: the Hessen example copy, named "Reisepass beantragen", ranks first.
    /// assert!(catalog.service_at(result.hits[0].ordinal).unwrap().name.starts_with("Reisepass"));
    /// ```
    pub fn build(catalog: &Catalog, options: IndexOptions) -> tantivy::Result<CatalogIndex> {
        Self::create(catalog, options, None, &mut |_, _, _| {})
    }

    /// Indexes every citizen-facing service of `catalog`, in RAM or (with `dir`, an empty
    /// folder) on disk, telling `progress` how far it got.
    pub(crate) fn create(
        catalog: &Catalog,
        options: IndexOptions,
        dir: Option<&Path>,
        progress: Progress<'_>,
    ) -> tantivy::Result<CatalogIndex> {
        let unreadable = |e: TextsError| tantivy::TantivyError::InvalidArgument(e.to_string());
        let lexicon =
            Lexicon::derive(catalog, options.german_analysis, progress).map_err(unreadable)?;
        let fields = Fields::new(lexicon.tokenizer_name());
        let index = match dir {
            Some(dir) => Index::create_in_dir(dir, fields.schema.clone())?,
            None => Index::create_in_ram(fields.schema.clone()),
        };
        let analyzer = register(&index, &lexicon);
        let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
        let total = lexicon::citizen_facing(catalog);
        let mut done = 0;
        for (ordinal, service) in catalog.services().iter().enumerate() {
            if !service.citizen_facing {
                continue;
            }
            // Editors often key one variant of a service only; its variants share the
            // vocabulary, so a variant without keywords inherits theirs.
            let inherited: Vec<&String> = if service.keywords.is_empty() && options.german_analysis
            {
                lexicon
                    .variants
                    .of(ordinal)
                    .iter()
                    .filter_map(|&o| catalog.service_at(o))
                    .flat_map(|v| &v.keywords)
                    .collect()
            } else {
                Vec::new()
            };
            let texts = catalog.texts_at(ordinal).map_err(unreadable)?;
            writer.add_document(document(
                &fields,
                ordinal as u64,
                service,
                &texts,
                &inherited,
            ))?;
            done += 1;
            if done % 256 == 0 || done == total {
                progress(BuildStep::Indexing, done, total);
            }
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        Self::assemble(index, fields, analyzer, lexicon, options)
    }

    /// Opens an index written by [`CatalogIndex::create`] in `dir`, with its stored
    /// lexicon.
    pub(crate) fn open(
        dir: &Path,
        lexicon: Lexicon,
        options: IndexOptions,
    ) -> tantivy::Result<CatalogIndex> {
        let index = Index::open_in_dir(dir)?;
        let fields = Fields::new(lexicon.tokenizer_name());
        if index.schema() != fields.schema {
            return Err(tantivy::TantivyError::SchemaError(
                "the index's fields are not the ones this version of Sophia searches".to_string(),
            ));
        }
        let analyzer = register(&index, &lexicon);
        Self::assemble(index, fields, analyzer, lexicon, options)
    }

    /// What building and opening share: the reader and the spelling corrector over the
    /// written index.
    fn assemble(
        index: Index,
        fields: Fields,
        analyzer: TextAnalyzer,
        lexicon: Lexicon,
        options: IndexOptions,
    ) -> tantivy::Result<CatalogIndex> {
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let doc_count = searcher.num_docs();
        let corrector = options
            .german_analysis
            .then(|| vocabulary(&searcher, &fields))
            .transpose()?
            .map(TypoCorrector::new);
        let addresses = addresses(&searcher)?;
        let ordinals = ordinals(&searcher, &addresses);
        Ok(CatalogIndex {
            reader,
            lexicon,
            corrector,
            fields,
            analyzer,
            options,
            doc_count,
            addresses,
            ordinals,
        })
    }

    /// The spelling corrector over the index vocabulary (`None` without German analysis).
    pub fn corrector(&self) -> Option<&TypoCorrector> {
        self.corrector.as_ref()
    }

    /// The derived per-service data, for storing beside the index.
    pub(crate) fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// The options the index was built with.
    ///
    /// ```
    /// use sophia::search::{CatalogIndex, IndexOptions};
    /// let index = CatalogIndex::build(&sophia::content::Catalog::shipped(), IndexOptions::default()).unwrap();
    /// assert_eq!(index.options(), &IndexOptions::default());
    /// ```
    pub fn options(&self) -> &IndexOptions {
        &self.options
    }

    /// The analysed words of a service's name (with compound parts), by its position in the
    /// catalogue.
    pub fn name_terms(&self, ordinal: usize) -> &[String] {
        self.lexicon.names.get(ordinal).map_or(&[], Vec::as_slice)
    }

    /// The words of a service's name that tell it from others: [`CatalogIndex::name_terms`]
    /// without words found in a fifth of all services ("beantragen", "Termin").
    pub fn qualifier_terms(&self, ordinal: usize) -> &[String] {
        self.lexicon
            .qualifiers
            .get(ordinal)
            .map_or(&[], Vec::as_slice)
    }

    /// The analyzer the index was built with (German analysis with the catalogue's
    /// compound dictionary), for indexing text that must meet this index's terms.
    pub fn analyzer(&self) -> &TextAnalyzer {
        &self.analyzer
    }

    /// The near-duplicate variants of a service, by position in the catalogue.
    pub fn variants(&self, ordinal: usize) -> &[usize] {
        self.lexicon.variants.of(ordinal)
    }

    /// The fields of the service at `ordinal` that contain the analysed term `text`
    /// (empty when the service does not contain it or is not indexed).
    ///
    /// ```
    /// use sophia::content::Catalog;
    /// use sophia::search::{CatalogIndex, IndexOptions, ServiceField};
    /// let catalog = Catalog::shipped();
    /// let index = CatalogIndex::build(&catalog, IndexOptions::default()).unwrap();
    /// let pass = catalog.services().iter().position(|s| s.name == "Reisepass").unwrap();
    /// assert!(index.fields_containing(pass, "reisepass").contains(&ServiceField::Name));
    /// assert!(index.fields_containing(pass, "hundesteuer").is_empty());
    /// ```
    pub fn fields_containing(&self, ordinal: usize, text: &str) -> Vec<ServiceField> {
        let Some(address) = self.addresses.get(ordinal).copied().flatten() else {
            return Vec::new();
        };
        let searcher = self.reader.searcher();
        let segment = searcher.segment_reader(address.segment_ord);
        ServiceField::ALL
            .into_iter()
            .filter(|&field| {
                let Ok(inverted) = segment.inverted_index(self.fields.get(field)) else {
                    return false;
                };
                let term = Term::from_field_text(self.fields.get(field), text);
                match inverted.read_postings(&term, IndexRecordOption::Basic) {
                    Ok(Some(mut postings)) => contains(&mut postings, address.doc_id),
                    _ => false,
                }
            })
            .collect()
    }

    /// Number of services whose name or keywords contain the analysed term `text`
    /// (the larger of the two counts): how many services the word names.
    ///
    /// ```
    /// use sophia::search::{CatalogIndex, IndexOptions};
    /// let index = CatalogIndex::build(&sophia::content::Catalog::shipped(), IndexOptions::default()).unwrap();
    /// assert!(index.title_doc_freq("reisepass") > 0);
    /// assert_eq!(index.title_doc_freq("polizeiwache"), 0);
    /// ```
    pub fn title_doc_freq(&self, text: &str) -> u64 {
        let searcher = self.reader.searcher();
        [ServiceField::Name, ServiceField::Keywords]
            .into_iter()
            .map(|field| {
                let term = Term::from_field_text(self.fields.get(field), text);
                searcher.doc_freq(&term).unwrap_or(0)
            })
            .max()
            .unwrap_or(0)
    }

    /// Number of services in the index.
    pub fn len(&self) -> u64 {
        self.doc_count
    }

    /// True when the index holds no service.
    pub fn is_empty(&self) -> bool {
        self.doc_count == 0
    }

    /// Analyses `message` into weighted query terms: per word its analysed form, its
    /// compound parts and its synonyms.
    pub fn analyze(&self, message: &str, synonyms: &Synonyms) -> AnalyzedQuery {
        let searcher = self.reader.searcher();
        let mut analyzer = self.analyzer.clone();
        let mut seen = HashSet::new();
        let mut terms = Vec::new();
        let mut push = |text: String, word: usize, origin: TermOrigin, factor: f32| {
            if seen.insert(text.clone()) {
                let doc_freq = doc_freq(&searcher, &self.fields, &text);
                // A number the catalogue does not know (an age, a date) says nothing about
                // the topic; it must not count as a word the answer misses.
                if doc_freq == 0 && text.chars().all(|c| c.is_ascii_digit()) {
                    return;
                }
                // Whom or when the question is about ("für meinen Sohn", "gestern"), when
                // the catalogue does not know the word: like an unknown number, it says
                // nothing about the topic and weighs nothing. It stays a term for the
                // editors' questions ("meine Tochter wird 16 …").
                let weight = if doc_freq == 0
                    && origin == TermOrigin::Exact
                    && text::is_situation_word(&text)
                {
                    0.0
                } else {
                    idf(doc_freq, self.doc_count)
                };
                terms.push(QueryTerm {
                    weight,
                    text,
                    doc_freq,
                    word,
                    origin,
                    factor,
                });
            }
        };
        let mut corrected = 0;
        let raw_words: Vec<&str> = text::words(message).map(|(_, w)| w).collect();
        let mut exact_tokens: Vec<Option<String>> = Vec::new();
        for (word, &raw) in raw_words.iter().enumerate() {
            let mut tokens = text::tokens(&mut analyzer, raw);
            exact_tokens.push(tokens.first().cloned());
            // A situation word the catalogue does not know weighs nothing as a whole: its
            // parts ("Groß|mutter") and corrections must not weigh for it.
            let situation = tokens.first().is_some_and(|t| {
                text::is_situation_word(t) && doc_freq(&searcher, &self.fields, t) == 0
            });
            if situation {
                tokens.truncate(1);
            }
            for (i, token) in tokens.iter().enumerate() {
                let (origin, factor) = match i {
                    0 => (TermOrigin::Exact, 1.0),
                    i => (
                        TermOrigin::Part {
                            head: i == tokens.len() - 1,
                        },
                        PART_FACTOR,
                    ),
                };
                push(token.clone(), word, origin, factor);
            }
            let Some(exact) = tokens.first() else {
                continue;
            };
            for alternative in synonyms.alternatives(exact) {
                push(
                    alternative.clone(),
                    word,
                    TermOrigin::Synonym,
                    SYNONYM_FACTOR,
                );
            }
            if let Some(corrector) = &self.corrector
                && corrected < MAX_CORRECTED_WORDS
                && !corrector.vocabulary().contains(exact)
                && synonyms.alternatives(exact).is_empty()
                && !situation
                // A correctly spelt everyday word is about something else ("Paket" is no
                // misspelt "Rakete").
                && !text::is_common_word(&text::normalize_word(raw))
            {
                corrected += 1;
                let corrections = corrector.corrections_of_word(raw);
                // Nothing in the catalogue near it: maybe a word of the synonym rules,
                // misspelt ("anwohnerparkausweiss"), stands for catalogue words.
                if corrections.is_empty()
                    && let Some((key, distance)) = corrector.closest(exact, synonyms.words())
                {
                    for alternative in synonyms.alternatives(key) {
                        push(
                            alternative.clone(),
                            word,
                            TermOrigin::Synonym,
                            typo::penalty(distance) * SYNONYM_FACTOR,
                        );
                    }
                }
                for correction in corrections {
                    let origin = TermOrigin::Correction {
                        distance: correction.distance,
                    };
                    let factor = typo::penalty(correction.distance);
                    push(correction.term.clone(), word, origin, factor);
                    for alternative in synonyms.alternatives(&correction.term) {
                        push(
                            alternative.clone(),
                            word,
                            TermOrigin::Synonym,
                            factor * SYNONYM_FACTOR,
                        );
                    }
                }
            }
        }
        // A word joined from two (a compound written apart, a separable verb) counts when
        // the catalogue or the synonym rules know it; it is searched with its alternatives.
        let known = |joined: &str| {
            doc_freq(&searcher, &self.fields, joined) > 0
                || !synonyms.alternatives(joined).is_empty()
        };
        let mut push_joined = |joined: String, word: usize| {
            for alternative in synonyms.alternatives(&joined) {
                push(
                    alternative.clone(),
                    word,
                    TermOrigin::Synonym,
                    SYNONYM_FACTOR,
                );
            }
            push(joined, word, TermOrigin::Synonym, 1.0);
        };
        // A compound written apart ("Melde Bestätigung", "Führer Schein"): the joined word
        // stands beside the head word.
        for head in 1..raw_words.len() {
            let (Some(Some(_)), Some(Some(_))) =
                (exact_tokens.get(head - 1), exact_tokens.get(head))
            else {
                continue;
            };
            let (modifier, word) = (raw_words[head - 1], raw_words[head]);
            if modifier.chars().count() < MIN_JOINED_PART || word.chars().count() < MIN_JOINED_PART
            {
                continue;
            }
            let whole = text::stem_word(&text::normalize_word(&format!("{modifier}{word}")));
            if known(&whole) {
                push_joined(whole, head);
            }
        }
        // A separable verb split by the sentence ("hol … ab"): the joined verb ("trete …
        // aus" = "austreten" = "Austritt") stands for the verb word; the particle then says
        // nothing more.
        let mut joined_particles = HashSet::new();
        for (verb, particle) in text::separated_particles(message) {
            let Some(Some(stem)) = exact_tokens.get(verb) else {
                continue;
            };
            // "meldet … an": the stemmer keeps verb endings -t, -et, -st, -est.
            let joined = text::verb_stems(stem)
                .map(|verb| format!("{particle}{verb}"))
                .find(|joined| known(joined));
            if let Some(joined) = joined {
                push_joined(joined, verb);
                joined_particles.insert(particle);
            }
        }
        if !joined_particles.is_empty() {
            let particle_words: HashSet<usize> = raw_words
                .iter()
                .enumerate()
                .filter(|(_, w)| joined_particles.contains(&text::normalize_word(w)))
                .map(|(i, _)| i)
                .collect();
            terms.retain(|t| !(particle_words.contains(&t.word) && t.origin == TermOrigin::Exact));
        }
        // The longer the story, the less each everyday word of it says about the topic
        // ("Guten Tag, ich habe im Frühjahr die Jägerprüfung bestanden …").
        let share = everyday_share(raw_words.len());
        if share < 1.0 {
            for term in &mut terms {
                if term.origin == TermOrigin::Exact
                    && text::is_common_word(&text::normalize_word(raw_words[term.word]))
                {
                    term.weight *= share;
                }
            }
        }
        AnalyzedQuery { terms }
    }

    /// Searches `message` and returns up to `limit` services, best first.
    pub fn search(&self, message: &str, synonyms: &Synonyms, limit: usize) -> SearchResult {
        let query = self.analyze(message, synonyms);
        let hits = self.search_terms(&query, limit);
        SearchResult { query, hits }
    }

    /// Ranks services for already analysed query terms.
    pub fn search_terms(&self, query: &AnalyzedQuery, limit: usize) -> Vec<Hit> {
        self.search_scoped(query, &Scope::everywhere(), limit)
    }

    /// Ranks the services admitted by `scope` ([`Scope::admits`]) for analysed query terms:
    /// the scope restricts the search before ranking, so copies of a service for other
    /// regions never compete.
    ///
    /// ```
    /// use sophia::content::Catalog;
    /// use sophia::geo::Scope;
    /// use sophia::search::{CatalogIndex, IndexOptions};
    /// let munich = Catalog::shipped().with_regions(&["091620000000".to_string()]);
    /// let index = CatalogIndex::build(&munich, IndexOptions::default()).unwrap();
    /// let query = index.analyze("Reisepass", &Default::default());
    /// let landkreis = Scope::new([Some("091840000000")]); // Landkreis München
    /// assert!(!index.search_scoped(&query, &Scope::everywhere(), 3).is_empty());
    /// assert!(index.search_scoped(&query, &landkreis, 3).is_empty()); // no content there
    /// ```
    pub fn search_scoped(&self, query: &AnalyzedQuery, scope: &Scope, limit: usize) -> Vec<Hit> {
        let known: Vec<&QueryTerm> = query.terms.iter().filter(|t| !t.is_unknown()).collect();
        if known.is_empty() || limit == 0 {
            return Vec::new();
        }
        let searcher = self.reader.searcher();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term in &known {
            for field in ServiceField::ALL {
                let boost = self.options.boosts.of(field);
                if boost <= 0.0 {
                    continue;
                }
                let tantivy_term = Term::from_field_text(self.fields.get(field), &term.text);
                let field_doc_freq = searcher.doc_freq(&tantivy_term).unwrap_or(0);
                if field_doc_freq == 0 {
                    continue;
                }
                // tantivy weighs a term by its rarity in this field; a word common in
                // descriptions but rare in names ("neu", "beantragen") would then dominate
                // through the name. Re-weigh every field by the term's rarity in the whole
                // service instead.
                let boost = if self.options.global_idf {
                    let field_idf = idf(field_doc_freq, self.doc_count);
                    boost * term.factor * term.weight / field_idf.max(f32::EPSILON)
                } else {
                    boost * term.factor
                };
                let query = TermQuery::new(tantivy_term, IndexRecordOption::WithFreqs);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(query), boost)),
                ));
            }
        }
        let mut boolean: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
        if !scope.is_everywhere() {
            let mut scoped: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, boolean)];
            for terms in scope.filter_terms() {
                scoped.push((Occur::Must, self.scope_filter(&terms)));
            }
            boolean = Box::new(BooleanQuery::new(scoped));
        }
        let top = match searcher.search(&boolean, &TopDocs::with_limit(limit).order_by_score()) {
            Ok(top) => top,
            Err(error) => {
                tracing::error!(%error, "search failed");
                return Vec::new();
            }
        };
        let total = query.total_weight().max(f32::EPSILON);
        let words = query.words();
        let addresses: Vec<DocAddress> = top.iter().map(|&(_, address)| address).collect();
        let matched = self.matched_terms(&searcher, &addresses, &known);
        top.into_iter()
            .zip(matched)
            .filter_map(|((score, address), matched)| {
                let ordinal = self.ordinal(address)?;
                let weight_of = |title_only: bool| {
                    words
                        .iter()
                        .map(|&word| {
                            let found = |text: &str| {
                                matched.iter().any(|(m, f)| {
                                    m == text && (!title_only || *f != ServiceField::Body)
                                })
                            };
                            query.word_match(word, found) * query.word_weight(word)
                        })
                        .sum::<f32>()
                };
                Some(Hit {
                    ordinal,
                    score,
                    coverage: weight_of(false) / total,
                    title_coverage: weight_of(true) / total,
                    matched,
                })
            })
            .collect()
    }

    /// Matches the services admitted for one scope region, scoring nothing: content valid
    /// everywhere, for a region enclosing the scope region, or for one inside it.
    fn scope_filter(&self, terms: &ScopeTerms<'_>) -> Box<dyn Query> {
        let term = |field, text: &str| -> (Occur, Box<dyn Query>) {
            let query =
                TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic);
            (Occur::Should, Box::new(query))
        };
        let mut admitted = vec![term(self.fields.region, NO_REGION)];
        for enclosing in &terms.enclosing {
            admitted.push(term(self.fields.region, enclosing));
        }
        admitted.push(term(self.fields.region_within, terms.within));
        Box::new(ConstScoreQuery::new(
            Box::new(BooleanQuery::new(admitted)),
            0.0,
        ))
    }

    fn ordinal(&self, address: DocAddress) -> Option<usize> {
        let ordinal = *self
            .ordinals
            .get(address.segment_ord as usize)?
            .get(address.doc_id as usize)?;
        (ordinal != NO_ORDINAL).then_some(ordinal as usize)
    }

    /// Which of `terms` each document of `addresses` contains, per field, in the order
    /// field by field, term by term. Each term's postings are read once per segment and
    /// walked through the documents in ascending order.
    fn matched_terms(
        &self,
        searcher: &Searcher,
        addresses: &[DocAddress],
        terms: &[&QueryTerm],
    ) -> Vec<Vec<(String, ServiceField)>> {
        let mut matched = vec![Vec::new(); addresses.len()];
        let mut by_doc: Vec<usize> = (0..addresses.len()).collect();
        by_doc.sort_by_key(|&i| (addresses[i].segment_ord, addresses[i].doc_id));
        for segment_docs in
            by_doc.chunk_by(|&a, &b| addresses[a].segment_ord == addresses[b].segment_ord)
        {
            let segment = searcher.segment_reader(addresses[segment_docs[0]].segment_ord);
            for field in ServiceField::ALL {
                let Ok(inverted) = segment.inverted_index(self.fields.get(field)) else {
                    continue;
                };
                for term in terms {
                    let t = Term::from_field_text(self.fields.get(field), &term.text);
                    let Ok(Some(mut postings)) =
                        inverted.read_postings(&t, IndexRecordOption::Basic)
                    else {
                        continue;
                    };
                    for &i in segment_docs {
                        if contains(&mut postings, addresses[i].doc_id) {
                            matched[i].push((term.text.clone(), field));
                        }
                    }
                }
            }
        }
        matched
    }
}

/// Number of services containing `token`, estimated as the largest count of any one field:
/// exact for nearly every word (the body holds what the name and keywords hold), and a
/// dictionary lookup per field instead of a walk over every matching service.
fn doc_freq(searcher: &Searcher, fields: &Fields, token: &str) -> u64 {
    ServiceField::ALL
        .iter()
        .map(|&field| {
            let term = Term::from_field_text(fields.get(field), token);
            searcher.doc_freq(&term).unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
}

/// Every indexed term with the number of services containing it (summed over fields).
fn vocabulary(searcher: &Searcher, fields: &Fields) -> tantivy::Result<Vocabulary> {
    let mut counts = Vec::new();
    for segment in searcher.segment_readers() {
        for field in ServiceField::ALL {
            let inverted = segment.inverted_index(fields.get(field))?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                if let Ok(term) = std::str::from_utf8(stream.key()) {
                    counts.push((term.to_string(), u64::from(stream.value().doc_freq)));
                }
            }
        }
    }
    Ok(Vocabulary::from_counts(counts))
}

/// Registers the lexicon's analyzer with the index under the name its fields use.
fn register(index: &Index, lexicon: &Lexicon) -> TextAnalyzer {
    let analyzer = lexicon.analyzer();
    index
        .tokenizers()
        .register(lexicon.tokenizer_name(), analyzer.clone());
    analyzer
}

/// True when the postings list holds `doc` (a fresh list may start past it).
fn contains(postings: &mut impl DocSet, doc: tantivy::DocId) -> bool {
    match postings.doc() {
        first if first == doc => true,
        first if first > doc => false,
        _ => postings.seek(doc) == doc,
    }
}

/// Per segment, per document, the position in the catalogue of the service it holds: the
/// inverse of [`addresses`].
fn ordinals(searcher: &Searcher, addresses: &[Option<DocAddress>]) -> Vec<Vec<u32>> {
    let mut ordinals: Vec<Vec<u32>> = searcher
        .segment_readers()
        .iter()
        .map(|segment| vec![NO_ORDINAL; segment.max_doc() as usize])
        .collect();
    for (ordinal, address) in addresses.iter().enumerate() {
        if let Some(address) = address {
            ordinals[address.segment_ord as usize][address.doc_id as usize] = ordinal as u32;
        }
    }
    ordinals
}

/// The address of every indexed service, by its position in the catalogue.
fn addresses(searcher: &Searcher) -> tantivy::Result<Vec<Option<DocAddress>>> {
    let mut addresses = Vec::new();
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let column = segment.fast_fields().u64("ordinal")?;
        for doc_id in segment.doc_ids_alive() {
            let Some(ordinal) = column.first(doc_id) else {
                continue;
            };
            let ordinal = ordinal as usize;
            if addresses.len() <= ordinal {
                addresses.resize(ordinal + 1, None);
            }
            addresses[ordinal] = Some(DocAddress::new(segment_ord as u32, doc_id));
        }
    }
    Ok(addresses)
}

/// BM25's inverse document frequency.
pub(crate) fn idf(doc_freq: u64, doc_count: u64) -> f32 {
    let n = doc_count.max(1) as f32;
    let df = doc_freq.min(doc_count) as f32;
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// The tantivy document of one service and its texts.
fn document(
    fields: &Fields,
    ordinal: u64,
    service: &Service,
    texts: &ServiceTexts,
    inherited_keywords: &[&String],
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_u64(fields.ordinal, ordinal);
    if service.regions.is_empty() {
        doc.add_text(fields.region, NO_REGION);
    }
    for region in &service.regions {
        doc.add_text(fields.region, geo::significant(region));
        for enclosing in geo::enclosing(region) {
            doc.add_text(fields.region_within, enclosing);
        }
    }
    doc.add_text(fields.name, &service.name);
    for keyword in service
        .keywords
        .iter()
        .chain(inherited_keywords.iter().copied())
    {
        doc.add_text(fields.keywords, keyword);
    }
    let mut body = |rich: &RichText| doc.add_text(fields.body, &rich.text);
    body(&texts.description);
    for rich in [&texts.fees, &texts.process_time, &texts.responsibility]
        .into_iter()
        .flatten()
    {
        body(rich);
    }
    for link in texts
        .prerequisites
        .iter()
        .chain(&texts.requirements)
        .chain(&texts.forms)
    {
        doc.add_text(fields.body, &link.name);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Catalog;

    fn munich() -> CatalogIndex {
        let catalog = Catalog::shipped().with_regions(&["091620000000".to_string()]);
        CatalogIndex::build(&catalog, IndexOptions::default()).unwrap()
    }

    fn best(index: &CatalogIndex, message: &str) -> String {
        let found = index.search(message, &Synonyms::default(), 1);
        let ordinal = found.hits.first().expect("a hit").ordinal;
        index.lexicon.names[ordinal].join(" ")
    }

    #[test]
    fn a_compound_written_apart_is_searched_joined_for_its_head_word() {
        let index = munich();
        let query = index.analyze(
            "Melde Bestätigung für den Arbeitgeber",
            &Synonyms::default(),
        );
        let joined: Vec<&QueryTerm> = query
            .terms
            .iter()
            .filter(|t| t.text == "meldebestat")
            .collect();
        assert_eq!(joined.len(), 1, "{query:?}");
        assert_eq!((joined[0].word, joined[0].origin), (1, TermOrigin::Synonym));
        assert!(best(&index, "Kirchen Austritt").contains("kirchenaustritt"));
    }

    #[test]
    fn every_shipped_synonym_leads_to_words_the_catalogue_holds() {
        let index = munich();
        let searcher = index.reader.searcher();
        let synonyms = Synonyms::shipped();
        let unknown: Vec<String> = synonyms
            .words()
            .flat_map(|word| {
                synonyms
                    .alternatives(word)
                    .iter()
                    .map(move |alternative| (word, alternative))
            })
            .filter(|(_, alternative)| doc_freq(&searcher, &index.fields, alternative) == 0)
            .map(|(word, alternative)| format!("{word} = {alternative}"))
            .collect();
        assert!(unknown.is_empty(), "{unknown:#?}");
    }

    #[test]
    fn words_that_are_no_compound_together_stay_apart() {
        let index = munich();
        let query = index.analyze("Pass verloren", &Synonyms::default());
        assert!(
            query.terms.iter().all(|t| t.origin == TermOrigin::Exact),
            "{query:?}"
        );
        // Stop words in between are no part of a compound.
        let query = index.analyze("Melde die Bestätigung", &Synonyms::default());
        assert!(
            query.terms.iter().all(|t| t.text != "meldebestat"),
            "{query:?}"
        );
    }

    #[test]
    fn everyday_words_of_a_long_story_weigh_less_and_rare_words_do_not() {
        let index = munich();
        let weight = |message: &str, text: &str| {
            let query = index.analyze(message, &Synonyms::default());
            query
                .terms
                .iter()
                .find(|t| t.text == text)
                .unwrap_or_else(|| panic!("{text} in {query:?}"))
                .weight
        };
        let short = "Jagdschein beantragen, wie gehe ich vor";
        let long = "Guten Tag, ich habe im Frühjahr die Jägerprüfung bestanden und möchte \
                    nun erstmals einen Jagdschein beantragen. Wie gehe ich vor?";
        let share = everyday_share(super::text::words(long).count());
        assert!(share < 1.0);
        // "gehe" is an everyday word: a share of its weight in the story.
        assert_eq!(weight(long, "geh"), weight(short, "geh") * share);
        // "Jägerprüfung" is no everyday word: it keeps its weight.
        let exam = "Jägerprüfung bestanden, Jagdschein beantragen";
        assert!(!text::is_common_word(&text::normalize_word("Jägerprüfung")));
        assert_eq!(weight(long, "jagerpruf"), weight(exam, "jagerpruf"));
        assert!(weight(long, "jagerpruf") > 0.0);
    }
}
