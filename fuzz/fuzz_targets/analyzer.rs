//! The German analysis chain on arbitrary text: tokenizer, normaliser, zu-infinitives,
//! stop words, stemmer, compound splitting, typo correction and `explain`.
//!
//! Checks beyond "no panic": `normalize_word` is idempotent, `explain` agrees with the
//! retrieval analyzer, and token offsets lie on character boundaries of the input.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use sophia::text::{
    Dictionary, TypoCorrector, Vocabulary, explain, intent_analyzer, normalize_word,
    retrieval_analyzer, retrieval_analyzer_with, separated_particles, tokens, words,
};
use tantivy::tokenizer::TokenStream;

fn dictionary() -> Arc<Dictionary> {
    static DICTIONARY: OnceLock<Arc<Dictionary>> = OnceLock::new();
    DICTIONARY
        .get_or_init(|| {
            Arc::new(Dictionary::from_words(
                "wohnsitz anmeld fuhrer schein reis pass gewerb breitband forder kind geld burg amt"
                    .split(' '),
            ))
        })
        .clone()
}

fn corrector() -> &'static TypoCorrector {
    static CORRECTOR: OnceLock<TypoCorrector> = OnceLock::new();
    CORRECTOR.get_or_init(|| {
        TypoCorrector::new(Vocabulary::from_counts(
            "reisepass fuhrerschein anmeld gewerb wohnsitz personalausweis"
                .split(' ')
                .map(|w| (w.to_string(), 3)),
        ))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for (_, word) in words(text) {
        let once = normalize_word(word);
        assert_eq!(normalize_word(&once), once, "not idempotent on {word:?}");
        let _ = corrector().corrections_of_word(word);
    }
    let retrieval = tokens(&mut retrieval_analyzer(), text);
    let explained: Vec<String> = explain(text)
        .into_iter()
        .filter_map(|t| t.stemmed)
        .collect();
    assert_eq!(explained, retrieval);
    let _ = tokens(&mut intent_analyzer(), text);
    let mut analyzer = retrieval_analyzer_with(dictionary());
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        assert!(token.offset_from <= token.offset_to && token.offset_to <= text.len());
        assert!(text.is_char_boundary(token.offset_from) && text.is_char_boundary(token.offset_to));
    }
    let _ = separated_particles(text);
});
