//! The XZuFi 2.2 importer through the public API: an XZuFi export answers like the
//! equivalent DLDB records, and broken or unknown input is reported with file and line.

use std::sync::Arc;

use serde_json::Value;
use sophia::config::Config;
use sophia::content::{Catalog, ImportError, PackLibrary, xzufi};
use sophia::dialog::ContextCodec;
use sophia::{ChatRequest, Engine, Reply, Snapshot};

const ATTRIBUTION: &str = "Leistungsbeschreibungen: Landeshauptstadt München, CC BY 4.0";
/// Reisepass, Personalausweis, Änderung der Personendaten im Melderegister (no fees).
const SERVICES: [&str; 3] = ["1063453", "1063441", "10224136"];
/// Bürgerbüro Orleansplatz, Bürgerbüro Leonrodstraße.
const OFFICES: [&str; 2] = ["102522", "102523"];
const MUENCHEN: &str = "091620000000";

const CONFIG: &str = r#"
default_tenant = "stadt"

[[tenant]]
id = "stadt"
name = "Stadt"
contact = "115"
contact_url = "https://example.org/kontakt"
packs = []
"#;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("tests/fixtures/xzufi/{name}")).unwrap()
}

/// The three services and two offices, filtered from the shipped DLDB export, with their
/// cross references limited to each other.
fn dldb_subset() -> Catalog {
    let filter = |path: &str, ids: &[&str], refs: &str, key: &str, keep: &[&str]| -> String {
        let mut root: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let data = root["data"].as_array_mut().unwrap();
        data.retain(|r| ids.contains(&r["id"].as_str().unwrap()));
        for record in data.iter_mut() {
            if let Some(list) = record[refs].as_array_mut() {
                list.retain(|r| keep.contains(&r[key].as_str().unwrap_or_default()));
            }
        }
        root.to_string()
    };
    let services = filter(
        "index/muenchen/services_de.json",
        &SERVICES,
        "locations",
        "location",
        &OFFICES,
    );
    let locations = filter(
        "index/muenchen/locations_de.json",
        &OFFICES,
        "services",
        "service",
        &SERVICES,
    );
    Catalog::from_dldb(
        ("services.json", &services),
        Some(("locations.json", &locations)),
        ATTRIBUTION,
    )
    .unwrap()
}

fn xzufi_catalog() -> Catalog {
    let xml = fixture("muenchen-equivalent.xml");
    Catalog::from_xzufi_files(&[("muenchen-equivalent.xml", &xml)], ATTRIBUTION).unwrap()
}

fn engine(catalog: Catalog) -> Engine {
    let config = Config::parse("test.toml", CONFIG).unwrap();
    let snapshot = Snapshot::build(catalog, &PackLibrary::shipped(), config).unwrap();
    Engine::new(Arc::new(snapshot), ContextCodec::new(b"test"))
}

fn ask(engine: &Engine, message: &str) -> Reply {
    engine.respond(&ChatRequest {
        message: message.into(),
        ..Default::default()
    })
}

fn offices(reply: &Reply) -> Vec<(String, String)> {
    reply
        .offices
        .iter()
        .map(|o| (o.name.clone(), o.address.clone()))
        .collect()
}

#[test]
fn the_xzufi_export_answers_like_the_equivalent_dldb_records() {
    let dldb = dldb_subset();
    let xzufi = xzufi_catalog();
    assert_eq!(dldb.services().len(), 3);
    assert_eq!(xzufi.services().len(), 3, "{:?}", xzufi.report().warnings);
    assert!(
        xzufi.report().warnings.is_empty(),
        "{:?}",
        xzufi.report().warnings
    );
    for id in SERVICES {
        let (a, b) = (dldb.service(id).unwrap(), xzufi.service(id).unwrap());
        let (at, bt) = (dldb.texts(a).unwrap(), xzufi.texts(b).unwrap());
        assert_eq!(a.name, b.name);
        assert_eq!(at.description, bt.description, "{id}");
        assert_eq!(at.fees, bt.fees, "{id}");
        assert_eq!(a.keywords, b.keywords, "{id}");
        assert_eq!(at.forms, bt.forms, "{id}");
        assert_eq!(at.links, bt.links, "{id}");
        assert_eq!(a.citizen_facing, b.citizen_facing, "{id}");
    }
    let no_fees = xzufi.service("10224136").unwrap();
    assert!(xzufi.texts(no_fees).unwrap().fees.is_none());

    let (dldb, xzufi) = (engine(dldb), engine(xzufi));
    for question in [
        "Was kostet ein Reisepass?",
        "Welche Unterlagen brauche ich für den Personalausweis?",
        "Wo beantrage ich einen Reisepass?",
        "Was kostet der Personalausweis?",
        "Wo kann ich einen Personalausweis beantragen?",
        "Was kostet die Änderung der Personendaten im Melderegister?",
    ] {
        let (a, b) = (ask(&dldb, question), ask(&xzufi, question));
        assert_eq!(a.kind, b.kind, "{question}");
        assert_eq!(a.aspect, b.aspect, "{question}");
        let source = |r: &Reply| r.sources.first().map(|s| s.id.clone());
        assert_eq!(source(&a), source(&b), "{question}");
        assert!(source(&a).is_some(), "{question}: {}", a.text);
        assert_eq!(offices(&a), offices(&b), "{question}");
        assert_eq!(a.text, b.text, "{question}");
    }
    let fees = ask(&xzufi, "Was kostet ein Reisepass?");
    assert_eq!(fees.sources[0].id, "1063453");
    assert!(fees.text.contains("70 Euro"), "{}", fees.text);
    let place = ask(&xzufi, "Wo beantrage ich einen Reisepass?");
    assert!(
        offices(&place).contains(&(
            "Bürgerbüro Orleansplatz (KVR-II/231)".to_string(),
            "Orleansstraße 50, 81667 München".to_string()
        )),
        "{:?}",
        place.offices
    );
}

