//! Region scoping with two regions loaded: Munich's catalogue and a Kreis in Hessen with
//! its own copies of the same service types (same LeiKa keys), fees and office. A tenant of
//! one region never gets the other region's office or fees; a request's location narrows
//! further and lists the nearest office first.

use std::sync::{Arc, OnceLock};

use sophia::config::Config;
use sophia::content::{
    Address, Catalog, ImportReport, Office, PackLibrary, RichText, ServiceOffice,
};
use sophia::dialog::ContextCodec;
use sophia::{ChatRequest, Engine, Reply, ReplyKind, Snapshot};

const MUENCHEN: &str = "091620000000";
const MARBURG_BIEDENKOPF: &str = "065340000000";
const KREIS_OFFICE: &str = "mb-buergerbuero";

/// Munich's services (region München) and Hessen copies of Reisepass, Personalausweis and
/// Gewerbe-Anmeldung for the Landkreis Marburg-Biedenkopf, with other fees and an office
/// of their own.
fn two_regions() -> Catalog {
    let munich = Catalog::shipped().with_regions(&[MUENCHEN.to_string()]);
    let mut services = munich.services().to_vec();
    let mut offices = munich.offices().to_vec();
    for (id, fee) in [
        (
            "1063453",
            "Reisepass im Landkreis: 81 Euro (Beispielgebühr Marburg-Biedenkopf)",
        ),
        (
            "1063441",
            "Personalausweis im Landkreis: 44 Euro (Beispielgebühr Marburg-Biedenkopf)",
        ),
        (
            "1063423",
            "Gewerbeanmeldung im Landkreis: 26 Euro (Beispielgebühr Marburg-Biedenkopf)",
        ),
    ] {
        let mut copy = munich.service(id).expect("shipped service").clone();
        copy.id = format!("mb-{id}");
        copy.fees = Some(RichText {
            text: fee.to_string(),
            html: format!("<p>{fee}</p>"),
            sections: Vec::new(),
        });
        copy.offices = vec![ServiceOffice {
            office_id: KREIS_OFFICE.to_string(),
            appointment_url: None,
            online_url: None,
        }];
        copy.regions = vec![MARBURG_BIEDENKOPF.to_string()];
        copy.attribution = "Landkreis Marburg-Biedenkopf (Testdaten)".to_string();
        services.push(copy);
    }
    offices.push(Office {
        id: KREIS_OFFICE.to_string(),
        name: "Bürgerbüro Marburg".to_string(),
        display_name: None,
        organization: Some("Landkreis Marburg-Biedenkopf".to_string()),
        organization_unit: None,
        address: Address {
            street: "Frauenbergstraße".into(),
            house_number: "35".into(),
            postal_code: "35039".into(),
            city: "Marburg".into(),
        },
        geo: Some((50.80, 8.77)),
        phone: Some("06421 405-0".to_string()),
        email: None,
        url: None,
        service_ids: vec![
            "mb-1063453".into(),
            "mb-1063441".into(),
            "mb-1063423".into(),
        ],
        opening_hours: Some("Mo–Fr 8–12 Uhr".to_string()),
        keywords: Vec::new(),
        regions: vec![MARBURG_BIEDENKOPF.to_string()],
    });
    Catalog::new(
        services,
        offices,
        "two-regions".into(),
        ImportReport::default(),
    )
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let config = Config::parse(
            "regions.toml",
            &format!(
                r#"
default_tenant = "muenchen"

[[tenant]]
id = "muenchen"
name = "München"
contact = "115"
contact_url = "https://muenchen.example/kontakt"
region = "{MUENCHEN}"

[[tenant]]
id = "kreis"
name = "Landkreis Marburg-Biedenkopf"
contact = "115"
contact_url = "https://kreis.example/kontakt"
region = "{MARBURG_BIEDENKOPF}"

[[tenant]]
id = "land"
name = "Land Hessen"
contact = "115"
contact_url = "https://land.example/kontakt"
region = "060000000000"
"#
            ),
        )
        .unwrap();
        let snapshot = Snapshot::build(two_regions(), &PackLibrary::default(), config).unwrap();
        Engine::new(Arc::new(snapshot), ContextCodec::random())
    })
}

fn ask(tenant: &str, message: &str, location: Option<&str>) -> Reply {
    engine().respond(&ChatRequest {
        message: message.to_string(),
        tenant: Some(tenant.to_string()),
        location: location.map(str::to_string),
        context: None,
    })
}

