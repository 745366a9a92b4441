//! The engine: one message in, one reply out. Pure, deterministic, never panics.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use serde::Serialize;

use super::answer::{self, Answer};
use super::choice;
use super::context::{AnsweredQuestion, ContextCodec, ConversationState};
use super::copies;
use super::follow_up::{self, Rival, Topic};
use super::lacking::LackingTopics;
use super::layer::Layer;
use super::near_duplicates::{self, Refinement};
use super::office_answer;
use super::policy::{self, Decision};
use super::reply::{ChatRequest, IntentScore, Reply, ReplyKind, Source, Suggestion};
use super::smalltalk::{self, SmallTalk};
use super::whereabouts::Whereabouts;
use crate::config::{Config, Tenant};
use crate::content::{
    Catalog, CustomAnswer, Day, PackError, PackLibrary, Service, ServiceTexts, markdown,
};
use crate::geo::{Places, Scope};
use crate::nlu::language;
use crate::nlu::{
    Aspect, AspectDetector, AspectMatch, HUMAN_HANDOFF, IntentClassifier, IntentGuess, Named,
    OFF_TOPIC, SERVICE_SEARCH, Topic as AdminTopic, Topics,
};
use crate::review::Nearest;
use crate::search::{
    self as search, AnalyzedQuery, CatalogIndex, Hit, IndexOptions, OfficeIndex, PackHit,
    QueryTerm, ServiceField, Target, TermOrigin, demote_opposites, fuse,
};
use crate::text::{self, Synonyms};

/// Longest message the engine reads; the HTTP API rejects longer ones, the engine cuts.
pub const MAX_MESSAGE_CHARS: usize = 2000;
/// How many services are ranked per message.
const CANDIDATES: usize = 10;
/// The note for questions in English.
const ENGLISH_NOTE: &str = "Ich antworte auf Deutsch. I can only answer in German; \
if the answer below does not fit, please ask in German or call the public service number 115.";
/// Small talk must lead a service search by this much probability.
const SMALL_TALK_LEAD: f32 = 0.1;
/// Confidence reported when choices are offered again.
const CHOICE_CONFIDENCE: f32 = 0.5;
/// From this probability on, small talk gives way to a service only when the question
/// names it with two of its own words ("Kannst du mir helfen?" is no asylum request).
const SURE_SMALL_TALK: f32 = 0.9;
/// Below this probability of its best intent, the classifier is sure of nothing: a story
/// ([`search::is_story`]) told in a conversation about a service that names no other
/// service is about that one.
const UNSURE_INTENT: f32 = 0.5;
/// A question that names a service this clearly (share of its words in the service's
/// name or keywords) is a service question even when it sounds like small talk.
const SERVICE_OVERRIDES_SMALL_TALK: f32 = 0.5;
/// The same for questions the classifier takes for off-topic: everyday words ("meine
/// Frau", "im Garten") sound off-topic, so a weaker match in a service's name already wins.
const SERVICE_OVERRIDES_OFF_TOPIC: f32 = 0.25;
/// How much more a word's own feature must speak for a small-talk intent than for a
/// service question ([`crate::nlu::IntentClassifier::leaning`]) to name no service in a
/// small-talk message: "Mensch" leans 2.1 to `human_handoff`, "Reisepass" −0.5.
const SMALL_TALK_WORD: f32 = 1.0;
/// A variant scoring below this share of the best score is not considered at all.
const PLAUSIBLE_VARIANT: f32 = 0.5;
/// Most other authorities offered as buttons when a service has several.
const MAX_COPY_SUGGESTIONS: usize = 4;
/// Confidence of an aspect answer about the service already talked about.
const FOLLOW_UP_CONFIDENCE: f32 = 0.9;
/// Share of its weight a word of the tenant's own place name keeps ([`home_words`]):
/// dev top1 78.7 → 78.9 %, wrong 7.3 → 6.8 % at 0.25 and at 0.1; 0.5 lowers wrong only.
const PLACE_WEIGHT: f32 = 0.25;

/// Everything one content version needs to answer: catalogue, index, cues and config.
#[derive(Debug)]
pub struct Snapshot {
    /// The catalogue (shared with the snapshots reloaded from this one).
    pub catalog: Arc<Catalog>,
    /// Its search index.
    pub index: Arc<CatalogIndex>,
    /// The packs' custom answers and questions, per tenant.
    pub layer: Layer,
    /// The aspect cues.
    pub aspects: AspectDetector,
    /// The shipped synonym rules; each tenant adds those of its packs
    /// ([`Layer::synonyms`]).
    pub synonyms: Synonyms,
    /// The intent classifier.
    pub intents: Arc<IntentClassifier>,
    /// The small-talk responses.
    pub smalltalk: SmallTalk,
    /// Tenants and thresholds.
    pub config: Config,
    /// The postcode table request locations are resolved with.
    pub places: Arc<Places>,
    /// The offices by name.
    pub offices: Arc<OfficeIndex>,
    /// Per tenant id, the analysed words of its own place name ([`home_words`]).
    pub home_words: HashMap<String, Vec<String>>,
    /// Per tenant region, the administrative topics ([`Topics::shipped`]) no service name
    /// or keyword of the catalogue holds.
    pub lacking: Arc<LackingTopics>,
    /// The content version (catalogue and analysis), computed once.
    version: String,
    /// The version of the packs in use.
    packs_version: String,
}

impl Snapshot {
    /// Builds the index over `catalog` and each tenant's packs from `library`.
    pub fn build(
        catalog: Catalog,
        library: &PackLibrary,
        config: Config,
    ) -> Result<Snapshot, SnapshotError> {
        let options = index_options(&config);
        Self::build_with(catalog, library, config, options)
    }

    /// Builds the index with explicit options (the plain-BM25 baseline uses this).
    pub fn build_with(
        catalog: Catalog,
        library: &PackLibrary,
        config: Config,
        options: IndexOptions,
    ) -> Result<Snapshot, SnapshotError> {
        let index = CatalogIndex::build(&catalog, options)?;
        Self::with_index(catalog, index, library, config)
    }

    /// Opens the catalogue and index built into `dir` by `sophia build`
    /// ([`crate::search::persist`]) and adds each tenant's packs: no catalogue text is read
    /// or analysed. The folder must have been built with the index options `config` asks
    /// for; its content version is the one a snapshot built from the same content has.
    ///
    /// ```
    /// use sophia::{Snapshot, config::Config, content::{Catalog, PackLibrary}};
    /// let dir = tempfile::tempdir().unwrap();
    /// let out = dir.path().join("built");
    /// sophia::search::persist::build(&Catalog::shipped(), Default::default(), &out, &mut |_, _, _| {}).unwrap();
    /// let built = Snapshot::from_built(&out, &PackLibrary::shipped(), Config::shipped()).unwrap();
    /// let fresh = Snapshot::build(Catalog::shipped(), &PackLibrary::shipped(), Config::shipped()).unwrap();
    /// assert_eq!(built.version(), fresh.version());
    /// ```
    pub fn from_built(
        dir: &std::path::Path,
        library: &PackLibrary,
        config: Config,
    ) -> Result<Snapshot, SnapshotError> {
        let built = crate::search::persist::open(dir, &index_options(&config))?;
        Self::with_index(built.catalog, built.index, library, config)
    }

    /// A snapshot over an index already built for `catalog`.
    fn with_index(
        catalog: Catalog,
        index: CatalogIndex,
        library: &PackLibrary,
        config: Config,
    ) -> Result<Snapshot, SnapshotError> {
        let offices = OfficeIndex::build(&catalog, index.analyzer());
        let lacking = LackingTopics::build(&catalog, &config);
        let synonyms = Synonyms::shipped();
        let layer = Layer::build(&catalog, library, &config, index.analyzer(), &synonyms)
            .map_err(SnapshotError::Packs)?;
        let version = format!("{}-a{}", catalog.version(), text::ANALYZER_VERSION);
        Ok(Snapshot {
            version,
            packs_version: library.version(),
            catalog: Arc::new(catalog),
            index: Arc::new(index),
            layer,
            aspects: AspectDetector::shipped(),
            synonyms,
            intents: Arc::new(IntentClassifier::shipped()),
            smalltalk: SmallTalk::shipped(),
            home_words: home_words(&config),
            config,
            places: Arc::new(Places::shipped()),
            offices: Arc::new(offices),
            lacking: Arc::new(lacking),
        })
    }