#[test]
fn offices_regions_and_leika_come_from_the_xzufi_export() {
    let xzufi = xzufi_catalog();
    let dldb = dldb_subset();
    let pass = xzufi.service("1063453").unwrap();
    assert_eq!(pass.leika.as_deref(), Some("99085001000000"));
    assert_eq!(pass.regions, vec![MUENCHEN.to_string()]);
    let office_ids: Vec<&str> = pass.offices.iter().map(|o| o.office_id.as_str()).collect();
    assert_eq!(office_ids, OFFICES);
    for id in OFFICES {
        let (a, b) = (dldb.office(id).unwrap(), xzufi.office(id).unwrap());
        assert_eq!(a.name, b.name);
        assert_eq!(a.address, b.address);
        assert_eq!(a.geo, b.geo);
        assert_eq!(a.phone, b.phone);
        assert_eq!(a.email, b.email);
        assert_eq!(b.regions, vec![MUENCHEN.to_string()]);
        assert_eq!(b.service_ids, SERVICES);
    }
}

#[test]
fn malformed_xml_names_file_line_and_element() {
    let xml = fixture("malformed.xml");
    let err = xzufi::import_files(&[("malformed.xml", &xml)], ATTRIBUTION).unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("malformed.xml:9:"), "{message}");
    assert!(message.contains("inhalt"), "{message}");
    assert!(matches!(err, ImportError::Xml { line: 9, .. }), "{err:?}");
}

#[test]
fn unknown_elements_are_warned_once_per_file_and_the_records_kept() {
    let xml = fixture("unknown-element.xml");
    let import = xzufi::import_files(&[("unknown-element.xml", &xml)], ATTRIBUTION).unwrap();
    assert_eq!(import.services.len(), 2);
    let dog = &import.services[0];
    assert_eq!(
        dog.texts.description.text,
        "Wer einen Hund hält, zahlt Hundesteuer."
    );
    let warnings: Vec<String> = import
        .report
        .warnings
        .iter()
        .map(|w| w.to_string())
        .collect();
    let about = |name: &str| warnings.iter().filter(|w| w.contains(name)).count();
    assert_eq!(about("<sonderfeld>"), 1, "{warnings:#?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("unknown-element.xml:11:") && w.contains("<sonderfeld>")),
        "{warnings:#?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("unknown-element.xml:32:") && w.contains("<statistik>")),
        "{warnings:#?}"
    );
    assert_eq!(
        about("<anzahl>"),
        0,
        "only the outermost unknown element: {warnings:#?}"
    );
}

#[test]
fn a_zustaendigkeit_for_an_unknown_leistung_warns() {
    let xml = fixture("unknown-element.xml");
    let import = xzufi::import_files(&[("unknown-element.xml", &xml)], ATTRIBUTION).unwrap();
    let warning = import
        .report
        .warnings
        .iter()
        .find(|w| w.message.contains("777"))
        .expect("a warning about leistung 777");
    assert_eq!(warning.line, Some(29));
    assert_eq!(warning.id.as_deref(), Some("9"));
    assert!(warning.field.contains("leistungID"), "{warning}");
    // The known one is joined.
    assert_eq!(import.offices[0].service_ids, vec!["500".to_string()]);
    assert_eq!(
        import.services[0].service.regions,
        vec![MUENCHEN.to_string()]
    );
}

#[test]
fn a_folder_may_hold_xzufi_next_to_dldb() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("services.json"),
        r#"{"data": [{"id": "1", "name": "Aus DLDB", "description": "d"}]}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("land.xml"), fixture("unknown-element.xml")).unwrap();
    let catalog = Catalog::from_dir(dir.path()).unwrap();
    assert!(catalog.service("1").is_some() && catalog.service("500").is_some());
    let version = catalog.version().to_string();
    std::fs::write(
        dir.path().join("land.xml"),
        fixture("muenchen-equivalent.xml"),
    )
    .unwrap();
    let changed = Catalog::from_dir(dir.path()).unwrap();
    assert_ne!(
        changed.version(),
        version,
        "the version covers the XML files"
    );
    assert!(changed.service("1063453").is_some());
}
