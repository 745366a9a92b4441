//! Copies of one service type: a Land or national catalogue holds "Reisepass" once per
//! responsible authority, each with the same LeiKa key and its own region, fees and
//! offices. Copies are grouped, not ranked against each other, and the citizen's place
//! decides which one answers.

use std::collections::HashSet;

use crate::content::{Catalog, Service};
use crate::geo::Scope;
use crate::search::Hit;

/// Keeps the best-ranked hit of each service type: a hit with the LeiKa key of a better one
/// but other regions is a copy for another authority and is dropped. Variants of one
/// authority (same key, same regions: "Beglaubigung bis 5 / bis 20 Dokumente") stay.
///
/// ```
/// use sophia::content::Catalog;
/// use sophia::dialog::group_copies;
/// use sophia::search::Hit;
/// let hit = |ordinal| Hit { ordinal, score: 1.0, matched: vec![], coverage: 1.0, title_coverage: 1.0 };
/// let catalog = Catalog::shipped();
/// let hits = group_copies(vec![hit(0), hit(1)], &catalog);
/// assert_eq!(hits.len(), 2); // one authority: nothing to group
/// ```
pub fn group_copies(hits: Vec<Hit>, catalog: &Catalog) -> Vec<Hit> {
    let mut kept: Vec<(Option<&str>, &[String])> = Vec::new();
    let mut out = Vec::with_capacity(hits.len());
    for hit in hits {
        let Some(service) = catalog.service_at(hit.ordinal) else {
            continue;
        };
        let leika = service.leika.as_deref();
        let copy = leika.is_some()
            && kept
                .iter()
                .any(|(l, regions)| *l == leika && *regions != service.regions.as_slice());
        if !copy {
            kept.push((leika, &service.regions));
            out.push(hit);
        }
    }
    out
}

/// The copies of `service`'s type that `scope` admits, `service` (the one answered, in
/// scope) first, each authority once.
pub fn copies_in_scope<'c>(
    service: &'c Service,
    catalog: &'c Catalog,
    scope: &Scope,
) -> Vec<&'c Service> {
    let mut copies = vec![service];
    let Some(leika) = service.leika.as_deref() else {
        return copies;
    };
    let mut regions: HashSet<&[String]> = HashSet::from([service.regions.as_slice()]);
    for other in catalog.services_of_type(leika) {
        if other.citizen_facing
            && scope.admits(&other.regions)
            && regions.insert(other.regions.as_slice())
        {
            copies.push(other);
        }
    }
    copies
}

/// The copy of `service`'s type for the scope: `service` itself when admitted, else the
/// first admitted copy of the same type (same LeiKa key and name).
pub fn copy_for<'c>(
    service: &'c Service,
    catalog: &'c Catalog,
    scope: &Scope,
) -> Option<&'c Service> {
    if scope.admits(&service.regions) {
        return Some(service);
    }
    let leika = service.leika.as_deref()?;
    catalog
        .services_of_type(leika)
        .find(|s| s.citizen_facing && s.name == service.name && scope.admits(&s.regions))
        .or_else(|| {
            catalog
                .services_of_type(leika)
                .find(|s| s.citizen_facing && scope.admits(&s.regions))
        })
}

/// The authority a copy belongs to, as citizens know it: the source's authority, else its
/// first office's organisation or town.
pub fn authority(service: &Service, catalog: &Catalog) -> String {
    if let Some(name) = service.authorities.first() {
        return name.clone();
    }
    let office = service
        .offices
        .iter()
        .find_map(|o| catalog.office(&o.office_id));
    office
        .and_then(|o| o.organization.clone())
        .or_else(|| {
            office
                .map(|o| o.address.city.clone())
                .filter(|c| !c.is_empty())
        })
        .unwrap_or_else(|| service.attribution.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{ImportReport, ServiceRecord};

    const MUENCHEN: &str = "091620000000";
    const KREIS: &str = "065340000000";

    /// Munich's catalogue (without the shipped Hessen examples) plus a Kreis copy of the
    /// Reisepass.
    fn catalog() -> Catalog {
        let munich = Catalog::shipped();
        let mut services: Vec<ServiceRecord> = munich
            .services()
            .iter()
            .filter(|s| s.regions == [MUENCHEN])
            .map(|s| munich.record(s).unwrap())
            .collect();
        let mut copy = munich.record(munich.service("1063453").unwrap()).unwrap();
        copy.service.id = "kreis-pass".into();
        copy.service.regions = vec![KREIS.into()];
        copy.service.authorities = vec!["Landkreis Beispiel".into()];
        services.push(copy);
        Catalog::new(
            services,
            munich.offices().to_vec(),
            "v".into(),
            ImportReport::default(),
        )
    }

    fn hit(catalog: &Catalog, id: &str) -> Hit {
        Hit {
            ordinal: catalog.ordinal(id).unwrap(),
            score: 1.0,
            matched: Vec::new(),
            coverage: 1.0,
            title_coverage: 1.0,
        }
    }

    #[test]
    fn a_copy_for_another_authority_is_grouped_under_the_best() {
        let catalog = catalog();
        let hits = vec![
            hit(&catalog, "kreis-pass"),
            hit(&catalog, "1063453"),
            hit(&catalog, "1063441"),
        ];
        let grouped: Vec<&str> = group_copies(hits, &catalog)
            .iter()
            .map(|h| catalog.service_at(h.ordinal).unwrap().id.as_str())
            .collect();
        assert_eq!(grouped, ["kreis-pass", "1063441"]);
    }

    #[test]
    fn copies_in_scope_are_one_per_authority() {
        let catalog = catalog();
        let pass = catalog.service("1063453").unwrap();
        let everywhere = copies_in_scope(pass, &catalog, &Scope::everywhere());
        assert_eq!(everywhere.len(), 2);
        assert_eq!(everywhere[0].id, "1063453");
        let kreis = Scope::new([Some(KREIS)]);
        let kreis_pass = copy_for(pass, &catalog, &kreis).unwrap();
        assert_eq!(kreis_pass.id, "kreis-pass");
        assert_eq!(copies_in_scope(kreis_pass, &catalog, &kreis).len(), 1);
        assert_eq!(
            authority(copy_for(pass, &catalog, &kreis).unwrap(), &catalog),
            "Landkreis Beispiel"
        );
        let nowhere = Scope::new([Some("010000000000")]);
        assert!(copy_for(pass, &catalog, &nowhere).is_none());
    }
}