    /// A snapshot with new packs and configuration over this one's catalogue and index:
    /// what a reload builds when only the editable layer changed. Milliseconds, whatever
    /// the catalogue's size. The field boosts stay those the index was built with.
    ///
    /// ```
    /// use sophia::content::PackLibrary;
    /// let engine = sophia::Engine::shipped();
    /// let old = engine.snapshot();
    /// let new = old.with_layer(&PackLibrary::default(), old.config.clone()).unwrap_err();
    /// assert!(new.to_string().contains("uses pack `muenchen`, which does not exist"));
    /// ```
    pub fn with_layer(
        &self,
        library: &PackLibrary,
        config: Config,
    ) -> Result<Snapshot, SnapshotError> {
        let layer = Layer::build(
            &self.catalog,
            library,
            &config,
            self.index.analyzer(),
            &self.synonyms,
        )
        .map_err(SnapshotError::Packs)?;
        let regions = |c: &Config| -> Vec<Option<String>> {
            c.tenants.iter().map(|t| t.region.clone()).collect()
        };
        let lacking = if regions(&config) == regions(&self.config) {
            Arc::clone(&self.lacking)
        } else {
            Arc::new(LackingTopics::build(&self.catalog, &config))
        };
        Ok(Snapshot {
            version: self.version.clone(),
            packs_version: library.version(),
            catalog: Arc::clone(&self.catalog),
            index: Arc::clone(&self.index),
            layer,
            aspects: self.aspects.clone(),
            synonyms: self.synonyms.clone(),
            intents: Arc::clone(&self.intents),
            smalltalk: self.smalltalk.clone(),
            home_words: home_words(&config),
            config,
            places: Arc::clone(&self.places),
            offices: Arc::clone(&self.offices),
            lacking,
        })
    }

    /// The version of the packs in use: a hash of their content.
    pub fn packs_version(&self) -> &str {
        &self.packs_version
    }

    /// The content version: the catalogue's hash and the analysis version together.
    pub fn version(&self) -> &str {
        &self.version
    }
}

/// Per tenant, the analysed words (four letters or more) of its name: the tenant's own place
/// ("Landeshauptstadt München"). They say where, not what: a citizen of Munich writing "in
/// München" asks no more about the few services with München in their name ("Umschreibung
/// Fahrzeug – von außerhalb nach München") than about any other, so the search weighs them
/// at [`PLACE_WEIGHT`].
fn home_words(config: &Config) -> HashMap<String, Vec<String>> {
    config
        .tenants
        .iter()
        .map(|tenant| {
            let words = retrieval_terms([tenant.name.as_str()])
                .into_iter()
                .filter(|w| w.chars().count() >= 4)
                .collect();
            (tenant.id.clone(), words)
        })
        .collect()
}

/// The English function words ([`language::english_function_words`]) as query terms
/// (German stop words among them, "in" or "so", are dropped by the analyzer anyway).
static ENGLISH_FUNCTION_TERMS: LazyLock<Vec<String>> =
    LazyLock::new(|| retrieval_terms(language::english_function_words().iter().copied()));

/// The terms the retrieval analyzer makes of `texts`, in order.
fn retrieval_terms<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut analyzer = text::retrieval_analyzer();
    texts
        .into_iter()
        .flat_map(|t| text::tokens(&mut analyzer, t))
        .collect()
}

/// The index options `config` asks for: German analysis with its field boosts.
fn index_options(config: &Config) -> IndexOptions {
    IndexOptions {
        boosts: config.boosts,
        ..IndexOptions::default()
    }
}

/// Why a snapshot could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The catalogue could not be indexed.
    #[error("cannot index the catalogue: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The built folder cannot be used.
    #[error("{0}")]
    Built(#[from] crate::search::persist::BuiltError),
    /// The packs have mistakes, each with its place.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Packs(Vec<PackError>),
}

/// What the engine saw in one message, for `sophia ask --explain`.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// Each word through each analysis step.
    pub words: Vec<WordSteps>,
    /// The aspect found, with its cue words.
    pub aspect: Option<AspectMatch>,
    /// The query terms searched (aspect cues removed), with weights.
    pub query: AnalyzedQuery,
    /// The ranked candidates: id, title, score, coverage, matched terms.
    pub candidates: Vec<Candidate>,
    /// The catalogue's own ranking, before pack questions were merged in.
    pub catalogue: Vec<Candidate>,
    /// The best-matching pack question per service or custom answer.
    pub questions: Vec<QuestionMatch>,
    /// The most likely intents with their probabilities.
    pub intents: Vec<IntentGuess>,
    /// What the policy decided on the ranking.
    pub decision: Decision,
    /// What Sophia answers in the end (after near-duplicate variants): kind and sources.
    pub answer: (ReplyKind, Vec<String>),
}

/// One word of the question through every step of the analysis.
#[derive(Debug, Clone, Serialize)]
pub struct WordSteps {
    /// As typed.
    pub original: String,
    /// Lower-cased, umlaut spellings and ß folded.
    pub normalized: String,
    /// Dropped as a stop word.
    pub stop_word: bool,
    /// After stemming.
    pub stemmed: Option<String>,
    /// Known to the catalogue (as stemmed).
    pub known: bool,
    /// Compound parts, when the word was split.
    pub parts: Vec<String>,
    /// Spelling corrections tried (term and edit distance), when the word is unknown.
    pub corrections: Vec<(String, u8)>,
    /// Alternatives from the synonym rules.
    pub synonyms: Vec<String>,
    /// Taken out of the search as a cue for the aspect asked about.
    pub aspect_cue: bool,
}

/// One ranked service in an explanation or evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// Service id.
    pub id: String,
    /// Service name.
    pub title: String,
    /// The ranking details.
    #[serde(flatten)]
    pub hit: Hit,
}

/// A pack question matching the message, with what it stands for.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionMatch {
    /// Service id or custom answer id.
    pub id: String,
    /// Service name or custom answer id.
    pub title: String,
    /// The match.
    #[serde(flatten)]
    pub hit: PackHit,
}

/// Answers citizens' messages from one snapshot.
#[derive(Debug, Clone)]
pub struct Engine {
    snapshot: Arc<Snapshot>,
    codec: ContextCodec,
}

/// The search part of one message: aspect, query and ranking.
struct Understanding {
    aspect: Option<AspectMatch>,
    /// The message analysed, aspect cues included.
    full: AnalyzedQuery,
    /// The search query: the message without its aspect cues.
    query: AnalyzedQuery,
    /// The catalogue's own ranking.
    catalogue: Vec<Hit>,
    /// The best pack question per target.
    questions: Vec<PackHit>,
    hits: Vec<Hit>,
    decision: Decision,
    /// The administrative topics the message names ([`Topics::named`]).
    topics: Vec<Named>,
}

impl Engine {
    /// An engine over `snapshot`, signing contexts with `codec`.
    pub fn new(snapshot: Arc<Snapshot>, codec: ContextCodec) -> Engine {
        Engine { snapshot, codec }
    }

    /// The engine on the shipped content and configuration.
    ///
    /// ```
    /// use sophia::{ChatRequest, Engine, ReplyKind};
    /// let engine = Engine::shipped();
    /// let reply = engine.respond(&ChatRequest::new("Was kostet ein Reisepass?"));
    /// assert_eq!(reply.kind, ReplyKind::Aspect);
    /// assert_eq!(reply.sources[0].title, "Reisepass");
    /// ```
    pub fn shipped() -> Engine {
        let snapshot = Snapshot::build(
            Catalog::shipped(),
            &PackLibrary::shipped(),
            Config::shipped(),
        )
        .expect("the shipped content indexes; a test guards it");
        Engine::new(Arc::new(snapshot), ContextCodec::random())
    }

