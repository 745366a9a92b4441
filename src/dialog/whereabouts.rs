//! Where a question is asked from: the tenant's region and the citizen's location, as the
//! scope answers are restricted to and the point offices are listed nearest from.

use crate::config::Tenant;
use crate::content::{Catalog, Office, Service};
use crate::geo::{Places, Point, Scope, distance_km, overlaps};
use crate::text;

/// The region and position one message is answered for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Whereabouts {
    /// The regions content must concern (tenant region, citizen's region).
    pub scope: Scope,
    /// The citizen's position, for listing offices nearest first.
    pub point: Option<Point>,
    /// How the citizen's location is named ("81241 München"), when it was resolved.
    pub label: Option<String>,
    /// Said to the citizen when the location could not be resolved.
    pub note: Option<String>,
    /// The message itself named the place and nothing else ("35037", "in Marburg").
    pub only_place: bool,
}

impl Whereabouts {
    /// The whereabouts of a request for `tenant` with the request's `location`.
    ///
    /// ```
    /// use sophia::config::Config;
    /// use sophia::dialog::Whereabouts;
    /// use sophia::geo::Places;
    /// let config = Config::shipped();
    /// let muenchen = config.tenant("muenchen").unwrap();
    /// let here = Whereabouts::of(muenchen, Some("81241"), &Places::shipped());
    /// assert_eq!(here.scope.regions(), ["091620000000", "091620000000"]);
    /// assert_eq!(here.label.as_deref(), Some("81241 München"));
    /// let lost = Whereabouts::of(muenchen, Some("Atlantis"), &Places::shipped());
    /// assert!(lost.note.unwrap().contains("Atlantis"));
    /// assert_eq!(lost.scope.regions(), ["091620000000"]);
    /// ```
    pub fn of(tenant: &Tenant, location: Option<&str>, places: &Places) -> Whereabouts {
        let tenant_region = tenant.region.as_deref();
        match location.map(str::trim).filter(|l| !l.is_empty()) {
            None => Whereabouts {
                scope: Scope::new([tenant_region]),
                ..Whereabouts::default()
            },
            Some(location) => match places.resolve(location) {
                // A place outside the portal's region: said, and answered for the portal's.
                Ok(found)
                    if tenant_region
                        .zip(found.ars.as_deref())
                        .is_some_and(|(t, a)| !overlaps(t, a)) =>
                {
                    Whereabouts {
                        scope: Scope::new([tenant_region]),
                        note: Some(format!(
                            "{} liegt außerhalb des Gebiets, für das ich hier antworte; ich antworte für {}.",
                            found.label, tenant.name
                        )),
                        ..Whereabouts::default()
                    }
                }
                Ok(found) => Whereabouts {
                    scope: Scope::new([tenant_region, found.ars.as_deref()]),
                    point: found.point,
                    label: Some(found.label),
                    note: None,
                    only_place: false,
                },
                Err(note) => Whereabouts {
                    scope: Scope::new([tenant_region]),
                    note: Some(note),
                    ..Whereabouts::default()
                },
            },
        }
    }

    /// The whereabouts of a message: a place the message names ("Reisepass in Marburg")
    /// before the request's `location`, which is the portal's or app's preset.
    ///
    /// ```
    /// use sophia::config::Config;
    /// use sophia::dialog::Whereabouts;
    /// use sophia::geo::Places;
    /// let config = Config::shipped();
    /// let tenant = config.tenant("land-hessen").unwrap();
    /// let here = Whereabouts::of_message(tenant, "in Marburg bitte", Some("65183"), &Places::shipped());
    /// assert_eq!(here.label.as_deref(), Some("Marburg"));
    /// assert!(here.only_place);
    /// ```
    pub fn of_message(
        tenant: &Tenant,
        message: &str,
        location: Option<&str>,
        places: &Places,
    ) -> Whereabouts {
        match places.find_in(message) {
            Some(named) => {
                let mut found = Whereabouts::of(tenant, Some(&named), places);
                let place_words: Vec<String> = text::words(&named)
                    .map(|(_, w)| text::normalize_word(w))
                    .collect();
                found.only_place = text::words(message)
                    .map(|(_, w)| text::normalize_word(w))
                    .all(|w| place_words.contains(&w) || text::is_stop_word(&w));
                found
            }
            None => Whereabouts::of(tenant, location, places),
        }
    }

