//! `Engine::respond` on the shipped Munich catalogue over a mix of realistic questions, and,
//! in the same run over the same questions and documents, the steps below it down to a raw
//! tantivy BM25 query over a default-tokenised index: the ratio of our analysis and dialogue
//! cost to plain tantivy is printed at the end.
//!
//! Bench names in group `mix` (one iteration = the whole question mix):
//! - `1_sophia_respond`: the full answer (intent, aspect, search, policy, answer text).
//! - `2_sophia_search`: only the catalogue search with German analysis (analysis, typo
//!   correction, BM25 with global weights, coverage).
//! - `3_plain_bm25_index`: the same search code over `IndexOptions::plain_bm25()`.
//! - `4_tantivy_bm25`: a raw tantivy `QueryParser` query, default tokenizer, top 10.
//!
//! Group `steps` times the parts of understanding a message over the same mix: `analyze`
//! (German analysis, synonyms, typo correction; the corrector keeps the corrections of the
//! words it saw, so after the first pass these come from its cache), `typo_uncached`
//! (spelling correction of every word of the mix, nothing kept), `search` (the catalogue ranking of the
//! analysed query), `pack_questions` (matching the packs' citizen questions) and `intents`
//! (the intent classifier).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sophia::content::Catalog;
use sophia::search::{CatalogIndex, IndexOptions};
use sophia::text::{Synonyms, retrieval_analyzer, tokens};
use sophia::{ChatRequest, Engine};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Schema, TEXT};
use tantivy::{Index, IndexReader, TantivyDocument};

mod common;
use common::{per_request, questions, requests};

/// A raw tantivy index of the citizen-facing services: name, keywords and body text with
/// tantivy's default tokenizer, and a query parser over the three fields.
struct RawTantivy {
    reader: IndexReader,
    parser: QueryParser,
}

