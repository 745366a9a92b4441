//! Whether a message goes on about the service the conversation is about ("und wo mache ich
//! das?", "muss ich den Diebstahl auch bei der Polizei anzeigen?") or asks something new.
//!
//! The words that could name a service are weighed: follow-up words ("dafür", "machen"),
//! scraps and words too common to name anything are left out. The message is new when the
//! search alone answers it with another service that holds more of those words or is named
//! by one the service in context is not named by, or offers other services for words the
//! one in context lacks.

use crate::nlu::AspectDetector;
use crate::search::{AnalyzedQuery, CatalogIndex, Hit, ServiceField, TermOrigin};

/// A word found in at least one in this many services names no service on its own
/// ("Stadt"), only through a service's name.
pub(crate) const GENERIC_SHARE: u64 = 8;

/// What the search alone made of the message, besides the service in context.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rival<'a> {
    /// It would answer directly with this service of another type.
    Direct(&'a Hit),
    /// It would offer services of other types to choose from.
    Choices,
    /// It found nothing else.
    None,
}

/// How a message relates to the service in context.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Topic {
    /// Words that could name a service ("Polizei", "Reisepass"; not "machen", "das").
    pub words: usize,
    /// How many of them the service in context holds.
    pub held: usize,
    /// The message is about another service: a new question.
    pub elsewhere: bool,
    /// A word the catalogue does not know ("Kaffee", "zuhause"): it may be everyday talk
    /// around the question, or something no service is about.
    pub vague: bool,
    /// Words that name some service (in its name or keywords) and that the service in
    /// context does not hold anywhere ("Oktoberfest" while talking about the trade
    /// registration).
    pub foreign: usize,
}

impl Topic {
    /// True when the service in context holds most of the message's words ("muss ich das
    /// auch bei der Polizei anzeigen?" about a stolen ID card): a follow-up even without
    /// an aspect asked.
    pub fn confirmed(&self) -> bool {
        !self.elsewhere && self.held > 0 && self.held * 3 >= self.words * 2
    }

    /// True when nothing in the message could name a service: only follow-up words,
    /// people and scraps ("kann meine Frau die für mich abholen?"). Said in a conversation
    /// about a service, it is about that service.
    pub fn names_nothing(&self) -> bool {
        !self.elsewhere && !self.vague && self.words == 0
    }
}

/// Where one word that could name a service is found.
#[derive(Debug, Clone, Copy, Default)]
struct Found {
    /// So common in the catalogue that it names a service only through a name ("Stadt",
    /// "Reisepass" in many descriptions): counts only when the rival is named by it.
    generic: bool,
    in_context: bool,
    /// In the editors' questions for the service in context: it holds the word, but a
    /// word naming another service, or found by the search in another, still says that
    /// one.
    in_editors_questions: bool,
    /// In the name of the service in context (not its keywords).
    in_context_name: bool,
    in_rival: bool,
    /// In the rival's name.
    in_rival_name: bool,
    /// Some service has it in its name or keywords.
    named: bool,
}

/// A stem this long names a service whose name holds it inside a compound ("berat" in
/// "Elternberatung").
const NAME_PART_LEN: usize = 5;

