//! Joins the zu-infinitive of separable verbs: "anzumelden" is "anmelden", "mitzubringen"
//! "mitbringen", "umzuschreiben" "umschreiben". Citizens write "um die Hochzeit
//! anzumelden"; the catalogue says "Eheschließung anmelden".
//!
//! # Example
//! ```rust
//! use sophia::text::{GermanNormalizer, GermanTokenizer, ZuInfinitive};
//! use tantivy::tokenizer::{TextAnalyzer, TokenStream};
//!
//! let mut analyzer = TextAnalyzer::builder(GermanTokenizer::default())
//!     .filter(GermanNormalizer)
//!     .filter(ZuInfinitive)
//!     .build();
//! let mut stream = analyzer.token_stream("um das Auto abzumelden");
//! let texts: Vec<String> = std::iter::from_fn(|| stream.next().map(|t| t.text.clone())).collect();
//! assert_eq!(texts, ["um", "das", "auto", "abmelden"]);
//! ```

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Separable prefixes of verbs citizens use with the administration, longest first where
/// one starts another ("zuruck" before "zu").
const PARTICLES: &[&str] = &[
    "zuruck", "wieder", "durch", "heraus", "nach", "fest", "frei", "heim", "mit", "vor", "weg",
    "auf", "aus", "bei", "ein", "her", "hin", "los", "ab", "an", "um", "zu",
];

/// The verb of a normalised zu-infinitive, or `None` when `word` is none. The rest after
/// "zu" must be a verb ending (at least four letters, ending in -en, -ern or -eln), so
/// "anzug", "umzugs" and "einzugsermachtigung" stay as they are.
///
/// ```
/// use sophia::text::join_zu_infinitive;
/// assert_eq!(join_zu_infinitive("anzumelden").as_deref(), Some("anmelden"));
/// assert_eq!(join_zu_infinitive("einzureichen").as_deref(), Some("einreichen"));
/// assert_eq!(join_zu_infinitive("umzug"), None);
/// ```
pub fn join_zu_infinitive(word: &str) -> Option<String> {
    let particle = PARTICLES.iter().find(|p| {
        word.strip_prefix(**p)
            .is_some_and(|rest| rest.starts_with("zu"))
    })?;
    let verb = &word[particle.len() + 2..];
    let is_verb = verb.chars().count() >= 4
        && (verb.ends_with("en") || verb.ends_with("rn") || verb.ends_with("ln"));
    is_verb.then(|| format!("{particle}{verb}"))
}

/// Token filter joining zu-infinitives (see [`join_zu_infinitive`]). Expects normalised
/// tokens and goes before stemming.
#[derive(Clone, Copy, Debug, Default)]
pub struct ZuInfinitive;

impl TokenFilter for ZuInfinitive {
    type Tokenizer<T: Tokenizer> = ZuInfinitiveFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ZuInfinitiveFilter<T> {
        ZuInfinitiveFilter { inner: tokenizer }
    }
}

/// The [`Tokenizer`] produced by [`ZuInfinitive`].
#[derive(Clone)]
pub struct ZuInfinitiveFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for ZuInfinitiveFilter<T> {
    type TokenStream<'a> = ZuInfinitiveTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ZuInfinitiveTokenStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// The [`TokenStream`] produced by [`ZuInfinitiveFilter`].
pub struct ZuInfinitiveTokenStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for ZuInfinitiveTokenStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(verb) = join_zu_infinitive(&token.text) {
            token.text = verb;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zu_infinitives_of_separable_verbs_are_joined() {
        for (word, verb) in [
            ("anzumelden", "anmelden"),
            ("abzumelden", "abmelden"),
            ("umzumelden", "ummelden"),
            ("mitzubringen", "mitbringen"),
            ("abzuholen", "abholen"),
            ("vorzulegen", "vorlegen"),
            ("nachzuweisen", "nachweisen"),
            ("einzugeben", "eingeben"),
            ("umzuschreiben", "umschreiben"),
            ("zuruckzugeben", "zuruckgeben"),
            ("auszustellen", "ausstellen"),
            ("aufzubewahren", "aufbewahren"),
            ("wiederzubekommen", "wiederbekommen"),
            ("anzumeldenden", "anmeldenden"),
            ("festzustellen", "feststellen"),
            ("ausfindigzumachen", "ausfindigzumachen"),
        ] {
            let joined = join_zu_infinitive(word).unwrap_or_else(|| word.to_string());
            assert_eq!(joined, verb, "{word}");
        }
    }

    #[test]
    fn nouns_and_other_words_with_zu_stay() {
        for word in [
            "anzug",
            "umzug",
            "umzugs",
            "umzugskarton",
            "einzugsermachtigung",
            "aufzug",
            "vorzugsweise",
            "abzugsfahig",
            "zuzug",
            "anzahl",
            "zulassung",
            "zuschuss",
            "anzeige",
            "auszug",
            "einzug",
            "zuzahlen",
        ] {
            assert_eq!(join_zu_infinitive(word), None, "{word}");
        }
    }
}