    /// The snapshot answered from.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Answers one message.
    pub fn respond(&self, request: &ChatRequest) -> Reply {
        let snapshot = &*self.snapshot;
        let tenant = request
            .tenant
            .as_deref()
            .and_then(|id| snapshot.config.tenant(id))
            .unwrap_or_else(|| snapshot.config.default_tenant());
        let place = Whereabouts::of_message(
            tenant,
            clip(&request.message),
            request.location.as_deref(),
            &snapshot.places,
        );
        let mut reply = self.answer(request, tenant, &place);
        if let Some(note) = &place.note {
            reply.text = format!("{note}\n\n{}", reply.text);
            if let Some(html) = &mut reply.html {
                *html = format!("<p>{}</p>{html}", answer::escape(note));
            }
        }
        if language::is_english(clip(&request.message)) {
            reply.text = format!("{ENGLISH_NOTE}\n\n{}", reply.text);
            if let Some(html) = &mut reply.html {
                *html = format!("<p>{ENGLISH_NOTE}</p>{html}");
            }
        }
        reply
    }

    fn answer(&self, request: &ChatRequest, tenant: &Tenant, place: &Whereabouts) -> Reply {
        let snapshot = &*self.snapshot;
        let message = clip(&request.message);
        let state = request
            .context
            .as_deref()
            .and_then(|c| self.codec.decode(c))
            .filter(|s| s.version == snapshot.version())
            .map(|mut s| {
                // Only choices the catalogue has can be offered again: a "Meinten Sie …?"
                // without any would be empty.
                s.choices
                    .retain(|id| snapshot.catalog.service(id).is_some());
                s
            })
            .unwrap_or_default();

        // A choice from the last "Meinten Sie ...?": its title or its number.
        if let Some(service) = self.chosen(&state, message, tenant, place) {
            let aspect = state.aspect;
            return self.service_reply(&state, place, service, aspect, 1.0, None);
        }
        // Only a place ("35037", "in Marburg"): the copy responsible there of the service
        // offered or talked about.
        if place.only_place
            && let Some(service) = self.copy_for_place(&state, place)
        {
            let aspect = state.aspect;
            return self.service_reply(&state, place, service, aspect, 1.0, None);
        }

        let intents = snapshot.intents.probabilities(message);
        let intent = intents[0].clone();
        let service_probability = intents
            .iter()
            .find(|g| g.name == SERVICE_SEARCH)
            .map_or(0.0, |g| g.probability);
        // "ja" to a "Meinten Sie …?" cannot tell which choice: they are offered again.
        if intent.name == "affirm"
            && intent.probability >= snapshot.config.thresholds.small_talk
            && !state.choices.is_empty()
        {
            return self.reoffer(&state, place, message, state.aspect);
        }

        // The question, redacted, goes into the next context when it is answered, for
        // feedback on the answer (a pick from the choices above keeps the original question).
        let state = ConversationState {
            question: Some(AnsweredQuestion::new(message, &tenant.id)),
            ..state
        };
        let understanding = self.understand(message, &tenant.id, &place.scope);
        // A follow-up about the service in context: "und was kostet das?" asks for an
        // aspect and says nothing else ("was kostet ein Kaffee?" is a new question).
        let context_ordinal = state
            .service
            .as_deref()
            .and_then(|id| snapshot.catalog.ordinal(id));
        let context_service = context_ordinal.and_then(|o| snapshot.catalog.service_at(o));
        // Weighed once, and only when a follow-up is possible at all (a postings lookup per
        // word).
        let topic = OnceCell::new();
        let topic = || {
            let ordinal = context_ordinal?;
            Some(*topic.get_or_init(|| {
                let cues = understanding
                    .aspect
                    .as_ref()
                    .map_or(&[][..], |found| &found.cue_tokens[..]);
                let name = context_service.map_or("", |s| s.name.as_str());
                let questions = snapshot.layer.questions(&tenant.id);
                follow_up::topic(
                    &snapshot.index,
                    &snapshot.aspects,
                    &understanding.full,
                    cues,
                    (ordinal, name),
                    &|term| questions.target_holds(Target::Service(ordinal), term),
                    self.rival(&understanding, ordinal),
                )
            }))
        };
        // A word the catalogue does not know may be everyday talk or what the question is
        // really about ("was kostet ein Kaffee?", "wo gibt es gutes Eis?"): a follow-up
        // only when the classifier takes the message for a service question.
        let on_topic = |topic: Topic| {
            let unsure = topic.vague && intent.name != SERVICE_SEARCH;
            !topic.elsewhere && !unsure
        };
        // A word pointing back ("dafür", "dort") makes an aspect question a follow-up
        // beside a word the catalogue does not know, unless small talk is sure.
        let points_back =
            || intent.probability < SURE_SMALL_TALK && snapshot.aspects.points_back(message);
        if let (Some(found), Some(service)) = (&understanding.aspect, context_service)
            && topic().is_some_and(|t| on_topic(t) || (!t.elsewhere && points_back()))
        {
            return self.service_reply(
                &state,
                place,
                service,
                Some(found.aspect),
                FOLLOW_UP_CONFIDENCE,
                None,
            );
        }
        let only_aspect = || {
            understanding
                .aspect
                .as_ref()
                .filter(|found| self.says_nothing_else(&understanding, found))
        };
        // An editors' answer that matches well comes before any service description.
        // A `basic` tenant answers services only (`Skills`): no custom answers, and small
        // talk gets one short service-oriented answer instead.
        let skills = tenant.skills;
        if skills.custom_answers()
            && let Some((answer, similarity)) = self.custom_answer(tenant, &understanding)
        {
            return self.custom_reply(&state, answer, similarity);
        }
        // Only an aspect ("geht das online?") is no small talk unless the classifier is sure
        // ("wie geht's" shares its verb); nor are words the service in context holds ("brauch
        // ich eine anzeige von der polizei" about a stolen passport).
        let unsure = intent.probability < SURE_SMALL_TALK;
        let aspect_only = unsure && only_aspect().is_some();
        let held_by_context = unsure
            && context_service.is_some()
            && topic().is_some_and(|t| on_topic(t) && t.confirmed());
        if !aspect_only
            && !held_by_context
            && let Some(reply) = self.small_talk(
                tenant,
                &state,
                message,
                &intent,
                service_probability,
                &understanding,
            )
        {
            if skills.small_talk() {
                return reply;
            }
            return self.services_only_reply(tenant, &state, reply.intent);
        }
        // Only an aspect ("was kostet das?") without a service to refer to: the pending
        // choices again, now for that aspect, or the question which service is meant.
        if let Some(found) = only_aspect() {
            if !state.choices.is_empty() {
                return self.reoffer(&state, place, message, Some(found.aspect));
            }
            return self.which_service_reply(&state);
        }

        // Only an office named ("Bürgerbüro Pasing", "KVR Ruppertstraße"): that office.
        if let Some(reply) = self.office_reply(&state, place, &understanding, tenant) {
            return reply;
        }
        // Words that name only what the service in context holds ("muss ich das auch bei
        // der Polizei anzeigen?"), when the search alone names no other service for sure.
        if let Some(service) = context_service
            && topic().is_some_and(|t| on_topic(t) && (t.confirmed() || t.names_nothing()))
        {
            return self.service_reply(&state, place, service, None, FOLLOW_UP_CONFIDENCE, None);
        }
        let aspect = understanding.aspect.as_ref().map(|a| a.aspect);
        let hits = &understanding.hits;
        // A topic this catalogue lacks ("Elterngeld beantragen"): not here, and who usually
        // handles it.
        if let Some(topic) = self.unanswered_topic(message, tenant, &understanding) {
            let confidence = understanding.decision.confidence();
            return self.fallback_reply(tenant, &state, confidence, Some(topic));
        }
        match understanding.decision.clone() {
            Decision::Direct { confidence } => {
                match self.near_duplicates(message, &understanding) {
                    Refinement::Keep => {
                        let service = self.service_of(&hits[0]);
                        self.service_reply(
                            &state,
                            place,
                            service,
                            aspect,
                            confidence,
                            Some(hits[0].score),
                        )
                    }
                    Refinement::Prefer(ordinal) => {
                        let (service, score) = self.ranked(hits, ordinal);
                        self.service_reply(&state, place, service, aspect, confidence, score)
                    }
                    Refinement::Clarify(ordinals) => {
                        let services: Vec<(&Service, Option<f32>)> =
                            ordinals.iter().map(|&o| self.ranked(hits, o)).collect();
                        self.clarify_reply(&state, place, message, &services, aspect, confidence)
                    }
                }
            }
            Decision::Clarify {
                choices,
                confidence,
            } => {
                let services: Vec<(&Service, Option<f32>)> = choices
                    .iter()
                    .map(|&i| (self.service_of(&hits[i]), Some(hits[i].score)))
                    .collect();
                self.clarify_reply(&state, place, message, &services, aspect, confidence)
            }
            Decision::Fallback { confidence } => {
                // A question the search cannot place, asked in a conversation about a
                // service ("darf das auch mein Steuerbüro für mich erledigen?"): about that
                // service, unless a word names another service and not this one ("Tisch
                // im Oktoberfest-Zelt" about the trade registration).
                // Also a story told around it ("muss ich da auch mit hin oder reicht es
                // wenn er alleine geht? ich bin dann schon hochschwanger") when the
                // classifier is sure of nothing else or the story points back ("meine
                // Mutter wohnt bei mir und spricht kaum Deutsch, kann da ein Dolmetscher
                // dabei sein?"), beside words the catalogue does not know. A short question
                // about such a word is about it ("wo gibt es gutes Eis?").
                let about_context = |t: Topic| {
                    let service_question = intent.name == SERVICE_SEARCH;
                    let unsure = intent.probability < UNSURE_INTENT || points_back();
                    !t.elsewhere
                        && t.foreign == 0
                        && ((service_question && on_topic(t))
                            || (!service_question && unsure && search::is_story(message)))
                };
                if let Some(service) = context_service
                    && topic().is_some_and(about_context)
                {
                    return self.service_reply(
                        &state,
                        place,
                        service,
                        aspect,
                        FOLLOW_UP_CONFIDENCE,
                        None,
                    );
                }
                self.fallback_reply(tenant, &state, confidence, None)
            }
        }
    }

