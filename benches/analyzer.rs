//! Analyzer throughput in bytes per second over the real service descriptions of the Munich
//! catalogue: our German retrieval analysis (without and with compound splitting, as the
//! index uses it) against tantivy's default tokenizer on the same text.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sophia::content::Catalog;
use sophia::text::{Dictionary, retrieval_analyzer, retrieval_analyzer_with, tokens};
use tantivy::tokenizer::{TextAnalyzer, TokenizerManager};

/// Number of tokens `analyzer` makes of every text (all of them are consumed).
fn run(analyzer: &mut TextAnalyzer, texts: &[&str]) -> usize {
    texts.iter().map(|t| tokens(analyzer, t).len()).sum()
}

fn bench_analyzer(c: &mut Criterion) {
    let catalog = Catalog::shipped();
    let descriptions: Vec<String> = catalog
        .services()
        .iter()
        .filter(|s| s.citizen_facing)
        .map(|s| catalog.texts(s).unwrap().description.text.clone())
        .collect();
    let texts: Vec<&str> = descriptions.iter().map(String::as_str).collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    // The compound dictionary the index builds: every word of the catalogue, analysed.
    let mut plain = retrieval_analyzer();
    let words: std::collections::HashSet<String> =
        texts.iter().flat_map(|t| tokens(&mut plain, t)).collect();
    let dictionary = Arc::new(Dictionary::from_words(words.iter()));

    let mut group = c.benchmark_group("analyzer");
    group
        .throughput(Throughput::Bytes(bytes as u64))
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.bench_function("descriptions/sophia_retrieval", |b| {
        let mut analyzer = retrieval_analyzer();
        b.iter(|| black_box(run(&mut analyzer, &texts)))
    });
    group.bench_function("descriptions/sophia_retrieval_decompound", |b| {
        let mut analyzer = retrieval_analyzer_with(Arc::clone(&dictionary));
        b.iter(|| black_box(run(&mut analyzer, &texts)))
    });
    group.bench_function("descriptions/tantivy_default", |b| {
        let mut analyzer = TokenizerManager::default()
            .get("default")
            .expect("tantivy registers its default tokenizer");
        b.iter(|| black_box(run(&mut analyzer, &texts)))
    });
    group.finish();
    println!(
        "analyzer: {} descriptions, {:.1} KB",
        texts.len(),
        bytes as f64 / 1024.0
    );
}

criterion_group!(benches, bench_analyzer);
criterion_main!(benches);
