//! `Engine::respond` on a synthetic Germany-scale catalogue (`content::synthetic`: 417
//! authorities × ~240 services ≈ 100,000 services) with the request scoped to one
//! authority, as a Kreis portal or a citizen's location scopes it.
//!
//! The catalogue and the snapshot are built once per run; their build times and the
//! process's resident memory (VmRSS) are printed, not benchmarked. Fewer authorities for a
//! quick look: `SOPHIA_SCALE_AUTHORITIES=50 cargo bench --bench scale`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sophia::config::Config;
use sophia::content::PackLibrary;
use sophia::content::synthetic::{self, DEFAULT_AUTHORITIES};
use sophia::dialog::ContextCodec;
use sophia::geo::Scope;
use sophia::{ChatRequest, Engine, Snapshot};

mod common;
use common::{per_request, questions, requests};

/// The process's resident memory in MB, from `/proc/self/status` (Linux only).
fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn mb(value: Option<f64>) -> String {
    value.map_or("?".to_string(), |v| format!("{v:.0} MB"))
}

fn bench_scale(c: &mut Criterion) {
    let count = std::env::var("SOPHIA_SCALE_AUTHORITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_AUTHORITIES);
    let rss_start = rss_mb();
    let started = Instant::now();
    let (catalog, authorities) = synthetic::catalogue(count, 1);
    let generated = started.elapsed();
    let services = catalog.services().len();
    let offices = catalog.offices().len();
    let rss_catalogue = rss_mb();

    // A national tenant without a region (the default) and one Kreis portal; no packs.
    let a = &authorities[authorities.len() / 2];
    let config = format!(
        "default_tenant = \"bund\"\n\
         [[tenant]]\nid = \"bund\"\nname = \"Bund\"\ncontact = \"115\"\ncontact_url = \"https://example.org/\"\npacks = []\n\
         [[tenant]]\nid = \"kreis\"\nname = \"{}\"\ncontact = \"115\"\ncontact_url = \"https://example.org/\"\npacks = []\nregion = \"{}\"\n",
        a.name, a.ars
    );
    let config = Config::parse("scale.toml", &config).unwrap();
    let started = Instant::now();
    let mut snapshot = Snapshot::build(catalog, &PackLibrary::default(), config).unwrap();
    let built = started.elapsed();
    snapshot.places = Arc::new(synthetic::places(&authorities));
    let rss_built = rss_mb();
    println!(
        "\nscale: {count} authorities, {services} services, {offices} offices; \
         generated in {generated:.2?} (RSS {} -> {}), snapshot built in {built:.2?} \
         (RSS {}); {} services indexed",
        mb(rss_start),
        mb(rss_catalogue),
        mb(rss_built),
        snapshot.index.len(),
    );
    let engine = Engine::new(Arc::new(snapshot), ContextCodec::new(b"bench"));

    let tenant = |q: &str| ChatRequest {
        tenant: Some("kreis".into()),
        ..ChatRequest::new(q)
    };
    let located = |q: &str| ChatRequest {
        location: Some(a.postcode.clone()),
        ..ChatRequest::new(q)
    };
    let scoped = requests(&engine, tenant);
    let by_location = requests(&engine, located);
    let unscoped = requests(&engine, |q: &str| ChatRequest::new(q));
    let first = engine.respond(&scoped[0]);
    assert!(
        first.sources.iter().all(|s| a.owns(&s.id)),
        "{:?}",
        first.sources
    );

    let questions = questions();
    let mut group = c.benchmark_group("scale");
    group
        .throughput(Throughput::Elements(questions.len() as u64))
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.bench_function("respond_mix_tenant_region", |b| {
        b.iter(|| {
            for request in &scoped {
                black_box(engine.respond(request));
            }
        })
    });
    group.bench_function("respond_mix_location", |b| {
        b.iter(|| {
            for request in &by_location {
                black_box(engine.respond(request));
            }
        })
    });
    let snapshot = engine.snapshot();
    let scope = Scope::new([Some(a.ars.as_str())]);
    group.bench_function("search_mix_scoped", |b| {
        b.iter(|| {
            for q in &questions {
                let query = snapshot.index.analyze(q, &snapshot.synonyms);
                black_box(snapshot.index.search_scoped(&query, &scope, 10));
            }
        })
    });
    group.bench_function("respond_mix_unscoped", |b| {
        b.iter(|| {
            for request in &unscoped {
                black_box(engine.respond(request));
            }
        })
    });
    group.finish();

    for (name, mix) in [("tenant region", &scoped), ("location", &by_location)] {
        let (median, p99, slowest, slowest_median) = per_request(&engine, mix, 20);
        println!(
            "\nscale respond per request, scoped by {name}, over {} requests x 20: \
             median {median:?}, p99 {p99:?} (target 5 ms); slowest {slowest:?} with a \
             median of {slowest_median:?}",
            mix.len()
        );
    }
}

criterion_group!(benches, bench_scale);
criterion_main!(benches);
