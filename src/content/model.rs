//! The content model: what Sophia knows about services and offices, independent of the
//! export format it was imported from.

use serde::{Deserialize, Serialize};

/// One part of a service description as a citizen reads it: an optional heading, the
/// plain text, and the same content as sanitised HTML (lists stay lists, links are kept).
///
/// ```
/// use sophia::content::Section;
/// let s = Section { heading: Some("Gebühren".into()), text: "37 Euro".into(), html: "<p>37 Euro</p>".into() };
/// assert_eq!(s.heading.as_deref(), Some("Gebühren"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Section {
    /// The heading the source gave this part, if any ("Antragstellung und Termin").
    pub heading: Option<String>,
    /// Plain text: paragraphs separated by a blank line, list items as "- item" lines.
    pub text: String,
    /// Sanitised HTML of the same part (only safe tags, only http/https/mailto/tel links).
    pub html: String,
}

/// A named link (form, legal text, online application).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// What the link is called in the source ("Vollmacht", "Antragstellung").
    pub name: String,
    /// The absolute URL.
    pub url: String,
    /// An optional description from the source.
    pub description: Option<String>,
}

/// A block of rich text: the whole of a source field, as plain text, sanitised HTML and
/// its sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RichText {
    /// Plain text of the whole field.
    pub text: String,
    /// Sanitised HTML of the whole field.
    pub html: String,
    /// The field split at its headings.
    pub sections: Vec<Section>,
}

impl RichText {
    /// True when the field holds no readable text.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// Where a service is offered: the join of a service and one office. The service's own
/// links at the office are its texts' [`ServiceTexts::office_links`].
///
/// ```
/// let o = sophia::content::ServiceOffice { office_id: "10546".into() };
/// assert_eq!(o.office_id, "10546");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceOffice {
    /// Id of the office (`Office::id`).
    pub office_id: String,
}

/// A service's own links at one of its offices: only an answer naming the office shows
/// them.
///
/// ```
/// let l = sophia::content::OfficeLinks { office_id: "10546".into(),
///     appointment_url: Some("https://termin.example/10546".into()), online_url: None };
/// assert!(l.appointment_url.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeLinks {
    /// Id of the office (`Office::id`).
    pub office_id: String,
    /// Booking link for this service at this office.
    pub appointment_url: Option<String>,
    /// Online application link for this service at this office.
    pub online_url: Option<String>,
}

/// A service description (Leistungsbeschreibung) as the catalogue keeps it in memory:
/// what ranking, scoping, grouping and an answer's links need. Its long texts, which only
/// an answer quotes, are a [`ServiceTexts`] of their own, fetched from the catalogue per
/// answer ([`crate::content::Catalog::texts`]); a built catalogue keeps them in a
/// memory-mapped file.
///
/// ```
/// let catalog = sophia::content::Catalog::shipped();
/// let pass = catalog.service("1063453").unwrap();
/// assert_eq!(pass.name, "Reisepass");
/// let texts = catalog.texts(pass).unwrap();
/// assert!(texts.fees.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// The source's id ("1063453").
    pub id: String,
    /// The official name ("Reisepass").
    pub name: String,
    /// The 14-digit LeiKa key, when the source has one.
    pub leika: Option<String>,
    /// The online application (link and description).
    pub online: Option<Link>,
    /// The general booking page.
    pub appointment_url: Option<String>,
    /// The public page about the service.
    pub url: Option<String>,
    /// The editors' alternate names (`meta.keywords`), split and trimmed.
    pub keywords: Vec<String>,
    /// The "Stand" date (YYYY-MM-DD).
    pub updated: Option<String>,
    /// Appointment slot length in minutes (not the processing time).
    pub slot_minutes: Option<u32>,
    /// Authorities responsible (names).
    pub authorities: Vec<String>,
    /// Offices offering the service.
    pub offices: Vec<ServiceOffice>,
    /// False for internal booking artefacts that are never offered to citizens.
    pub citizen_facing: bool,
    /// The regions (12-digit Amtliche Regionalschlüssel) this description is valid for; empty
    /// means everywhere. A national catalogue holds one service type once per responsible
    /// authority, each copy with its authority's regions.
    pub regions: Vec<String>,
    /// The attribution to show with answers from this service.
    pub attribution: String,
}

/// The long texts of a service: what only an answer quotes. Kept apart from the
/// [`Service`] so that a large catalogue need not hold them in memory.
///
/// ```
/// use sophia::content::ServiceTexts;
/// let texts = ServiceTexts::default();
/// assert!(texts.description.is_empty() && texts.fees.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServiceTexts {
    /// The description.
    pub description: RichText,
    /// Fees (Gebühren); `None` when the source says nothing about fees.
    pub fees: Option<RichText>,
    /// Processing time (Bearbeitungsdauer), when the source has it.
    pub process_time: Option<RichText>,
    /// Prerequisites (Voraussetzungen).
    pub prerequisites: Vec<Link>,
    /// Required documents (Benötigte Unterlagen).
    pub requirements: Vec<Link>,
    /// Forms.
    pub forms: Vec<Link>,
    /// Further links.
    pub links: Vec<Link>,
    /// Legal bases.
    pub legal: Vec<Link>,
    /// Who is responsible, as free text.
    pub responsibility: Option<RichText>,
    /// Its own links at its offices (booking, online application), for the offices that
    /// have any.
    pub office_links: Vec<OfficeLinks>,
}