    /// True when the question says nothing beside its aspect cue: every other word is a
    /// follow-up word ("machen", "dafür") or a scrap of one or two letters ("n" for
    /// "einen").
    fn says_nothing_else(&self, understanding: &Understanding, found: &AspectMatch) -> bool {
        understanding
            .query
            .terms
            .iter()
            .filter(|t| t.origin == TermOrigin::Exact && !found.cue_tokens.contains(&t.text))
            .all(|t| {
                self.snapshot.aspects.only_follow_up_words([&t.text]) || t.text.chars().count() <= 2
            })
    }

    /// What the search alone made of the message, besides the service at `ordinal` (and
    /// its copies for other authorities).
    fn rival<'u>(&self, understanding: &'u Understanding, ordinal: usize) -> Rival<'u> {
        let catalog = &self.snapshot.catalog;
        let same = |hit: &Hit| {
            let (a, b) = (catalog.service_at(hit.ordinal), catalog.service_at(ordinal));
            hit.ordinal == ordinal
                || a.zip(b)
                    .is_some_and(|(a, b)| a.leika.is_some() && a.leika == b.leika)
        };
        let hits = &understanding.hits;
        match &understanding.decision {
            Decision::Direct { .. } if !same(&hits[0]) => Rival::Direct(&hits[0]),
            Decision::Clarify { choices, .. } if !choices.iter().any(|&i| same(&hits[i])) => {
                Rival::Choices
            }
            _ => Rival::None,
        }
    }

    /// The pending choices offered again (after "ja", or with an aspect asked meanwhile).
    fn reoffer(
        &self,
        state: &ConversationState,
        place: &Whereabouts,
        message: &str,
        aspect: Option<Aspect>,
    ) -> Reply {
        let services: Vec<(&Service, Option<f32>)> = state
            .choices
            .iter()
            .filter_map(|id| self.snapshot.catalog.service(id))
            .map(|s| (s, None))
            .collect();
        self.clarify_reply(state, place, message, &services, aspect, CHOICE_CONFIDENCE)
    }

    /// An aspect asked without any service to refer to: which service is meant?
    fn which_service_reply(&self, state: &ConversationState) -> Reply {
        let mut answer = Answer::default();
        answer.paragraph(
            "Zu welcher Leistung möchten Sie das wissen? Nennen Sie mir bitte die Leistung, zum Beispiel „Reisepass“ oder „Wohnsitz anmelden“.",
        );
        let next = state.next(self.snapshot.version());
        self.reply(
            ReplyKind::Fallback,
            answer,
            0.0,
            None,
            Vec::new(),
            Vec::new(),
            next,
        )
    }

    /// Small talk and off-topic questions, when the classifier is sure of them and the
    /// search does not clearly name a service ("hallo, ich brauche einen Reisepass" is a
    /// service question). Whether a service exists is never the classifier's call.
    fn small_talk(
        &self,
        tenant: &Tenant,
        state: &ConversationState,
        message: &str,
        intent: &IntentGuess,
        service_probability: f32,
        understanding: &Understanding,
    ) -> Option<Reply> {
        let snapshot = &*self.snapshot;
        let thresholds = &snapshot.config.thresholds;
        let (mut threshold, override_coverage) = if intent.name == OFF_TOPIC {
            (thresholds.off_topic, SERVICE_OVERRIDES_OFF_TOPIC)
        } else {
            (thresholds.small_talk, SERVICE_OVERRIDES_SMALL_TALK)
        };
        // In a conversation about a service, a message that only leans to asking for a
        // human or to another topic is more likely about the service ("kann das jemand von
        // euch prüfen?"). Thanks and goodbyes keep their own threshold.
        if state.service.is_some() && (intent.name == OFF_TOPIC || intent.name == HUMAN_HANDOFF) {
            threshold = threshold.max(thresholds.small_talk_in_conversation);
        }
        // Torn between small talk and a service question, the search decides.
        if intent.name == SERVICE_SEARCH
            || intent.probability < threshold
            || intent.probability - service_probability < SMALL_TALK_LEAD
        {
            return None;
        }
        let names_a_service = understanding.hits.first().is_some_and(|best| {
            // Words of the question itself (not corrections or synonyms) found in the
            // service's name or keywords: "passt" must not become "Reisepass".
            let named = understanding
                .query
                .terms
                .iter()
                .filter(|t| t.origin == TermOrigin::Exact)
                .filter(|t| {
                    best.matched
                        .iter()
                        .any(|(m, field)| m == &t.text && *field != ServiceField::Body)
                })
                // A word that typifies the small talk ("Mensch" asking for a human) names
                // no service, whatever service mentions it. Not so for off-topic words:
                // "Kirche" may be church trivia there and is a service word here.
                .filter(|t| {
                    intent.name == OFF_TOPIC
                        || snapshot
                            .intents
                            .leaning(&t.text, &intent.name, SERVICE_SEARCH)
                            < SMALL_TALK_WORD
                })
                .count();
            let needed = if intent.probability >= SURE_SMALL_TALK {
                2
            } else {
                1
            };
            named >= needed
                && best.title_coverage >= override_coverage
                && matches!(understanding.decision, Decision::Direct { .. })
        });
        if names_a_service {
            return None;
        }
        let (text, suggestions) = snapshot.smalltalk.respond(
            &intent.name,
            tenant,
            smalltalk::seed(message, state.turn),
        )?;
        let mut answer = Answer::default();
        answer.paragraph(&text);
        if intent.name == OFF_TOPIC || intent.name == HUMAN_HANDOFF {
            answer.link("Kontakt", &tenant.contact_url);
        }
        let kind = if intent.name == OFF_TOPIC {
            ReplyKind::Fallback
        } else {
            ReplyKind::Smalltalk
        };
        let next = state.next(snapshot.version());
        let suggestions = suggestions
            .into_iter()
            .map(|s| Suggestion {
                label: s.clone(),
                message: s,
            })
            .collect();
        let mut reply = self.reply(
            kind,
            answer,
            intent.probability,
            None,
            Vec::new(),
            suggestions,
            next,
        );
        reply.intent.name = intent.name.clone();
        Some(reply)
    }

    /// Refines a direct answer among the best service's near-duplicate variants in the
    /// catalogue; the refinement names services by their position in the catalogue.
    fn near_duplicates(&self, message: &str, understanding: &Understanding) -> Refinement {
        let index = &self.snapshot.index;
        let Some(best) = understanding.hits.first() else {
            return Refinement::Keep;
        };
        // The best service, then its variants: those the search ranked first, in rank order.
        let variants = index.variants(best.ordinal);
        let threshold = self.snapshot.config.thresholds.near_duplicate_score * best.score;
        let title_share = self
            .snapshot
            .config
            .thresholds
            .near_duplicate_title_coverage;
        // Pack questions are written for some variants more than for others; whether two
        // variants are equally likely is also judged on the catalogue's own scores.
        let catalogue_score = |ordinal: usize| {
            understanding
                .catalogue
                .iter()
                .find(|h| h.ordinal == ordinal)
                .map(|h| h.score)
        };
        let catalogue_close =
            |ordinal: usize| match (catalogue_score(best.ordinal), catalogue_score(ordinal)) {
                (Some(best), Some(score)) => {
                    score >= self.snapshot.config.thresholds.near_duplicate_score * best
                }
                _ => false,
            };
        let mut ordinals = vec![best.ordinal];
        let mut close = vec![true];
        for hit in &understanding.hits {
            if variants.contains(&hit.ordinal) && hit.score >= PLAUSIBLE_VARIANT * best.score {
                ordinals.push(hit.ordinal);
                // Scored about as high, and named about as much by the question ("ich ziehe
                // nach Spanien, muss ich mich abmelden": the move names "Wohnsitz abmelden"
                // in its keywords, "Gewerbe-Abmeldung" only in its description).
                let named = hit.title_coverage >= title_share * best.title_coverage;
                close.push((hit.score >= threshold || catalogue_close(hit.ordinal)) && named);
            }
        }
        let names: Vec<Vec<String>> = ordinals
            .iter()
            .map(|&o| index.qualifier_terms(o).to_vec())
            .collect();
        let query: Vec<String> = understanding
            .query
            .terms
            .iter()
            .map(|t| t.text.clone())
            .collect();
        let titles: Vec<&str> = ordinals
            .iter()
            .filter_map(|&o| self.snapshot.catalog.service_at(o))
            .map(|s| s.name.as_str())
            .collect();
        if let Some(i) = near_duplicates::by_qualifier(&titles, message) {
            return if i == 0 {
                Refinement::Keep
            } else {
                Refinement::Prefer(ordinals[i])
            };
        }
        let max = self.snapshot.config.thresholds.max_choices;
        match near_duplicates::refine(&names, &close, &query, max) {
            Refinement::Keep => Refinement::Keep,
            Refinement::Prefer(i) => Refinement::Prefer(ordinals[i]),
            Refinement::Clarify(choices) => {
                Refinement::Clarify(choices.into_iter().map(|i| ordinals[i]).collect())
            }
        }
    }

    /// The service at `ordinal` with its score in `hits`, if it was ranked.
    fn ranked(&self, hits: &[Hit], ordinal: usize) -> (&Service, Option<f32>) {
        let service = self
            .snapshot
            .catalog
            .service_at(ordinal)
            .expect("ordinals come from this snapshot's catalogue");
        let score = hits.iter().find(|h| h.ordinal == ordinal).map(|h| h.score);
        (service, score)
    }

    /// True when `context` was signed with this engine's key for this content version; an
    /// invalid context is ignored by [`Engine::respond`], this tells the caller to log it.
    pub fn context_is_valid(&self, context: &str) -> bool {
        self.codec
            .decode(context)
            .is_some_and(|s| s.version == self.snapshot.version())
    }

    /// The state in `context`, if it was signed with this engine's key (of any content
    /// version: feedback may come after a reload).
    pub fn context_state(&self, context: &str) -> Option<ConversationState> {
        self.codec.decode(context)
    }

    /// The service a context refers to, if it is valid and names one.
    pub fn context_service(&self, context: &str) -> Option<String> {
        self.codec.decode(context).and_then(|s| s.service)
    }

    /// Ranks services for `message` (aspect cue words removed), best first.
    pub fn rank(&self, message: &str) -> Vec<Candidate> {
        self.understand_for_default_tenant(clip(message))
            .hits
            .into_iter()
            .map(|hit| self.candidate(hit))
            .collect()
    }

    /// `message` understood as `respond` understands it for the default tenant: in its
    /// scope, or the place the message names.
    fn understand_for_default_tenant(&self, message: &str) -> Understanding {
        let tenant = self.snapshot.config.default_tenant();
        let place = Whereabouts::of_message(tenant, message, None, &self.snapshot.places);
        self.understand(message, &tenant.id, &place.scope)
    }

    /// Every step of understanding `message`.
    pub fn explain(&self, message: &str) -> Explanation {
        let message = clip(message);
        let understanding = self.understand_for_default_tenant(message);
        let decision = understanding.decision.clone();
        let full = self.snapshot.index.analyze(
            message,
            self.snapshot
                .layer
                .synonyms(&self.snapshot.config.default_tenant),
        );
        let cues: &[String] = understanding
            .aspect
            .as_ref()
            .map_or(&[], |a| a.cue_tokens.as_slice());
        let words = text::explain(message)
            .into_iter()
            .enumerate()
            .map(|(i, trace)| {
                let terms: Vec<&QueryTerm> = full.terms.iter().filter(|t| t.word == i).collect();
                let of = |wanted: fn(&TermOrigin) -> bool| -> Vec<String> {
                    terms
                        .iter()
                        .filter(|t| wanted(&t.origin))
                        .map(|t| t.text.clone())
                        .collect()
                };
                let exact = terms.iter().find(|t| t.origin == TermOrigin::Exact);
                WordSteps {
                    known: exact.is_some_and(|t| !t.is_unknown()),
                    aspect_cue: exact.is_some_and(|t| cues.contains(&t.text)),
                    parts: of(|o| matches!(o, TermOrigin::Part { .. })),
                    synonyms: of(|o| *o == TermOrigin::Synonym),
                    corrections: terms
                        .iter()
                        .filter_map(|t| match t.origin {
                            TermOrigin::Correction { distance } => Some((t.text.clone(), distance)),
                            _ => None,
                        })
                        .collect(),
                    original: trace.original,
                    normalized: trace.normalized,
                    stop_word: trace.stop_word,
                    stemmed: trace.stemmed,
                }
            })
            .collect();
        let reply = self.respond(&ChatRequest::new(message));
        Explanation {
            words,
            aspect: understanding.aspect,
            query: understanding.query,
            candidates: understanding
                .hits
                .into_iter()
                .map(|hit| self.candidate(hit))
                .collect(),
            catalogue: understanding
                .catalogue
                .into_iter()
                .map(|hit| self.candidate(hit))
                .collect(),
            questions: understanding
                .questions
                .into_iter()
                .map(|hit| self.question_match(hit))
                .collect(),
            intents: self
                .snapshot
                .intents
                .probabilities(message)
                .into_iter()
                .take(3)
                .collect(),
            decision,
            answer: (
                reply.kind,
                reply.sources.into_iter().map(|s| s.id).collect(),
            ),
        }
    }

    fn candidate(&self, hit: Hit) -> Candidate {
        let service = self.service_of(&hit);
        Candidate {
            id: service.id.clone(),
            title: service.name.clone(),
            hit,
        }
    }

    fn question_match(&self, hit: PackHit) -> QuestionMatch {
        let (id, title) = match hit.target {
            Target::Service(ordinal) => {
                let service = self.snapshot.catalog.service_at(ordinal);
                (
                    service.map(|s| s.id.clone()).unwrap_or_default(),
                    service.map(|s| s.name.clone()).unwrap_or_default(),
                )
            }
            Target::Answer(i) => {
                let id = self
                    .snapshot
                    .layer
                    .answers
                    .get(i)
                    .map(|a| a.id.clone())
                    .unwrap_or_default();
                (id.clone(), id)
            }
        };
        QuestionMatch { id, title, hit }
    }

    fn understand(&self, message: &str, tenant: &str, scope: &Scope) -> Understanding {
        let snapshot = &*self.snapshot;
        let aspect = snapshot.aspects.detect(message);
        let mut full = snapshot
            .index
            .analyze(message, snapshot.layer.synonyms(tenant));
        if let Some(home) = snapshot.home_words.get(tenant) {
            full.weigh_words(home, PLACE_WEIGHT);
        }
        // A question in English is searched without its function words ("how much",
        // "need", "apply"), which the German catalogue does not know.
        if language::is_english(message) {
            let without = full.without_words(&ENGLISH_FUNCTION_TERMS);
            if !without.is_empty() {
                full = without;
            }
        }
        let mut query = full.clone();
        if let Some(found) = &aspect {
            let without_cues = query.without_words(&found.cue_tokens);
            if !without_cues.all_unknown() {
                query = without_cues;
            }
        }
        let hits = snapshot.index.search_scoped(&query, scope, CANDIDATES);
        let questions = snapshot.layer.questions(tenant).matches(&full, CANDIDATES);
        let catalogue = hits.clone();
        let mut hits = fuse(hits, &questions, snapshot.config.boosts.questions);
        // Pack questions may name services of other regions.
        hits.retain(|hit| scope.is_everywhere() || scope.admits(&self.service_of(hit).regions));
        // Copies of one service for other authorities do not compete with each other.
        let mut hits = copies::group_copies(hits, &snapshot.catalog);
        // "anmelden" is not answered by a service to deregister.
        let said: Vec<String> = query
            .terms
            .iter()
            .filter(|t| t.origin == TermOrigin::Exact)
            .map(|t| t.text.clone())
            .collect();
        demote_opposites(&mut hits, &said, |hit| {
            snapshot.index.name_terms(hit.ordinal)
        });
        hits.truncate(CANDIDATES);
        let decision = policy::decide(&hits, &snapshot.config.thresholds);
        Understanding {
            aspect,
            full,
            query,
            catalogue,
            questions,
            hits,
            decision,
            topics: Topics::shipped().named(message),
        }
    }

    fn service_of(&self, hit: &Hit) -> &Service {
        self.snapshot
            .catalog
            .service_at(hit.ordinal)
            .expect("hits come from this snapshot's catalogue")
    }

    /// The copy of the offered or current service that is responsible at `place`.
    fn copy_for_place(&self, state: &ConversationState, place: &Whereabouts) -> Option<&Service> {
        let catalog = &self.snapshot.catalog;
        state
            .choices
            .iter()
            .chain(&state.service)
            .filter_map(|id| catalog.service(id))
            .find_map(|s| copies::copy_for(s, catalog, &place.scope))
    }

    /// True when the search alone answers `message` with a service that is none of
    /// `choices`, directly or as the first of its own choices.
    fn asks_for_another(
        &self,
        message: &str,
        tenant: &Tenant,
        place: &Whereabouts,
        choices: &[String],
    ) -> bool {
        let understanding = self.understand(message, &tenant.id, &place.scope);
        let first = match &understanding.decision {
            Decision::Direct { .. } | Decision::Clarify { .. } => understanding.hits.first(),
            Decision::Fallback { .. } => None,
        };
        first.is_some_and(|hit| !choices.contains(&self.service_of(hit).id))
    }

    /// The service the citizen picked from the last choices: by title or number, by a
    /// count for tiers, or by where someone is from.
    fn chosen(
        &self,
        state: &ConversationState,
        message: &str,
        tenant: &Tenant,
        place: &Whereabouts,
    ) -> Option<&Service> {
        if state.choices.is_empty() {
            return None;
        }
        let snapshot = &*self.snapshot;
        let offered: Vec<&Service> = state
            .choices
            .iter()
            .filter_map(|id| snapshot.catalog.service(id))
            .collect();
        let said = text::normalize_word(message.trim());
        if let Some(exact) = offered
            .iter()
            .find(|s| text::normalize_word(&s.name) == said)
            .or_else(|| {
                offered.iter().find(|s| {
                    text::normalize_word(&copies::authority(s, &snapshot.catalog)) == said
                })
            })
        {
            return Some(exact);
        }
        let names: Vec<&str> = offered.iter().map(|s| s.name.as_str()).collect();
        // A count picks its tier ("3 Zeugnisse"); where someone is from picks too ("wir
        // sind beide Deutsche"), unless the message is a new question the search alone
        // answers with another service ("was kostet ein Reisepass für Brasilien?" after the
        // wedding choices).
        if let Some(i) = near_duplicates::by_count(&names, message) {
            return Some(offered[i]);
        }
        if let Some(i) = near_duplicates::by_origin(&names, message)
            .or_else(|| near_duplicates::by_abroad(&names, message))
            && !self.asks_for_another(message, tenant, place, &state.choices)
        {
            return Some(offered[i]);
        }
        let mut analyzer = text::retrieval_analyzer();
        let titles: Vec<Vec<String>> = names
            .iter()
            .map(|name| text::tokens(&mut analyzer, name))
            .collect();
        let words = text::tokens(&mut analyzer, message);
        choice::pick(message, &words, &titles).map(|i| offered[i])
    }

    fn service_reply(
        &self,
        state: &ConversationState,
        place: &Whereabouts,
        service: &Service,
        aspect: Option<Aspect>,
        confidence: f32,
        score: Option<f32>,
    ) -> Reply {
        let catalog = &self.snapshot.catalog;
        let kind = match aspect {
            Some(_) => ReplyKind::Aspect,
            None => ReplyKind::Service,
        };
        let mut answer = match (catalog.texts(service), aspect) {
            (Ok(texts), Some(aspect)) => {
                answer::aspect_answer(service, &texts, aspect, catalog, place)
            }
            (Ok(texts), None) => answer::service_answer(service, &texts),
            // Only a built folder's texts file changed after it was opened gets here.
            (Err(error), _) => {
                tracing::error!("{error}");
                answer::unavailable_answer(service)
            }
        };
        // Several authorities offer this service here and the citizen's place is unknown:
        // say whose answer this is, and offer the others.
        let copies = copies::copies_in_scope(service, catalog, &place.scope);
        let (next, suggestions) = if copies.len() > 1 && place.label.is_none() {
            answer.paragraph(&format!(
                "Diese Angaben gelten für {}. Die Leistung bieten {} Stellen an; nennen Sie mir Ihren Ort oder Ihre Postleitzahl, dann antworte ich für die dort zuständige Stelle.",
                copies::authority(service, catalog),
                copies.len()
            ));
            let next = ConversationState {
                service: Some(service.id.clone()),
                choices: copies.iter().map(|s| s.id.clone()).collect(),
                aspect,
                ..state.next(self.snapshot.version())
            };
            let labels = copies
                .iter()
                .skip(1)
                .take(MAX_COPY_SUGGESTIONS)
                .map(|copy| copies::authority(copy, catalog));
            (next, labels.collect::<Vec<_>>())
        } else {
            let next = ConversationState {
                service: Some(service.id.clone()),
                choices: Vec::new(),
                aspect: None,
                ..state.next(self.snapshot.version())
            };
            let questions = [
                (Aspect::Fees, "Was kostet das?"),
                (Aspect::Documents, "Welche Unterlagen brauche ich?"),
                (Aspect::Location, "Wo kann ich das erledigen?"),
            ]
            .into_iter()
            .filter(|(asked, _)| Some(*asked) != aspect)
            .map(|(_, question)| question.to_string());
            (next, questions.collect())
        };
        let suggestions = suggestions
            .into_iter()
            .map(|label| Suggestion {
                message: label.clone(),
                label,
            })
            .collect();
        self.reply(
            kind,
            answer,
            confidence,
            aspect,
            vec![source(service, score)],
            suggestions,
            next,
        )
    }

    /// The office answer, when the question names an office and nothing else.
    fn office_reply(
        &self,
        state: &ConversationState,
        place: &Whereabouts,
        understanding: &Understanding,
        tenant: &Tenant,
    ) -> Option<Reply> {
        let snapshot = &*self.snapshot;
        let hits = snapshot
            .offices
            .search(&understanding.query, &snapshot.catalog, &place.scope);
        let service_coverage = understanding.hits.first().map_or(0.0, |h| h.title_coverage);
        let sites = office_answer::named_sites(
            &hits,
            &snapshot.offices,
            service_coverage,
            place,
            &snapshot.catalog,
        );
        if sites.is_empty() {
            return None;
        }
        // "Gewerbesteuer" is no question about the office "… Gewerbe": a topic the
        // catalogue lacks must be in the office's name.
        let topics = Topics::shipped();
        let lacking = snapshot.lacking.for_region(tenant.region.as_deref());
        let unnamed = understanding.topics.iter().any(|named| {
            lacking.lacks(named.topic)
                && !sites.iter().any(|site| {
                    topics
                        .named(&site.name)
                        .iter()
                        .any(|n| n.topic == named.topic)
                })
        });
        if unnamed {
            return None;
        }
        let (answer, sources, suggestions) =
            office_answer::office_answer(&sites, &snapshot.catalog);
        let next = ConversationState {
            service: None,
            choices: Vec::new(),
            aspect: None,
            ..state.next(snapshot.version())
        };
        let aspect = understanding.aspect.as_ref().map(|a| a.aspect);
        Some(self.reply(
            ReplyKind::Office,
            answer,
            1.0,
            aspect,
            sources,
            suggestions,
            next,
        ))
    }

    fn clarify_reply(
        &self,
        state: &ConversationState,
        place: &Whereabouts,
        message: &str,
        services: &[(&Service, Option<f32>)],
        aspect: Option<Aspect>,
        confidence: f32,
    ) -> Reply {
        // A count or a country in the question picks the variant ("3 Zeugnisse": bis zu 5
        // Dokumente; "türkischer Führerschein": the foreign one, not the EU/EWR one; "meine
        // Verlobte aus Brasilien": the wedding with foreign ties).
        let names: Vec<&str> = services.iter().map(|(s, _)| s.name.as_str()).collect();
        if let Some(i) = near_duplicates::by_qualifier(&names, message) {
            let (service, score) = services[i];
            return self.service_reply(state, place, service, aspect, confidence, score);
        }
        // Asking which one is pointless when the part asked for is the same for all
        // ("wo kann ich beglaubigen lassen?": the same offices).
        if let Some(aspect) = aspect
            && same_for_all(
                aspect,
                &self.snapshot.catalog,
                services.iter().map(|(s, _)| *s),
            )
            && let Some(&(service, score)) = services.first()
        {
            let Ok(texts) = self.snapshot.catalog.texts(service) else {
                return self.service_reply(state, place, service, Some(aspect), confidence, score);
            };
            return self.shared_aspect_reply(state, place, services, aspect, &texts, confidence);
        }
        let mut answer = Answer::default();
        answer.paragraph("Meinten Sie …?");
        let names: Vec<String> = services.iter().map(|(s, _)| s.name.clone()).collect();
        answer.numbered_list(&names);
        self.choices_reply(
            ReplyKind::Clarify,
            answer,
            state,
            services,
            None,
            aspect,
            confidence,
        )
    }

    /// A reply that leaves `services` to choose from: each a source and a suggestion, the
    /// context holding them as choices (and `service`, if one was answered for).
    #[allow(clippy::too_many_arguments)]
    fn choices_reply(
        &self,
        kind: ReplyKind,
        answer: Answer,
        state: &ConversationState,
        services: &[(&Service, Option<f32>)],
        service: Option<&Service>,
        aspect: Option<Aspect>,
        confidence: f32,
    ) -> Reply {
        let next = ConversationState {
            service: service.map(|s| s.id.clone()),
            choices: services.iter().map(|(s, _)| s.id.clone()).collect(),
            aspect,
            ..state.next(self.snapshot.version())
        };
        let suggestions = services
            .iter()
            .map(|(s, _)| Suggestion {
                label: s.name.clone(),
                message: s.name.clone(),
            })
            .collect();
        let sources = services
            .iter()
            .map(|(s, score)| source(s, *score))
            .collect();
        self.reply(kind, answer, confidence, aspect, sources, suggestions, next)
    }

    /// The part asked for, when it is the same for every pending choice: answered once
    /// for all of them (from the first one's texts), the choices still open.
    fn shared_aspect_reply(
        &self,
        state: &ConversationState,
        place: &Whereabouts,
        services: &[(&Service, Option<f32>)],
        aspect: Aspect,
        first_texts: &ServiceTexts,
        confidence: f32,
    ) -> Reply {
        let catalog = &self.snapshot.catalog;
        let first = services[0].0;
        let names: Vec<String> = services
            .iter()
            .map(|(s, _)| format!("„{}“", s.name))
            .collect();
        let mut answer = Answer::default();
        answer.paragraph(&format!(
            "Das gilt für {} gleichermaßen:",
            join_with_and(&names)
        ));
        answer.append(answer::aspect_answer(
            first,
            first_texts,
            aspect,
            catalog,
            place,
        ));
        // Appointments, and online questions without an online application, are answered
        // with the first one's booking page; each other one has its own.
        if answer::links_booking(aspect, first, first_texts) {
            for (other, _) in &services[1..] {
                if let Some(url) = answer::booking_url(other)
                    .filter(|&url| Some(url) != answer::booking_url(first))
                {
                    answer.link(&format!("Termin für „{}“ vereinbaren", other.name), url);
                }
            }
        }
        answer
            .paragraph("Sagen Sie mir, welche Leistung Sie meinen, dann sage ich Ihnen mehr dazu.");
        // Follow-ups stay with the one answered from; naming another still picks it.
        self.choices_reply(
            ReplyKind::Aspect,
            answer,
            state,
            services,
            Some(first),
            Some(aspect),
            confidence,
        )
    }

    /// The custom answer to give, if one of the tenant's packs has a question the message
    /// matches well: the tenant's own packs (listed last) before shared ones, then the
    /// closest match. Answers outside their validity dates are never given.
    fn custom_answer(
        &self,
        tenant: &Tenant,
        understanding: &Understanding,
    ) -> Option<(&CustomAnswer, f32)> {
        let snapshot = &*self.snapshot;
        let today = Day::today();
        let threshold = snapshot.config.thresholds.custom_answer;
        understanding
            .questions
            .iter()
            .filter(|hit| hit.similarity >= threshold)
            .filter_map(|hit| match hit.target {
                Target::Answer(i) => Some((snapshot.layer.answers.get(i)?, hit.similarity)),
                Target::Service(_) => None,
            })
            .filter(|(answer, _)| answer.is_valid_on(today))
            .max_by(|(a, x), (b, y)| {
                let rank =
                    |answer: &CustomAnswer| tenant.packs.iter().position(|p| *p == answer.pack);
                rank(a).cmp(&rank(b)).then(x.total_cmp(y))
            })
    }

    fn custom_reply(
        &self,
        state: &ConversationState,
        custom: &CustomAnswer,
        similarity: f32,
    ) -> Reply {
        let mut answer = Answer::default();
        let rich = markdown::render(&custom.answer);
        answer.rich(&rich.text, &rich.html);
        if let Some(link) = &custom.link {
            answer.link("Mehr dazu", link);
        }
        let source = Source {
            kind: "custom".into(),
            id: custom.id.clone(),
            title: custom
                .questions
                .first()
                .map_or_else(|| custom.id.clone(), |q| q.text.clone()),
            url: custom.link.clone(),
            score: Some(similarity),
            updated: None,
            attribution: None,
        };
        let next = ConversationState {
            service: None,
            choices: Vec::new(),
            aspect: None,
            ..state.next(self.snapshot.version())
        };
        self.reply(
            ReplyKind::Custom,
            answer,
            similarity,
            None,
            vec![source],
            Vec::new(),
            next,
        )
    }

    /// What a `basic` tenant answers to small talk and off-topic messages: that it answers
    /// questions about services, with an example and the way on (115, contact page).
    fn services_only_reply(
        &self,
        tenant: &Tenant,
        state: &ConversationState,
        intent: IntentScore,
    ) -> Reply {
        let mut answer = Answer::default();
        answer.paragraph(&format!(
            "Ich beantworte hier Fragen zu Leistungen der Verwaltung ({}). Nennen Sie mir bitte Ihr Anliegen, zum Beispiel „Was kostet ein Reisepass?“.",
            tenant.name
        ));
        answer.paragraph(&tenant.contact);
        answer.link("Kontakt", &tenant.contact_url);
        let next = state.next(self.snapshot.version());
        let mut reply = self.reply(
            ReplyKind::Fallback,
            answer,
            intent.confidence,
            None,
            Vec::new(),
            Vec::new(),
            next,
        );
        reply.intent = intent;
        reply
    }

    /// A topic of `message` the tenant's part of the catalogue lacks, when the answer would
    /// leave it unanswered: no answer at all, or a best service the message's other words
    /// do not name ([`Topics::unanswered`]).
    fn unanswered_topic(
        &self,
        message: &str,
        tenant: &Tenant,
        understanding: &Understanding,
    ) -> Option<&'static AdminTopic> {
        let topics = Topics::shipped();
        let lacking = self.snapshot.lacking.for_region(tenant.region.as_deref());
        match (understanding.hits.first(), &understanding.decision) {
            (Some(best), Decision::Direct { .. } | Decision::Clarify { .. }) => {
                let question = understanding
                    .questions
                    .iter()
                    .find(|q| q.target == Target::Service(best.ordinal))
                    .map(|q| q.question.as_str());
                let name = &self.service_of(best).name;
                topics.unanswered(message, &understanding.topics, lacking, name, question)
            }
            _ => understanding
                .topics
                .iter()
                .find(|n| lacking.lacks(n.topic))
                .map(|n| topics.topic(n.topic)),
        }
    }

    /// The honest "not found", with the tenant's contact. For a topic this catalogue lacks
    /// ([`Engine::unanswered_topic`]) the topic is said by name, with who usually handles
    /// it.
    fn fallback_reply(
        &self,
        tenant: &Tenant,
        state: &ConversationState,
        confidence: f32,
        lacking: Option<&AdminTopic>,
    ) -> Reply {
        let mut answer = Answer::default();
        match lacking {
            Some(topic) => {
                answer.paragraph(&format!(
                    "„{}“ gehört nicht zu den Leistungen, die ich hier beschreiben kann.",
                    topic.name
                ));
                if let Some(hint) = &topic.hint {
                    answer.paragraph(&format!("Zuständig ist in der Regel {hint}."));
                }
            }
            None => answer.paragraph("Dazu habe ich leider nichts gefunden."),
        }
        answer.paragraph(&tenant.contact);
        answer.link("Kontakt", &tenant.contact_url);
        // Pending choices stay: the citizen may still pick one after a message that was
        // neither a choice nor a question Sophia can answer.
        let next = state.next(self.snapshot.version());
        self.reply(
            ReplyKind::Fallback,
            answer,
            confidence,
            None,
            Vec::new(),
            Vec::new(),
            next,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn reply(
        &self,
        kind: ReplyKind,
        answer: Answer,
        confidence: f32,
        aspect: Option<Aspect>,
        sources: Vec<Source>,
        suggestions: Vec<Suggestion>,
        mut next: ConversationState,
    ) -> Reply {
        // Only answers keep their question: feedback on small talk or a fallback has
        // nothing to review beside what the fallback itself recorded.
        next.question = match kind {
            ReplyKind::Service
            | ReplyKind::Aspect
            | ReplyKind::Clarify
            | ReplyKind::Custom
            | ReplyKind::Office => next.question.map(|asked| AnsweredQuestion {
                kind: Some(kind),
                about: sources.first().map(Nearest::of),
                ..asked
            }),
            ReplyKind::Smalltalk | ReplyKind::Fallback => None,
        };
        Reply {
            kind,
            text: answer.text(),
            html: Some(answer.html()),
            intent: IntentScore {
                name: SERVICE_SEARCH.to_string(),
                confidence: (confidence * 1000.0).round() / 1000.0,
            },
            aspect,
            sources,
            offices: answer.offices,
            suggestions,
            context: self.codec.encode(&next),
        }
    }
}

/// Names joined for a sentence: "A", "A und B", "A, B und C".
fn join_with_and(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} und {last}", rest.join(", ")),
    }
}

