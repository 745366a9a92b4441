//! Scope before scoring at scale: a synthetic catalogue holding every Munich service once per
//! authority (20 authorities, ~4,800 services here; `benches/scale.rs` uses ~100,000)
//! answers a question scoped to one authority with that authority's own copy, and the
//! other authorities' copies never compete with it.

use std::sync::{Arc, OnceLock};

use sophia::config::Config;
use sophia::content::synthetic::{self, Authority};
use sophia::content::{Catalog, PackLibrary};
use sophia::dialog::ContextCodec;
use sophia::{ChatRequest, Engine, Reply, ReplyKind, Snapshot};

const AUTHORITIES: usize = 20;
const SEED: u64 = 2026;
const REISEPASS: &str = "1063453";
const MUENCHEN: &str = "091620000000";

/// The engine over the synthetic catalogue: a default tenant without a region (a national
/// portal) and one tenant per authority with the authority's region; no packs (the
/// shipped packs name Munich's ids, which the synthetic catalogue does not have).
fn engine() -> &'static (Engine, Vec<Authority>) {
    static ENGINE: OnceLock<(Engine, Vec<Authority>)> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let (catalog, authorities) = synthetic::catalogue(AUTHORITIES, SEED);
        let mut config = String::from("default_tenant = \"bund\"\n");
        let tenant = |id: &str, region: Option<&str>| {
            let region = region.map_or(String::new(), |r| format!("region = \"{r}\"\n"));
            format!(
                "\n[[tenant]]\nid = \"{id}\"\nname = \"{id}\"\ncontact = \"115\"\n\
                 contact_url = \"https://example.org/kontakt\"\npacks = []\n{region}"
            )
        };
        config.push_str(&tenant("bund", None));
        for a in &authorities {
            config.push_str(&tenant(&format!("a{}", a.index), Some(&a.ars)));
        }
        let config = Config::parse("scale.toml", &config).unwrap();
        let library = PackLibrary::default();
        let mut snapshot = Snapshot::build(catalog, &library, config).unwrap();
        snapshot.places = Arc::new(synthetic::places(&authorities));
        let engine = Engine::new(Arc::new(snapshot), ContextCodec::new(b"scale"));
        (engine, authorities)
    })
}

fn ask(message: &str, tenant: Option<String>, location: Option<String>) -> Reply {
    engine().0.respond(&ChatRequest {
        message: message.into(),
        tenant,
        location,
        ..Default::default()
    })
}

/// Munich's own catalogue, scoped to Munich, with the same configuration (no packs): what
/// the synthetic catalogue should answer like.
fn munich() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let config = Config::parse(
            "munich.toml",
            &format!(
                "default_tenant = \"m\"\n[[tenant]]\nid = \"m\"\nname = \"m\"\ncontact = \"115\"\n\
             contact_url = \"https://example.org/kontakt\"\npacks = []\nregion = \"{MUENCHEN}\"\n"
            ),
        )
        .unwrap();
        // Munich's records only (the shipped content may hold other regions' too).
        let shipped = Catalog::shipped();
        let own = |regions: &[String]| regions.is_empty() || regions.iter().any(|r| r == MUENCHEN);
        let services = shipped.services().iter().filter(|s| own(&s.regions));
        let offices = shipped.offices().iter().filter(|o| own(&o.regions));
        let catalog = Catalog::new(
            services.map(|s| shipped.record(s).unwrap()).collect(),
            offices.cloned().collect(),
            shipped.version().to_string(),
            Default::default(),
        )
        .with_regions(&[MUENCHEN.to_string()]);
        let snapshot = Snapshot::build(catalog, &PackLibrary::default(), config).unwrap();
        Engine::new(Arc::new(snapshot), ContextCodec::new(b"munich"))
    })
}

/// Asks "Was kostet ein Reisepass?" in `tenant`/`location`. Without packs (Munich's pack
/// question makes it direct) the catalogue offers "Reisepass" and "Vorläufiger Reisepass",
/// as Munich's catalogue alone does; the citizen then picks "Reisepass".
fn ask_passport_fees(tenant: Option<String>, location: Option<String>) -> (Reply, Reply) {
    let first = ask(
        "Was kostet ein Reisepass?",
        tenant.clone(),
        location.clone(),
    );
    if first.kind != ReplyKind::Clarify {
        return (first.clone(), first);
    }
    let picked = engine().0.respond(&ChatRequest {
        message: "Reisepass".into(),
        context: Some(first.context.clone()),
        tenant,
        location,
    });
    (first, picked)
}

/// `reply` answers with `a`'s Reisepass: its id, its fees, its offices only.
fn assert_answers_for(reply: &Reply, a: &Authority) {
    let catalog = &engine().0.snapshot().catalog;
    assert_eq!(reply.kind, ReplyKind::Aspect, "{}", reply.text);
    assert_eq!(
        reply.sources[0].id,
        a.service_id(REISEPASS),
        "{}",
        reply.text
    );
    let pass = catalog.service(&a.service_id(REISEPASS)).unwrap();
    let fees = catalog.texts(pass).unwrap().fees.clone().unwrap();
    // 37,50 Euro in Munich, 10 cents more per authority index.
    let own = format!(
        "{},{:02} Euro",
        37 + (50 + 10 * (a.index + 1)) / 100,
        (50 + 10 * (a.index + 1)) % 100
    );
    assert!(fees.text.contains(&own), "{}", fees.text);
    assert!(reply.text.contains(&own), "{own} not in {}", reply.text);
    for office in &reply.offices {
        assert!(a.owns(&office.id), "{} is not {}'s", office.id, a.name);
        assert!(office.address.contains(&a.postcode), "{}", office.address);
    }
    for source in &reply.sources {
        assert!(a.owns(&source.id), "{} is not {}'s", source.id, a.name);
    }
}