/// Weighs the words of `query` (without the aspect cue tokens `cues`) against the service
/// at `ordinal`, named `name`, and what the search made of the message alone. The service
/// holds a word when its text does or when `editors_hold` it: the editors' questions for
/// the service speak of it in that word (through any of the word's terms: itself, a part, a
/// synonym's alternative, a correction). Held words count for [`Topic::confirmed`], which
/// also keeps a message the classifier is unsure of from small talk; a word naming another
/// service, or found by the search in another, still says that one.
pub(crate) fn topic(
    index: &CatalogIndex,
    aspects: &AspectDetector,
    query: &AnalyzedQuery,
    cues: &[String],
    (ordinal, name): (usize, &str),
    editors_hold: &dyn Fn(&str) -> bool,
    rival: Rival<'_>,
) -> Topic {
    let mut topic = Topic::default();
    let mut found = Vec::new();
    let name_words: Vec<String> = crate::text::words(name)
        .map(|(_, w)| crate::text::normalize_word(w))
        .collect();
    // "Beratung" names "Elternberatung zur Kinderbetreuung" as much as its own word would.
    let in_name_compound = |stem: &str| {
        stem.chars().count() >= NAME_PART_LEN && name_words.iter().any(|w| w.contains(stem))
    };
    for word in query.words() {
        let terms: Vec<_> = query.terms.iter().filter(|t| t.word == word).collect();
        let mut generic = false;
        if let Some(exact) = terms.iter().find(|t| t.origin == TermOrigin::Exact) {
            if cues.contains(&exact.text)
                || aspects.only_follow_up_words([&exact.text])
                || exact.text.chars().count() <= 2
            {
                continue;
            }
            generic = !exact.is_unknown() && exact.doc_freq * GENERIC_SHARE >= index.len();
        }
        let known: Vec<_> = terms.iter().filter(|t| !t.is_unknown()).collect();
        if known.is_empty() {
            topic.vague = true;
            continue;
        }
        let mut f = Found {
            generic,
            ..Found::default()
        };
        // The word as typed, when the service in context holds it: its synonyms then do
        // not make another service named by it ("Standesamt" also searches
        // "Eheschließung", but a Standesamt appointment for the church exit is no wedding).
        let fields: Vec<Vec<ServiceField>> = known
            .iter()
            .map(|t| index.fields_containing(ordinal, &t.text))
            .collect();
        let own_in_context = known
            .iter()
            .zip(&fields)
            .any(|(t, fields)| t.origin == TermOrigin::Exact && !fields.is_empty());
        for (term, fields) in known.into_iter().zip(&fields) {
            f.in_context |= !fields.is_empty();
            f.in_editors_questions |= editors_hold(&term.text);
            f.in_context_name |=
                fields.contains(&ServiceField::Name) || in_name_compound(&term.text);
            f.named |= index.title_doc_freq(&term.text) > 0;
            let names_rival = term.origin != TermOrigin::Synonym || !own_in_context;
            if let Rival::Direct(hit) = rival {
                for (matched, field) in &hit.matched {
                    if *matched == term.text {
                        f.in_rival = true;
                        f.in_rival_name |= *field == ServiceField::Name && names_rival;
                    }
                }
            }
        }
        found.push(f);
    }
    topic.words = found.iter().filter(|f| !f.generic).count();
    topic.held = found
        .iter()
        .filter(|f| !f.generic && (f.in_context || f.in_editors_questions))
        .count();
    topic.foreign = found
        .iter()
        .filter(|f| !f.generic && f.named && !f.in_context)
        .count();
    topic.elsewhere = match rival {
        Rival::Direct(_) => {
            let count = |p: fn(&Found) -> bool| found.iter().filter(|f| p(f)).count();
            // The rival holds more of the words, or is named by one that does not name the
            // service in context ("Reisepass" while talking about the ID card).
            count(|f| !f.generic && f.in_rival) > count(|f| !f.generic && f.in_context)
                || found
                    .iter()
                    .any(|f| !f.generic && f.in_rival_name && !f.in_context_name)
        }
        Rival::Choices => found.iter().any(|f| !f.generic && f.named && !f.in_context),
        Rival::None => false,
    };
    topic
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;
    use crate::config::Thresholds;
    use crate::content::Catalog;
    use crate::dialog::policy::{Decision, decide};
    use crate::search::IndexOptions;

    struct Setup {
        catalog: Catalog,
        index: CatalogIndex,
        aspects: AspectDetector,
    }

    fn setup() -> &'static Setup {
        static SETUP: OnceLock<Setup> = OnceLock::new();
        SETUP.get_or_init(|| {
            let catalog = Catalog::shipped();
            let index = CatalogIndex::build(&catalog, IndexOptions::default()).unwrap();
            Setup {
                catalog,
                index,
                aspects: AspectDetector::shipped(),
            }
        })
    }

    fn ordinal(service: &str) -> usize {
        setup()
            .catalog
            .services()
            .iter()
            .position(|x| x.name == service)
            .unwrap_or_else(|| panic!("no service {service}"))
    }

    /// The topic of `message` about `service`, with the rival the engine would see (pack
    /// questions left out).
    fn topic_of(message: &str, service: &str) -> Topic {
        topic_with_editors(message, service, &|_| false)
    }

    /// Like `topic_of`, with the editors' questions for the service holding `editors_hold`.
    fn topic_with_editors(
        message: &str,
        service: &str,
        editors_hold: &dyn Fn(&str) -> bool,
    ) -> Topic {
        let s = setup();
        let cues = s
            .aspects
            .detect(message)
            .map(|found| found.cue_tokens)
            .unwrap_or_default();
        let query = s.index.analyze(message, &Default::default());
        let hits = s.index.search_terms(&query.without_words(&cues), 10);
        let own = ordinal(service);
        let rival = match decide(&hits, &Thresholds::default()) {
            Decision::Direct { .. } if hits[0].ordinal != own => Rival::Direct(&hits[0]),
            Decision::Clarify { choices, .. }
                if choices.iter().all(|&i| hits[i].ordinal != own) =>
            {
                Rival::Choices
            }
            _ => Rival::None,
        };
        topic(
            &s.index,
            &s.aspects,
            &query,
            &cues,
            (own, service),
            editors_hold,
            rival,
        )
    }

    #[test]
    fn a_bare_aspect_question_names_nothing() {
        let t = topic_of("und was kostet das?", "Reisepass");
        assert_eq!((t.words, t.elsewhere, t.vague), (0, false, false), "{t:?}");
        let t = topic_of("geht das auch online?", "Personalausweis");
        assert!(!t.elsewhere, "{t:?}");
    }

    #[test]
    fn words_of_descriptions_only_do_not_start_a_new_question() {
        let t = topic_of("welche unterlagen soll ich bereithalten", "Personalausweis");
        assert!(!t.elsewhere, "{t:?}");
    }

    #[test]
    fn words_the_catalogue_does_not_know_are_vague() {
        let t = topic_of("was kostet ein kaffee", "Personalausweis");
        assert!(t.vague && !t.elsewhere && !t.confirmed(), "{t:?}");
    }

    #[test]
    fn words_the_service_in_context_holds_confirm_it_against_a_weaker_rival() {
        let t = topic_of(
            "muss ich das auch bei der polizei anzeigen",
            "Verlust oder Diebstahl Personalausweis",
        );
        assert!(t.confirmed(), "{t:?}");
    }

    #[test]
    fn words_of_the_editors_questions_for_the_service_confirm_it() {
        let s = setup();
        let message = "muss ich das zuerst bei der polizei anzeigen";
        let service = "Verlust oder Diebstahl der Kennzeichenschilder";
        let query = s.index.analyze(message, &Default::default());
        let context = (ordinal(service), service);
        // The search alone placed nothing (as with the editors' questions fused in).
        let with = |editors: &dyn Fn(&str) -> bool| {
            topic(
                &s.index,
                &s.aspects,
                &query,
                &[],
                context,
                editors,
                Rival::None,
            )
        };
        // Its description speaks of neither the police nor a report.
        assert!(!with(&|_| false).confirmed());
        let t = with(&|term| ["polizei", "anzeig"].contains(&term));
        assert!(t.confirmed(), "{t:?}");
        // A word naming another service still names it.
        let t = topic_with_editors(
            "und was kostet ein fischereischein",
            "Personalausweis",
            &|t| t == "fischereischein",
        );
        assert!(t.elsewhere, "{t:?}");
    }

    #[test]
    fn a_part_of_the_compound_in_the_services_name_names_it() {
        // "Beratung" is in "Elternberatung", although other services are named "… Beratung".
        let t = topic_of(
            "kostet die beratung was",
            "Elternberatung zur Kinderbetreuung",
        );
        assert!(!t.elsewhere, "{t:?}");
    }

    #[test]
    fn another_service_named_in_its_name_is_a_new_question() {
        let t = topic_of("und was kostet ein fischereischein", "Personalausweis");
        assert!(t.elsewhere, "{t:?}");
    }

    #[test]
    fn other_choices_for_a_word_the_service_lacks_are_a_new_question() {
        let s = setup();
        let query = s
            .index
            .analyze("und was kostet ein fischereischein", &Default::default());
        let cues = s
            .aspects
            .detect("und was kostet ein fischereischein")
            .unwrap()
            .cue_tokens;
        let context = (ordinal("Personalausweis"), "Personalausweis");
        let with_choices = |query| {
            topic(
                &s.index,
                &s.aspects,
                query,
                &cues,
                context,
                &|_| false,
                Rival::Choices,
            )
        };
        let t = with_choices(&query);
        assert!(t.elsewhere, "{t:?}");
        let t = with_choices(&s.index.analyze("und was kostet das", &Default::default()));
        assert!(!t.elsewhere, "{t:?}");
    }
}