/// True when `aspect` has the same answer for every one of `services` (of `catalog`): same
/// offices for where to go and appointments, same fees, same online link. Fees that cannot
/// be read are never the same. Booking pages may differ ([`Engine::shared_aspect_reply`]
/// links each).
fn same_for_all<'a>(
    aspect: Aspect,
    catalog: &Catalog,
    mut services: impl Iterator<Item = &'a Service>,
) -> bool {
    let Some(first) = services.next() else {
        return true;
    };
    // The fees' text, `None` when the texts cannot be read.
    let fees = |s: &Service| {
        let texts = catalog.texts(s).ok()?;
        Some(texts.fees.as_ref().map(|f| f.text.clone()))
    };
    let first_fees = match aspect {
        Aspect::Fees => fees(first),
        _ => None,
    };
    fn offices(s: &Service) -> Vec<&str> {
        let mut ids: Vec<&str> = s.offices.iter().map(|o| o.office_id.as_str()).collect();
        ids.sort_unstable();
        ids
    }
    services.all(|other| match aspect {
        Aspect::Location | Aspect::Appointment => offices(first) == offices(other),
        Aspect::Fees => first_fees.is_some() && fees(other) == first_fees,
        Aspect::Online => {
            first.online.as_ref().map(|o| &o.url) == other.online.as_ref().map(|o| &o.url)
        }
        Aspect::Documents | Aspect::Duration | Aspect::Prerequisites => false,
    })
}