impl RawTantivy {
    fn build(catalog: &Catalog) -> RawTantivy {
        let mut builder = Schema::builder();
        let name = builder.add_text_field("name", TEXT);
        let keywords = builder.add_text_field("keywords", TEXT);
        let body = builder.add_text_field("body", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 50_000_000).unwrap();
        for service in catalog.services().iter().filter(|s| s.citizen_facing) {
            let texts = catalog.texts(service).unwrap();
            let mut doc = TantivyDocument::default();
            doc.add_text(name, &service.name);
            for keyword in &service.keywords {
                doc.add_text(keywords, keyword);
            }
            doc.add_text(body, &texts.description.text);
            if let Some(fees) = &texts.fees {
                doc.add_text(body, &fees.text);
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let reader = index.reader().unwrap();
        let parser = QueryParser::for_index(&index, vec![name, keywords, body]);
        RawTantivy { reader, parser }
    }

    fn search(&self, message: &str) -> usize {
        let (query, _errors) = self.parser.parse_query_lenient(message);
        let searcher = self.reader.searcher();
        searcher
            .search(&query, &TopDocs::with_limit(10).order_by_score())
            .map(|top| top.len())
            .unwrap_or(0)
    }
}

/// Mean time per question of `f` over `passes` passes of the mix.
fn per_question(questions: &[String], passes: usize, mut f: impl FnMut(&str)) -> Duration {
    let start = Instant::now();
    for _ in 0..passes {
        for q in questions {
            f(q);
        }
    }
    start.elapsed() / (passes * questions.len()) as u32
}

fn bench_mix(c: &mut Criterion) {
    let engine = Engine::shipped();
    let catalog = Catalog::shipped();
    let german = &engine.snapshot().index;
    let synonyms = engine.snapshot().synonyms.clone();
    let plain = CatalogIndex::build(&catalog, IndexOptions::plain_bm25()).unwrap();
    let none = Synonyms::default();
    let raw = RawTantivy::build(&catalog);
    let requests = requests(&engine, |q: &str| ChatRequest::new(q));
    let questions = questions();

    let mut group = c.benchmark_group("mix");
    group
        .throughput(Throughput::Elements(questions.len() as u64))
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.bench_function("1_sophia_respond", |b| {
        b.iter(|| {
            for request in &requests {
                black_box(engine.respond(request));
            }
        })
    });
    group.bench_function("2_sophia_search", |b| {
        b.iter(|| {
            for q in &questions {
                black_box(german.search(q, &synonyms, 10));
            }
        })
    });
    group.bench_function("3_plain_bm25_index", |b| {
        b.iter(|| {
            for q in &questions {
                black_box(plain.search(q, &none, 10));
            }
        })
    });
    group.bench_function("4_tantivy_bm25", |b| {
        b.iter(|| {
            for q in &questions {
                black_box(raw.search(q));
            }
        })
    });
    group.finish();

    // The same four, timed once more side by side, for the ratios.
    let passes = 20;
    let start = Instant::now();
    for _ in 0..passes {
        for request in &requests {
            black_box(engine.respond(request));
        }
    }
    let respond = start.elapsed() / (passes * requests.len()) as u32;
    let search = per_question(&questions, passes, |q| {
        black_box(german.search(q, &synonyms, 10));
    });
    let plain_search = per_question(&questions, passes, |q| {
        black_box(plain.search(q, &none, 10));
    });
    let tantivy = per_question(&questions, passes * 5, |q| {
        black_box(raw.search(q));
    });
    let ratio = |d: Duration| d.as_secs_f64() / tantivy.as_secs_f64().max(1e-12);
    let (median, p99, slowest, slowest_median) = per_request(&engine, &requests, 50);
    println!(
        "\nrespond per request over {} requests x 50: median {median:?}, p99 {p99:?} \
         (targets 0.3 ms, 2 ms); slowest {slowest:?} with a median of {slowest_median:?}",
        requests.len()
    );
    println!(
        "\nper question: respond {respond:?} ({:.0}x raw tantivy), sophia search {search:?} ({:.0}x), \
         plain-BM25 index search {plain_search:?} ({:.1}x), raw tantivy BM25 {tantivy:?} (1x)",
        ratio(respond),
        ratio(search),
        ratio(plain_search),
    );
}

fn bench_respond(c: &mut Criterion) {
    let engine = Engine::shipped();
    let first = engine.respond(&ChatRequest::new("Reisepass"));
    let follow_up = ChatRequest {
        message: "und was kostet das?".into(),
        context: Some(first.context),
        ..Default::default()
    };
    let mut group = c.benchmark_group("respond");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("follow_up", |b| {
        b.iter(|| black_box(engine.respond(&follow_up)))
    });
    group.finish();
}

/// The steps of understanding one message, each over the whole mix: where an answer's time
/// goes.
fn bench_steps(c: &mut Criterion) {
    let engine = Engine::shipped();
    let snapshot = engine.snapshot();
    let tenant = &snapshot.config.default_tenant;
    let synonyms = snapshot.layer.synonyms(tenant);
    let packs = snapshot.layer.questions(tenant);
    let questions = questions();
    let queries: Vec<_> = questions
        .iter()
        .map(|q| snapshot.index.analyze(q, synonyms))
        .collect();
    let mut group = c.benchmark_group("steps");
    group
        .throughput(Throughput::Elements(questions.len() as u64))
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("analyze", |b| {
        b.iter(|| {
            for q in &questions {
                black_box(snapshot.index.analyze(q, synonyms));
            }
        })
    });
    // Spelling correction of every word of the mix, without the corrector's cache of
    // corrections already looked up: what an unseen word costs.
    let vocabulary = snapshot.index.corrector().unwrap().vocabulary().clone();
    let uncached = sophia::text::TypoCorrector::with_cache(vocabulary, 0);
    let words: Vec<&str> = questions
        .iter()
        .flat_map(|q| sophia::text::words(q).map(|(_, w)| w))
        .collect();
    group.bench_function("typo_uncached", |b| {
        b.iter(|| {
            for word in &words {
                black_box(uncached.corrections_of_word(word));
            }
        })
    });
    group.bench_function("search", |b| {
        b.iter(|| {
            for query in &queries {
                black_box(snapshot.index.search_terms(query, 10));
            }
        })
    });
    group.bench_function("pack_questions", |b| {
        b.iter(|| {
            for query in &queries {
                black_box(packs.matches(query, 10));
            }
        })
    });
    group.bench_function("intents", |b| {
        b.iter(|| {
            for q in &questions {
                black_box(snapshot.intents.probabilities(q));
            }
        })
    });
    group.finish();
}

fn bench_analyzer(c: &mut Criterion) {
    let mut analyzer = retrieval_analyzer();
    c.bench_function("analyzer/question", |b| {
        b.iter(|| {
            black_box(tokens(
                &mut analyzer,
                "Ich möchte meinen Führerschein umschreiben lassen, was brauche ich?",
            ))
        })
    });
}

criterion_group!(
    benches,
    bench_mix,
    bench_steps,
    bench_respond,
    bench_analyzer
);
criterion_main!(benches);