/// True when the reply names anything of the Kreis: its service copies, office or fees.
fn mentions_kreis(reply: &Reply) -> bool {
    reply
        .sources
        .iter()
        .any(|s| s.id.starts_with("mb-") || s.id == KREIS_OFFICE)
        || reply.offices.iter().any(|o| o.id == KREIS_OFFICE)
        || reply.text.contains("Marburg")
}

/// True when the reply names anything of Munich.
fn mentions_munich(reply: &Reply) -> bool {
    reply
        .sources
        .iter()
        .any(|s| !s.id.starts_with("mb-") && s.id != KREIS_OFFICE)
        || reply.offices.iter().any(|o| o.id != KREIS_OFFICE)
        || reply.text.contains("München")
}

const QUESTIONS: &[&str] = &[
    "Was kostet ein Reisepass?",
    "Reisepass",
    "Wo beantrage ich einen Personalausweis?",
    "Gebühren Gewerbeanmeldung",
    "wo kann ich mein gewerbe anmelden",
    "perso beantragen unterlagen",
    "Bürgerbüro",
    "Bürgerbüro Marburg",
    "Bürgerbüro Pasing",
];

#[test]
fn a_tenant_never_gets_the_other_regions_office_or_fees() {
    for question in QUESTIONS {
        let munich = ask("muenchen", question, None);
        assert!(
            !mentions_kreis(&munich),
            "muenchen, {question:?}: {munich:#?}"
        );
        let kreis = ask("kreis", question, None);
        assert!(!mentions_munich(&kreis), "kreis, {question:?}: {kreis:#?}");
    }
}

#[test]
fn each_region_answers_with_its_own_fees_and_office() {
    // Without the Munich packs' questions, Munich offers its two passports to choose from.
    let munich = ask("muenchen", "Was kostet ein Reisepass?", None);
    assert_eq!(munich.sources[0].id, "1063453");
    let chosen = engine().respond(&ChatRequest {
        message: "1".into(),
        tenant: Some("muenchen".into()),
        context: Some(munich.context),
        location: None,
    });
    assert_eq!(chosen.sources[0].id, "1063453");
    assert!(chosen.text.contains("70"), "{}", chosen.text);
    let kreis = ask("kreis", "Was kostet ein Reisepass?", None);
    assert_eq!(kreis.kind, ReplyKind::Aspect);
    assert_eq!(kreis.sources[0].id, "mb-1063453");
    assert!(kreis.text.contains("81 Euro"), "{}", kreis.text);
    let wo = ask("kreis", "Wo beantrage ich einen Reisepass?", None);
    assert_eq!(wo.offices.len(), 1, "{wo:#?}");
    assert_eq!(wo.offices[0].address, "Frauenbergstraße 35, 35039 Marburg");
}

#[test]
fn the_land_sees_its_kreis_and_a_location_narrows_it() {
    let land = ask("land", "Was kostet ein Reisepass?", None);
    assert_eq!(land.sources[0].id, "mb-1063453");
    assert!(!mentions_munich(&land), "{land:#?}");
    // A citizen of Marburg asking the Land portal gets the Kreis's answer.
    let marburg = ask(
        "land",
        "Wo beantrage ich einen Personalausweis?",
        Some("35037"),
    );
    assert_eq!(marburg.offices[0].id, KREIS_OFFICE);
    // Munich content is out of the Land's region, whatever the location says.
    let elsewhere = ask(
        "land",
        "Wo beantrage ich einen Personalausweis?",
        Some("80331"),
    );
    assert!(!mentions_munich(&elsewhere), "{elsewhere:#?}");
}

#[test]
fn the_location_lists_the_nearest_office_first() {
    let pasing = ask(
        "muenchen",
        "Wo beantrage ich einen Reisepass?",
        Some("81241"),
    );
    assert!(
        pasing.offices[0].name.contains("Pasing"),
        "{:#?}",
        pasing.offices
    );
    assert!(
        pasing.text.contains("Von 81241 München aus"),
        "{}",
        pasing.text
    );
    let bogenhausen = ask(
        "muenchen",
        "Wo beantrage ich einen Reisepass?",
        Some("81925"),
    );
    assert_ne!(pasing.offices[0].id, bogenhausen.offices[0].id);
}

#[test]
fn an_unknown_location_is_said_and_the_answer_still_given() {
    let reply = ask("muenchen", "Was kostet ein Reisepass?", Some("99999"));
    assert!(
        reply
            .text
            .starts_with("Die Postleitzahl 99999 kenne ich nicht"),
        "{}",
        reply.text
    );
    assert_eq!(reply.sources[0].id, "1063453");
    let html = reply.html.unwrap();
    assert!(html.starts_with("<p>Die Postleitzahl 99999"), "{html}");
}
