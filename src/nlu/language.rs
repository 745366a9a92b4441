//! Is a message written in English? Sophia answers in German; a question in English gets an
//! honest note in both languages (besides the best answer when the search is sure anyway).

/// English function words and common English words of administration questions that are
/// not also German words.
const ENGLISH: &[&str] = &[
    "the",
    "is",
    "are",
    "how",
    "what",
    "where",
    "when",
    "who",
    "which",
    "why",
    "do",
    "does",
    "can",
    "could",
    "i",
    "my",
    "me",
    "you",
    "your",
    "need",
    "want",
    "get",
    "a",
    "an",
    "to",
    "for",
    "of",
    "in",
    "on",
    "with",
    "and",
    "or",
    "much",
    "many",
    "it",
    "this",
    "that",
    "have",
    "has",
    "please",
    "hello",
    "hi",
    "thanks",
    "thank",
    "new",
    "lost",
    "apply",
    "renew",
    "without",
    "from",
    "came",
    "come",
    "permit",
    "residence",
    "license",
    "licence",
    "driver",
    "driving",
    "citizen",
    "registration",
    "certificate",
    "appointment",
    "office",
    "stolen",
];
/// English words that carry no topic, left out of the search when a message reads as
/// English ([`english_function_words`]).
const ENGLISH_FUNCTION: &[&str] = &[
    "the", "is", "are", "am", "was", "how", "what", "where", "when", "who", "which", "why", "do",
    "does", "did", "can", "could", "should", "would", "will", "i", "my", "me", "we", "our", "you",
    "your", "need", "want", "get", "got", "a", "an", "to", "for", "of", "on", "with", "and", "or",
    "much", "many", "it", "this", "that", "have", "has", "had", "please", "apply", "there", "here",
    "any", "some", "be", "been", "at", "by", "from", "about", "if", "so", "just", "also",
];

/// English words that say nothing about the service asked for ("how", "much", "need",
/// "apply"): a message that reads as English ([`is_english`]) is searched without them.
///
/// ```
/// let words = sophia::nlu::language::english_function_words();
/// assert!(words.contains(&"need"));
/// assert!(!words.contains(&"passport"));
/// ```
pub fn english_function_words() -> &'static [&'static str] {
    ENGLISH_FUNCTION
}

/// German function words.
const GERMAN: &[&str] = &[
    "der", "die", "das", "ist", "sind", "wie", "was", "wo", "wann", "wer", "welche", "ich", "mein",
    "meine", "mir", "mich", "du", "sie", "brauche", "möchte", "will", "ein", "eine", "einen",
    "für", "von", "mit", "und", "oder", "kann", "muss", "bitte", "hallo", "danke", "neuen",
    "neuer", "nicht", "auf", "zu", "im", "beim", "den", "dem",
];

/// True when the message reads as English: at least two English function words and more of
/// them than German ones ("in", "an" count for both).
///
/// ```
/// use sophia::nlu::language::is_english;
/// assert!(is_english("How much is a new passport?"));
/// assert!(!is_english("Was kostet ein neuer Reisepass?"));
/// assert!(!is_english("Reisepass"));
/// ```
pub fn is_english(message: &str) -> bool {
    let words: Vec<String> = message
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let english = words
        .iter()
        .filter(|w| ENGLISH.contains(&w.as_str()))
        .count();
    let german = words
        .iter()
        .filter(|w| GERMAN.contains(&w.as_str()) && !ENGLISH.contains(&w.as_str()))
        .count();
    english >= 2 && english > german
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_questions_are_recognised() {
        for message in [
            "how do i register my address",
            "I lost my passport, what can I do?",
            "where can I apply for a residence permit",
            "us citizen, came without visa, need residence permit munich",
        ] {
            assert!(is_english(message), "{message}");
        }
    }

    #[test]
    fn german_questions_and_loan_words_are_not() {
        for message in [
            "perso verloren",
            "ich brauche einen neuen reisepass",
            "kann ich das online machen",
            "Working Holiday Visum beantragen",
            "hallo",
        ] {
            assert!(!is_english(message), "{message}");
        }
    }
}