    /// The offices offering `service` that are responsible here, nearest first when the
    /// position is known, else in the source's order.
    pub fn offices<'c>(&self, service: &Service, catalog: &'c Catalog) -> Vec<&'c Office> {
        let mut offices: Vec<&Office> = service
            .offices
            .iter()
            .filter_map(|o| catalog.office(&o.office_id))
            .filter(|o| self.scope.admits(&o.regions))
            .collect();
        self.nearest_first(&mut offices);
        offices
    }

    /// Sorts offices by distance from the citizen (those without a position last); keeps
    /// the order when the citizen's position is unknown.
    pub fn nearest_first(&self, offices: &mut [&Office]) {
        if self.point.is_some() {
            let km = |o: &Office| self.distance_km(o).unwrap_or(f64::INFINITY);
            offices.sort_by(|a, b| km(a).total_cmp(&km(b)));
        }
    }

    /// The distance from the citizen to `office`, when both positions are known.
    pub fn distance_km(&self, office: &Office) -> Option<f64> {
        let here = self.point?;
        let (lat, lon) = office.geo?;
        Some(distance_km(here, Point { lat, lon }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn muenchen() -> Tenant {
        Config::shipped().tenant("muenchen").unwrap().clone()
    }

    #[test]
    fn offices_are_listed_nearest_first_from_the_postcode() {
        let catalog = Catalog::shipped();
        let places = Places::shipped();
        let pass = catalog.service("1063453").unwrap();
        let pasing = Whereabouts::of(&muenchen(), Some("81241"), &places);
        let offices = pasing.offices(pass, &catalog);
        assert!(offices[0].name.contains("Pasing"), "{}", offices[0].name);
        let bogenhausen = Whereabouts::of(&muenchen(), Some("81925"), &places);
        let first = bogenhausen.offices(pass, &catalog)[0];
        assert!(!first.name.contains("Pasing"), "{}", first.name);
        let distances: Vec<f64> = offices
            .iter()
            .filter_map(|o| pasing.distance_km(o))
            .collect();
        assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    }

    #[test]
    fn without_a_location_the_source_order_stays() {
        let catalog = Catalog::shipped();
        let pass = catalog.service("1063453").unwrap();
        let here = Whereabouts::of(&muenchen(), None, &Places::shipped());
        let ids: Vec<&str> = here
            .offices(pass, &catalog)
            .iter()
            .map(|o| o.id.as_str())
            .collect();
        let source: Vec<&str> = pass.offices.iter().map(|o| o.office_id.as_str()).collect();
        assert_eq!(ids, source);
    }

    #[test]
    fn a_place_outside_the_portals_region_is_said_and_left_out() {
        let here = Whereabouts::of(&muenchen(), Some("35037"), &Places::shipped());
        assert_eq!(here.scope.regions(), ["091620000000"]);
        assert!(here.point.is_none());
        let note = here.note.unwrap();
        assert!(note.starts_with("35037 Marburg liegt außerhalb"), "{note}");
        assert!(note.contains("Landeshauptstadt München"), "{note}");
    }

    #[test]
    fn offices_of_another_region_are_never_listed() {
        let catalog = Catalog::shipped().with_regions(&["091620000000".to_string()]);
        let pass = catalog.service("1063453").unwrap();
        let mut hessen = muenchen();
        hessen.region = Some("060000000000".into());
        let here = Whereabouts::of(&hessen, None, &Places::shipped());
        assert!(here.offices(pass, &catalog).is_empty());
        let munich = Whereabouts::of(&muenchen(), Some("80331"), &Places::shipped());
        assert!(!munich.offices(pass, &catalog).is_empty());
    }
}
