//! Editors' content packs through the public engine API: custom answers, precedence,
//! validity dates, and packs that are refused.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use sophia::config::Config;
use sophia::content::{Catalog, PackLibrary};
use sophia::dialog::ContextCodec;
use sophia::{ChatRequest, Engine, Reply, ReplyKind, Snapshot};

const CONFIG: &str = r#"
default_tenant = "stadt"

[[tenant]]
id = "stadt"
name = "Stadt"
contact = "115"
contact_url = "https://example.org/kontakt"
packs = ["muenchen", "landkreis", "muenchen-lokal"]

[[tenant]]
id = "kreis"
name = "Landkreis"
contact = "115"
contact_url = "https://example.org/kontakt"
packs = ["landkreis"]
"#;

fn library() -> PackLibrary {
    let fixtures = PackLibrary::load(Path::new("tests/fixtures/packs")).unwrap();
    let shipped = PackLibrary::shipped();
    PackLibrary::from_packs(
        shipped
            .names()
            .chain(fixtures.names())
            .map(|n| shipped.get(n).or(fixtures.get(n)).unwrap().clone()),
    )
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let config = Config::parse("test.toml", CONFIG).unwrap();
        let snapshot = Snapshot::build(Catalog::shipped(), &library(), config).unwrap();
        Engine::new(Arc::new(snapshot), ContextCodec::new(b"test"))
    })
}

fn ask(tenant: &str, message: &str) -> Reply {
    engine().respond(&ChatRequest {
        message: message.into(),
        tenant: Some(tenant.into()),
        ..Default::default()
    })
}

#[test]
fn a_custom_answer_is_given_for_its_own_questions_and_paraphrases() {
    for message in [
        "Wie werde ich Sperrmüll los?",
        "sperrmuell abholen lassen",
        "wie kann ich sperrmüll entsorgen",
        "Sperrmüll abholen lassen, wie geht das?",
        "wohin mit meinem alten Sofa?",
    ] {
        let reply = ask("stadt", message);
        assert_eq!(reply.kind, ReplyKind::Custom, "{message}: {}", reply.text);
        assert_eq!(reply.sources[0].kind, "custom");
        assert_eq!(reply.sources[0].id, "sperrmuell");
        assert!(reply.html.as_deref().unwrap().contains("<li>"), "{message}");
        assert!(reply.text.contains("Abfallwirtschaftsbetrieb"));
    }
}

#[test]
fn a_custom_answer_does_not_take_over_service_questions() {
    let reply = ask("stadt", "Was kostet ein Reisepass?");
    assert_eq!(reply.sources[0].id, "1063453", "{}", reply.text);
}

#[test]
fn the_tenants_own_pack_beats_a_shared_pack() {
    let city = ask("stadt", "wann hat der wertstoffhof offen");
    assert_eq!(city.sources[0].id, "wertstoffhof-stadt");
    let county = ask("kreis", "wann hat der wertstoffhof offen");
    assert_eq!(county.sources[0].id, "wertstoffhof-landkreis");
}

#[test]
fn answers_of_packs_a_tenant_does_not_use_are_never_given() {
    let reply = ask("kreis", "sperrmüll abholen lassen");
    assert_ne!(reply.kind, ReplyKind::Custom, "{}", reply.text);
}

#[test]
fn a_packs_synonyms_apply_for_the_tenants_using_it() {
    let city = ask("stadt", "couch abholen lassen");
    assert_eq!(city.kind, ReplyKind::Custom, "{}", city.text);
    assert_eq!(city.sources[0].id, "sperrmuell");
    let county = ask("kreis", "couch abholen lassen");
    assert_ne!(county.kind, ReplyKind::Custom, "{}", county.text);
}

#[test]
fn an_expired_answer_is_not_given() {
    let reply = ask("stadt", "wann wird der christbaum abgeholt");
    assert!(
        reply.sources.iter().all(|s| s.id != "weihnachtsbaum-2020"),
        "{}",
        reply.text
    );
}

#[test]
fn a_tenant_naming_a_missing_pack_is_refused() {
    let config = Config::parse(
        "test.toml",
        &CONFIG.replace(
            "packs = [\"landkreis\"]",
            "packs = [\"landkreis\", \"fehlt\"]",
        ),
    )
    .unwrap();
    let error = Snapshot::build(Catalog::shipped(), &library(), config).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("tenant `kreis` uses pack `fehlt`"),
        "{error}"
    );
}

#[test]
fn questions_for_a_service_the_catalogue_lacks_are_refused_with_their_place() {
    let pack = sophia::content::pack::parse_files(
        "muenchen-lokal",
        &[(
            "packs/muenchen-lokal/a.toml",
            "[[service]]\nid = \"999\"\nquestions = [\"x\"]\n",
        )],
    )
    .unwrap();
    let library = PackLibrary::from_packs([pack]);
    let config = Config::parse(
        "test.toml",
        &CONFIG
            .replace(
                "[\"muenchen\", \"landkreis\", \"muenchen-lokal\"]",
                "[\"muenchen-lokal\"]",
            )
            .replace("packs = [\"landkreis\"]", ""),
    )
    .unwrap();
    let error = Snapshot::build(Catalog::shipped(), &library, config).unwrap_err();
    assert_eq!(
        error.to_string(),
        "packs/muenchen-lokal/a.toml:1:1: service \"999\" is not in the catalogue (or not shown to citizens)"
    );
}
