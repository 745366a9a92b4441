//! Answers about an office asked for by name: where it is, how to reach it, what is done
//! there.

use super::answer::Answer;
use super::reply::{Source, Suggestion};
use super::whereabouts::Whereabouts;
use crate::content::{Catalog, Office, Service};
use crate::search::{OfficeHit, OfficeIndex, Site};

/// Most sites named in one answer (a name shared by several sites, "Standesamt München").
pub const MAX_SITES: usize = 3;
/// Most services listed as done at a site.
const MAX_SERVICES: usize = 6;
/// Most services offered as buttons.
const MAX_SUGGESTIONS: usize = 3;

/// The sites a question names when it names nothing but an office: every word of the
/// question (aspect cues and stop words aside) is in the site's name or address, and the
/// site matches better than any service's name does. Ties are all returned, nearest first.
pub fn named_sites<'i>(
    hits: &[OfficeHit],
    offices: &'i OfficeIndex,
    service_title_coverage: f32,
    place: &Whereabouts,
    catalog: &Catalog,
) -> Vec<&'i Site> {
    let Some(best) = hits.first() else {
        return Vec::new();
    };
    if best.coverage < 0.999 || best.coverage <= service_title_coverage {
        return Vec::new();
    }
    let mut sites: Vec<&Site> = hits
        .iter()
        .take_while(|h| h.coverage >= best.coverage && h.distinctive == best.distinctive)
        .map(|h| offices.site(h.site))
        .collect();
    if place.point.is_some() {
        let km = |site: &&Site| {
            representative(site, catalog)
                .and_then(|o| place.distance_km(o))
                .unwrap_or(f64::INFINITY)
        };
        sites.sort_by(|a, b| km(a).total_cmp(&km(b)));
    }
    sites.truncate(MAX_SITES);
    sites
}

/// The office standing for a site: its first with an address.
pub fn representative<'c>(site: &Site, catalog: &'c Catalog) -> Option<&'c Office> {
    let offices = || {
        site.offices
            .iter()
            .filter_map(|&o| catalog.offices().get(o))
    };
    offices()
        .find(|o| !o.address.one_line().is_empty())
        .or_else(|| offices().next())
}

/// The answer naming `sites`: per site its address, phone, e-mail, page and opening hours,
/// and the services done there; with their sources and buttons for those services.
pub fn office_answer(sites: &[&Site], catalog: &Catalog) -> (Answer, Vec<Source>, Vec<Suggestion>) {
    let mut answer = Answer::default();
    let mut sources = Vec::new();
    let mut suggestions = Vec::new();
    if sites.len() > 1 {
        answer.paragraph("Dazu habe ich mehrere Standorte gefunden:");
    }
    for site in sites {
        let Some(office) = representative(site, catalog) else {
            continue;
        };
        answer.title(&site.name);
        answer.offices(&[office], None);
        if let Some(email) = &office.email {
            answer.link(&format!("E-Mail: {email}"), &format!("mailto:{email}"));
        }
        if let Some(hours) = &office.opening_hours {
            answer.paragraph(&format!("Öffnungszeiten: {hours}"));
        }
        let services = services_at(site, catalog);
        if !services.is_empty() {
            let names: Vec<String> = services
                .iter()
                .take(MAX_SERVICES)
                .map(|s| s.name.clone())
                .collect();
            answer.paragraph(&format!(
                "Hier erledigen Sie zum Beispiel ({} Leistungen insgesamt):",
                services.len()
            ));
            answer.list(&names);
        }
        if sites.len() == 1 {
            suggestions.extend(services.iter().take(MAX_SUGGESTIONS).map(|s| Suggestion {
                label: s.name.clone(),
                message: s.name.clone(),
            }));
        }
        sources.push(Source {
            kind: "office".to_string(),
            id: office.id.clone(),
            title: site.name.clone(),
            url: office.url.clone(),
            score: None,
            updated: None,
            attribution: services.first().map(|s| s.attribution.clone()),
        });
    }
    (answer, sources, suggestions)
}

/// The citizen-facing services offered at any office of `site`, each once, in source order.
fn services_at<'c>(site: &Site, catalog: &'c Catalog) -> Vec<&'c Service> {
    let mut seen = std::collections::HashSet::new();
    site.offices
        .iter()
        .filter_map(|&o| catalog.offices().get(o))
        .flat_map(|o| &o.service_ids)
        .filter(|id| seen.insert(id.as_str()))
        .filter_map(|id| catalog.service(id))
        .filter(|s| s.citizen_facing)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Scope;
    use crate::search::{CatalogIndex, IndexOptions};

    #[test]
    fn an_office_answer_has_address_sources_and_services() {
        let catalog = Catalog::shipped();
        let index = CatalogIndex::build(&catalog, IndexOptions::default()).unwrap();
        let offices = OfficeIndex::build(&catalog, index.analyzer());
        let query = index.analyze("Bürgerbüro Pasing", &Default::default());
        let hits = offices.search(&query, &catalog, &Scope::everywhere());
        let sites = named_sites(&hits, &offices, 0.0, &Whereabouts::default(), &catalog);
        assert_eq!(sites.len(), 1);
        let (answer, sources, suggestions) = office_answer(&sites, &catalog);
        assert!(
            answer.text().contains("Landsberger Straße 486"),
            "{}",
            answer.text()
        );
        assert!(
            answer.text().contains("Personalausweis"),
            "{}",
            answer.text()
        );
        assert_eq!(sources[0].kind, "office");
        assert_eq!(sources[0].title, "Bürgerbüro Pasing");
        assert_eq!(answer.offices.len(), 1);
        assert!(!suggestions.is_empty());
    }

    #[test]
    fn a_service_named_as_well_as_the_office_wins() {
        let catalog = Catalog::shipped();
        let index = CatalogIndex::build(&catalog, IndexOptions::default()).unwrap();
        let offices = OfficeIndex::build(&catalog, index.analyzer());
        let query = index.analyze("Fundbüro", &Default::default());
        let hits = offices.search(&query, &catalog, &Scope::everywhere());
        assert!(named_sites(&hits, &offices, 1.0, &Whereabouts::default(), &catalog).is_empty());
    }
}