#[test]
fn the_synthetic_catalogue_holds_one_copy_per_authority() {
    let (engine, authorities) = engine();
    let catalog = &engine.snapshot().catalog;
    let copies = catalog
        .services()
        .iter()
        .filter(|s| s.leika.as_deref() == Some("99085001000000") && s.id.ends_with(REISEPASS))
        .count();
    assert_eq!(copies, AUTHORITIES);
    assert_eq!(authorities.len(), AUTHORITIES);
    assert!(engine.snapshot().index.len() > 4_000);
}

#[test]
fn a_tenant_region_answers_with_its_own_copy() {
    for a in &engine().1[..4] {
        let (first, reply) = ask_passport_fees(Some(format!("a{}", a.index)), None);
        assert!(
            first.sources.iter().all(|s| a.owns(&s.id)),
            "{:?}",
            first.sources
        );
        assert_answers_for(&reply, a);
    }
}

#[test]
fn where_to_go_lists_the_authority_s_offices_only() {
    let (_, authorities) = engine();
    let a = &authorities[11];
    let reply = ask(
        "Wo kann ich einen Reisepass beantragen?",
        Some(format!("a{}", a.index)),
        None,
    );
    assert!(!reply.offices.is_empty(), "{:?} {}", reply.kind, reply.text);
    for office in &reply.offices {
        assert!(a.owns(&office.id), "{} is not {}'s", office.id, a.name);
        assert!(office.address.contains(&a.place), "{}", office.address);
    }
}

#[test]
fn a_location_answers_with_the_authority_there() {
    let (_, authorities) = engine();
    let a = &authorities[7];
    // The national tenant, the citizen's location as ARS, as postcode and as place name.
    for location in [a.ars.clone(), a.postcode.clone(), a.place.clone()] {
        let (first, reply) = ask_passport_fees(None, Some(location.clone()));
        assert!(
            first.sources.iter().all(|s| a.owns(&s.id)),
            "{:?}",
            first.sources
        );
        assert_answers_for(&reply, a);
    }
}

/// Scoped to one authority, the synthetic catalogue answers every question as Munich's own
/// catalogue does (same kind, same confidence, the same service), with that authority's
/// copies only: twenty copies of each service in the index do not compete.
#[test]
fn copies_do_not_compete_answers_are_as_in_munich_alone() {
    let (engine, authorities) = engine();
    let a = &authorities[3];
    let catalog = &engine.snapshot().catalog;
    for message in [
        "Was kostet ein Reisepass?",
        "Reisepass beantragen",
        "Personalausweis verloren",
        "wo kann ich mein auto abmelden",
        "fuehrerschein umschreiben lassen",
        "Anmeldung vom Wohnsitz",
        "Bewohnerparkausweis beantragen",
        "hallo",
    ] {
        let alone = munich().respond(&ChatRequest::new(message));
        let scoped = ask(message, Some(format!("a{}", a.index)), None);
        assert_eq!(scoped.kind, alone.kind, "{message}: {}", scoped.text);
        assert!(
            (scoped.intent.confidence - alone.intent.confidence).abs() < 0.03,
            "{message}: {} in Munich alone, {} scoped",
            alone.intent.confidence,
            scoped.intent.confidence
        );
        let titles = |r: &Reply| {
            r.sources
                .iter()
                .map(|s| s.title.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(titles(&scoped), titles(&alone), "{message}");
        for source in &scoped.sources {
            assert!(a.owns(&source.id), "{message}: {}", source.id);
            let munich_id = source.id.split_once('-').unwrap().1;
            assert_eq!(
                catalog.service(&source.id).unwrap().leika,
                Catalog::shipped().service(munich_id).unwrap().leika
            );
        }
        for office in &scoped.offices {
            assert!(a.owns(&office.id), "{message}: {}", office.id);
        }
    }
    let direct = ask("Reisepass beantragen", Some(format!("a{}", a.index)), None);
    assert_eq!(direct.kind, ReplyKind::Service);
    assert_eq!(direct.sources[0].id, a.service_id(REISEPASS));
}

/// Without any scope (a national tenant, no location) every copy is admitted and the copies
/// score alike. The engine still answers: the copies are grouped by LeiKa key (not ranked
/// against each other), and it answers with one copy of the Reisepass (today the first
/// authority's) and says whose it is.
#[test]
fn without_a_scope_the_engine_still_answers() {
    let reply = ask("Was kostet ein Reisepass?", None, None);
    assert_ne!(reply.kind, ReplyKind::Fallback, "{}", reply.text);
    assert!(!reply.sources.is_empty());
    for source in &reply.sources {
        assert!(source.id.ends_with(REISEPASS), "{:?}", reply.sources);
    }
    eprintln!(
        "unscoped: {:?}, {:.2}, sources {:?}",
        reply.kind,
        reply.intent.confidence,
        reply.sources.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
}
