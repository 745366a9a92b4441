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
const WIESBADEN: &str = "064140000000";
const WIESBADEN_OFFICE: &str = "wi-buergerbuero";

/// Munich's services (region München) and Hessen copies of Reisepass, Personalausweis and
/// Gewerbe-Anmeldung for the Landkreis Marburg-Biedenkopf, with other fees and an office
/// of their own.
fn two_regions() -> Catalog {
    // The shipped content without its Hessen examples: Munich's, scoped to München.
    let munich = Catalog::shipped();
    let in_munich = |regions: &[String]| regions == [MUENCHEN];
    let mut services: Vec<_> = munich
        .services()
        .iter()
        .filter(|s| in_munich(&s.regions))
        .map(|s| munich.record(s).unwrap())
        .collect();
    let mut offices: Vec<_> = munich
        .offices()
        .iter()
        .filter(|o| in_munich(&o.regions))
        .cloned()
        .collect();
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
        let mut record = munich
            .record(munich.service(id).expect("shipped service"))
            .unwrap();
        record.texts.fees = Some(RichText {
            text: fee.to_string(),
            html: format!("<p>{fee}</p>"),
            sections: Vec::new(),
        });
        let copy = &mut record.service;
        copy.id = format!("mb-{id}");
        copy.offices = vec![ServiceOffice {
            office_id: KREIS_OFFICE.to_string(),
        }];
        copy.regions = vec![MARBURG_BIEDENKOPF.to_string()];
        copy.attribution = "Landkreis Marburg-Biedenkopf (Testdaten)".to_string();
        copy.authorities = vec!["Landkreis Marburg-Biedenkopf".to_string()];
        copy.url = None;
        copy.appointment_url = None;
        services.push(record);
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
    // Wiesbaden, a second authority in Hessen, with its own Reisepass.
    let mut record = munich
        .record(munich.service("1063453").expect("shipped service"))
        .unwrap();
    record.texts.fees = Some(RichText {
        text: "Reisepass in Wiesbaden: 75 Euro (Beispielgebühr)".into(),
        html: "<p>Reisepass in Wiesbaden: 75 Euro (Beispielgebühr)</p>".into(),
        sections: Vec::new(),
    });
    let pass = &mut record.service;
    pass.id = "wi-1063453".into();
    pass.offices = vec![ServiceOffice {
        office_id: WIESBADEN_OFFICE.to_string(),
    }];
    pass.regions = vec![WIESBADEN.to_string()];
    pass.authorities = vec!["Landeshauptstadt Wiesbaden".into()];
    pass.attribution = "Landeshauptstadt Wiesbaden (Testdaten)".into();
    pass.url = None;
    pass.appointment_url = None;
    services.push(record);
    offices.push(Office {
        id: WIESBADEN_OFFICE.to_string(),
        name: "Bürgerbüro Wiesbaden".to_string(),
        display_name: None,
        organization: Some("Landeshauptstadt Wiesbaden".to_string()),
        organization_unit: None,
        address: Address {
            street: "Gustav-Stresemann-Ring".into(),
            house_number: "15".into(),
            postal_code: "65189".into(),
            city: "Wiesbaden".into(),
        },
        geo: Some((50.074, 8.244)),
        phone: None,
        email: None,
        url: None,
        service_ids: vec!["wi-1063453".into()],
        opening_hours: None,
        keywords: Vec::new(),
        regions: vec![WIESBADEN.to_string()],
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

/// True when the reply names anything of the Hessen authorities: their copies, offices, fees.
fn mentions_kreis(reply: &Reply) -> bool {
    reply.sources.iter().any(|s| is_hessen(&s.id))
        || reply.offices.iter().any(|o| is_hessen(&o.id))
        || reply.text.contains("Beispielgebühr")
}

fn is_hessen(id: &str) -> bool {
    id.starts_with("mb-") || id.starts_with("wi-")
}

/// True when the reply names anything of Munich.
fn mentions_munich(reply: &Reply) -> bool {
    reply.sources.iter().any(|s| !is_hessen(&s.id))
        || reply.offices.iter().any(|o| !is_hessen(&o.id))
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
        assert!(
            !kreis.text.contains("Wiesbaden"),
            "kreis, {question:?}: {kreis:#?}"
        );
        assert!(!kreis.sources.iter().any(|s| s.id.starts_with("wi-")));
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
fn the_land_groups_its_authorities_copies_and_a_place_picks_one() {
    // Two authorities in Hessen offer the Reisepass: one answer, whose it is, the other
    // offered; never "Meinten Sie: Reisepass, Reisepass?".
    let land = ask("land", "Was kostet ein Reisepass?", None);
    assert_eq!(land.kind, ReplyKind::Aspect, "{land:#?}");
    assert!(is_hessen(&land.sources[0].id), "{land:#?}");
    assert!(!mentions_munich(&land), "{land:#?}");
    assert!(land.text.contains("bieten 2 Stellen an"), "{}", land.text);
    assert_eq!(land.suggestions.len(), 1, "{:#?}", land.suggestions);
    let picked = engine().respond(&ChatRequest {
        message: land.suggestions[0].message.clone(),
        tenant: Some("land".into()),
        context: Some(land.context.clone()),
        location: None,
    });
    assert_eq!(picked.kind, ReplyKind::Aspect, "{picked:#?}");
    assert_ne!(picked.sources[0].id, land.sources[0].id);
    // A place alone picks the copy responsible there, for the part asked.
    for (place, id, fee) in [
        ("Wiesbaden", "wi-1063453", "75 Euro"),
        ("35037", "mb-1063453", "81 Euro"),
    ] {
        let reply = engine().respond(&ChatRequest {
            message: place.into(),
            tenant: Some("land".into()),
            context: Some(land.context.clone()),
            location: None,
        });
        assert_eq!(reply.sources[0].id, id, "{place}: {reply:#?}");
        assert!(reply.text.contains(fee), "{place}: {}", reply.text);
    }
    // A place in the question answers for it at once.
    let wiesbaden = ask("land", "Was kostet ein Reisepass in Wiesbaden?", None);
    assert_eq!(wiesbaden.sources[0].id, "wi-1063453", "{wiesbaden:#?}");
    assert!(!wiesbaden.text.contains("Stellen an"), "{}", wiesbaden.text);
}

#[test]
fn a_location_narrows_the_land_to_the_citizens_kreis() {
    // A citizen of Marburg asking the Land portal gets the Kreis's answer.
    let marburg = ask(
        "land",
        "Wo beantrage ich einen Personalausweis?",
        Some("35037"),
    );
    assert_eq!(marburg.offices[0].id, KREIS_OFFICE);
    // Munich is out of the Land's region: said, and answered for the Land.
    let elsewhere = ask(
        "land",
        "Wo beantrage ich einen Personalausweis?",
        Some("80331"),
    );
    assert!(
        elsewhere.text.starts_with("80331 München liegt außerhalb"),
        "{}",
        elsewhere.text
    );
    assert!(
        elsewhere.sources.iter().all(|s| is_hessen(&s.id)),
        "{elsewhere:#?}"
    );
    assert!(
        elsewhere.offices.iter().all(|o| is_hessen(&o.id)),
        "{elsewhere:#?}"
    );
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