/// The source entry of a service.
fn source(service: &Service, score: Option<f32>) -> Source {
    Source {
        kind: "service".to_string(),
        id: service.id.clone(),
        title: service.name.clone(),
        url: service.url.clone(),
        score: score.map(|s| (s * 1000.0).round() / 1000.0),
        updated: service.updated.clone(),
        attribution: Some(service.attribution.clone()),
    }
}

/// The message cut to [`MAX_MESSAGE_CHARS`] characters.
fn clip(message: &str) -> &str {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((end, _)) => &message[..end],
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_joined_for_a_sentence() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_with_and(&names(&[])), "");
        assert_eq!(join_with_and(&names(&["A"])), "A");
        assert_eq!(join_with_and(&names(&["A", "B"])), "A und B");
        assert_eq!(join_with_and(&names(&["A", "B", "C"])), "A, B und C");
    }

    #[test]
    fn the_tenants_own_place_weighs_less_and_nothing_else_does() {
        let engine = Engine::shipped();
        let snapshot = engine.snapshot();
        let query = snapshot
            .index
            .analyze("Auto ummelden in München", &Synonyms::default());
        let mut weighed = query.clone();
        weighed.weigh_words(&snapshot.home_words["muenchen"], PLACE_WEIGHT);
        for (before, after) in query.terms.iter().zip(&weighed.terms) {
            let expected = if before.text == "munch" {
                before.weight * PLACE_WEIGHT
            } else {
                before.weight
            };
            assert_eq!(after.weight, expected, "{}", before.text);
        }
        assert!(query.terms.iter().any(|t| t.text == "munch"));
        // Another tenant's place is not touched.
        let hessen = snapshot
            .config
            .tenants
            .iter()
            .find(|t| t.name == "Land Hessen")
            .unwrap();
        let mut other = query.clone();
        other.weigh_words(&snapshot.home_words[&hessen.id], PLACE_WEIGHT);
        assert_eq!(other, query);
    }
}