impl ServiceTexts {
    /// The service's own links at the office `office_id`, if it has any there.
    ///
    /// ```
    /// use sophia::content::{OfficeLinks, ServiceTexts};
    /// let texts = ServiceTexts { office_links: vec![OfficeLinks { office_id: "7".into(),
    ///     appointment_url: Some("https://t.example/7".into()), online_url: None }], ..Default::default() };
    /// assert!(texts.links_at("7").is_some() && texts.links_at("8").is_none());
    /// ```
    pub fn links_at(&self, office_id: &str) -> Option<&OfficeLinks> {
        self.office_links.iter().find(|l| l.office_id == office_id)
    }

    /// The links at `office_id`, added when the service has none there yet.
    pub(crate) fn links_at_mut(&mut self, office_id: &str) -> &mut OfficeLinks {
        match self
            .office_links
            .iter()
            .position(|l| l.office_id == office_id)
        {
            Some(i) => &mut self.office_links[i],
            None => {
                self.office_links.push(OfficeLinks {
                    office_id: office_id.to_string(),
                    appointment_url: None,
                    online_url: None,
                });
                self.office_links.last_mut().expect("just pushed")
            }
        }
    }
}

/// A whole service as an importer reads it: the [`Service`] and its [`ServiceTexts`].
/// [`crate::content::Catalog::new`] takes these and keeps the two apart.
///
/// ```
/// use sophia::content::{Catalog, ImportReport, RichText, ServiceRecord};
/// let catalog = Catalog::shipped();
/// let pass = catalog.service("1063453").unwrap();
/// let mut record = catalog.record(pass).unwrap();
/// record.texts.fees = Some(RichText { text: "10 Euro".into(), ..Default::default() });
/// let mine = Catalog::new(vec![record], vec![], "v1".into(), ImportReport::default());
/// assert_eq!(mine.texts(mine.service("1063453").unwrap()).unwrap().fees.as_ref().unwrap().text, "10 Euro");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRecord {
    /// What the catalogue keeps in memory.
    pub service: Service,
    /// The long texts.
    pub texts: ServiceTexts,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Address {
    /// Street name.
    pub street: String,
    /// House number.
    pub house_number: String,
    /// Postcode.
    pub postal_code: String,
    /// City.
    pub city: String,
}

impl Address {
    /// One line: "Implerstraße 11, 81371 München".
    ///
    /// ```
    /// use sophia::content::Address;
    /// let a = Address { street: "Implerstraße".into(), house_number: "11".into(), postal_code: "81371".into(), city: "München".into() };
    /// assert_eq!(a.one_line(), "Implerstraße 11, 81371 München");
    /// ```
    pub fn one_line(&self) -> String {
        let street = format!("{} {}", self.street.trim(), self.house_number.trim());
        let city = format!("{} {}", self.postal_code.trim(), self.city.trim());
        [street.trim(), city.trim()]
            .iter()
            .filter(|p| !p.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// An office (Standort) where citizens go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Office {
    /// The source's id.
    pub id: String,
    /// Name ("Gewerbeamt (KVR-III/21)").
    pub name: String,
    /// Short display name, when the source has one.
    pub display_name: Option<String>,
    /// Organisation ("Landeshauptstadt München").
    pub organization: Option<String>,
    /// Organisation unit ("Kreisverwaltungsreferat").
    pub organization_unit: Option<String>,
    /// Postal address.
    pub address: Address,
    /// Latitude and longitude.
    pub geo: Option<(f64, f64)>,
    /// Phone number.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Web page.
    pub url: Option<String>,
    /// Ids of the services offered here.
    pub service_ids: Vec<String>,
    /// Opening hours as the source words them, when it has them.
    pub opening_hours: Option<String>,
    /// The editors' other names for the office (DLDB `meta.keywords`,
    /// `displayNameAlternatives`), for finding it by name.
    pub keywords: Vec<String>,
    /// The regions (12-digit ARS) this office is responsible for; empty means everywhere.
    pub regions: Vec<String>,
}

/// Only http, https, mailto and tel links are ever stored or shown.
///
/// ```
/// assert!(sophia::content::is_safe_url("https://muenchen.de"));
/// assert!(sophia::content::is_safe_url("tel:115"));
/// assert!(!sophia::content::is_safe_url("javascript:alert(1)"));
/// assert!(!sophia::content::is_safe_url("https://a.de/\"onclick=\"x"));
/// ```
pub fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["https://", "http://", "mailto:", "tel:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        && !url
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '"' || c == '<' || c == '>')
}
