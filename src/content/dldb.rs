//! Importer for the DLDB JSON export (Berlin "Dienstleistungsdatenbank", also used by Munich).
//!
//! A services export is `{"data": [service...], "meta": {...}}`, a locations export
//! `{"data": [location...]}`. Every field of the format is read when present. A file that is
//! not valid JSON, or not of this shape, fails with an [`ImportError`] naming the file and the
//! line; a record with one broken field is skipped with a [`Warning`] naming the record and the
//! field; nothing is dropped silently.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::html;
use super::import::{
    Import, ImportError, ImportReport, UrlField, Warning, drop_unsafe_service_urls,
    is_citizen_facing, push_keyword,
};
use super::{
    Address, Link, Office, OfficeLinks, RichText, Service, ServiceOffice, ServiceRecord,
    ServiceTexts, is_safe_url,
};

/// The attribution of the shipped Munich catalogue.
pub const MUENCHEN_ATTRIBUTION: &str =
    "Leistungsbeschreibungen: Landeshauptstadt München, CC BY 4.0";

/// The services and offices read from DLDB exports (the importers' shared [`Import`]).
///
/// ```
/// let import: sophia::content::dldb::DldbImport = sophia::content::dldb::import(("s.json", r#"{"data": []}"#), None, "A").unwrap();
/// assert!(import.services.is_empty());
/// ```
pub type DldbImport = Import;

/// Imports a services export and an optional locations export from their text.
///
/// `services_name` and `locations_name` are used in errors and warnings (usually the paths).
///
/// ```
/// use sophia::content::dldb;
/// let services = r#"{"data": [{"id": "1", "name": "Reisepass", "description": "<p>Ein Pass.</p>",
///                    "fees": "<p>70 Euro</p>", "locations": [{"location": "7"}]}]}"#;
/// let locations = r#"{"data": [{"id": "7", "name": "Bürgerbüro", "address": {"street": "Ruppertstraße",
///                     "house_number": "19", "postal_code": "80337", "city": "München"}}]}"#;
/// let import = dldb::import(("services.json", services), Some(("locations.json", locations)), "Test").unwrap();
/// assert_eq!(import.services[0].service.name, "Reisepass");
/// assert_eq!(import.offices[0].service_ids, vec!["1".to_string()]);
/// ```
pub fn import(
    services: (&str, &str),
    locations: Option<(&str, &str)>,
    attribution: &str,
) -> Result<DldbImport, ImportError> {
    import_files(&[services], locations.as_slice(), attribution)
}

/// Like [`import`] for several services and locations files of one catalogue (an export
/// split into parts). A record whose id an earlier record already has is skipped with a
/// warning; the first one stays.
pub fn import_files(
    services: &[(&str, &str)],
    locations: &[(&str, &str)],
    attribution: &str,
) -> Result<DldbImport, ImportError> {
    let mut report = ImportReport::default();
    let mut out = DldbImport::default();
    let mut seen: HashMap<String, (String, usize)> = HashMap::new();

    for &(services_name, services_text) in services {
        for (index, record) in data_array(services_name, services_text)?.iter().enumerate() {
            let at = RecordAt::new(services_name, index, record);
            let mut record = match service(record, &at, attribution) {
                Ok(record) => record,
                Err(warning) => {
                    report.skipped += 1;
                    report.warnings.push(warning);
                    continue;
                }
            };
            if let Some((file, first)) = seen.get(&record.service.id) {
                report.skipped += 1;
                report.warnings.push(at.warn(
                    "id",
                    format!(
                        "duplicate id; the first record with it ({file} record {first}) is kept"
                    ),
                ));
                continue;
            }
            seen.insert(
                record.service.id.clone(),
                (services_name.to_string(), index),
            );
            drop_unsafe_service_urls(&mut record, |field, message| {
                report
                    .warnings
                    .push(at.warn(url_field_name(field), message));
            });
            if !record.service.citizen_facing {
                report.hidden += 1;
            }
            report.imported += 1;
            out.services.push(record);
        }
    }

    let mut online_links = OnlineLinks::new();
    let mut seen_offices: HashMap<String, (String, usize)> = HashMap::new();
    for &(locations_name, locations_text) in locations {
        for (index, record) in data_array(locations_name, locations_text)?
            .iter()
            .enumerate()
        {
            let at = RecordAt::new(locations_name, index, record);
            match office(record, &at) {
                Ok((mut office, links)) => {
                    if let Some((file, first)) = seen_offices.get(&office.id) {
                        report.skipped += 1;
                        report.warnings.push(at.warn(
                            "id",
                            format!("duplicate id; the first record with it ({file} record {first}) is kept"),
                        ));
                        continue;
                    }
                    seen_offices.insert(office.id.clone(), (locations_name.to_string(), index));
                    if office.url.as_deref().is_some_and(|u| !is_safe_url(u)) {
                        report
                            .warnings
                            .push(at.warn("contact.webinfo", "not an http(s) link; ignored"));
                        office.url = None;
                    }
                    let links = links
                        .into_iter()
                        .map(|(id, link)| {
                            let link = match link {
                                Some(url) if !is_safe_url(&url) => {
                                    report.warnings.push(at.warn(
                                        "services[].onlineprocessing.link",
                                        format!("link for service {id} is not http(s), mailto or tel; ignored"),
                                    ));
                                    None
                                }
                                other => other,
                            };
                            (id, link)
                        })
                        .collect();
                    report.offices += 1;
                    online_links.insert(office.id.clone(), links);
                    out.offices.push(office);
                }
                Err(warning) => {
                    report.skipped += 1;
                    report.warnings.push(warning);
                }
            }
        }
    }
    join_offices(
        &mut out.services,
        &mut out.offices,
        &online_links,
        &mut report,
    );
    out.report = report;
    Ok(out)
}

/// The DLDB field a [`UrlField`] comes from, for warnings.
fn url_field_name(field: UrlField) -> &'static str {
    match field {
        UrlField::Page => "meta.url",
        UrlField::Appointment => "appointment.link",
        UrlField::Online => "onlineprocessing.link",
        UrlField::OfficeAppointment => "locations[].appointment.link",
        UrlField::Prerequisites => "prerequisites",
        UrlField::Requirements => "requirements",
        UrlField::Forms => "forms",
        UrlField::Links => "links",
        UrlField::Legal => "legal",
    }
}

/// Parses the file and returns its `data` array, or an error naming file, line and column.
fn data_array(name: &str, text: &str) -> Result<Vec<Value>, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut root: Value = serde_json::from_str(text).map_err(|e| ImportError::Json {
        file: name.to_string(),
        line: e.line(),
        column: e.column(),
        message: without_position(&e.to_string()),
    })?;
    match root.get_mut("data").map(Value::take) {
        Some(Value::Array(records)) => Ok(records),
        Some(other) => Err(ImportError::Format {
            file: name.to_string(),
            message: format!(
                "field `data` must be an array of records, found {}",
                kind(&other)
            ),
        }),
        None => Err(ImportError::Format {
            file: name.to_string(),
            message: "missing top-level field `data` (expected {\"data\": [...]})".to_string(),
        }),
    }
}

/// serde_json's message without its trailing " at line L column C" (the error names the
/// position itself).
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Where a record is: file, position and id, for warnings.
struct RecordAt<'a> {
    file: &'a str,
    index: usize,
    id: Option<String>,
}

impl<'a> RecordAt<'a> {
    fn new(file: &'a str, index: usize, record: &Value) -> Self {
        let id = record.get("id").and_then(scalar_string);
        RecordAt { file, index, id }
    }

    fn warn(&self, field: &str, message: impl Into<String>) -> Warning {
        Warning {
            file: self.file.to_string(),
            line: None,
            record: self.index,
            id: self.id.clone(),
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// The fields every record has: it is an object with a non-empty `id` and `name`.
fn record_head<'r>(
    record: &'r Value,
    at: &RecordAt,
) -> Result<(&'r Map<String, Value>, String, String), Warning> {
    let obj = record.as_object().ok_or_else(|| {
        at.warn(
            "",
            format!("record must be an object, found {}", kind(record)),
        )
    })?;
    let id = required_string(obj, "id", at)?;
    let name = html::clean_inline(&required_string(obj, "name", at)?);
    if name.is_empty() {
        return Err(at.warn("name", "empty name"));
    }
    Ok((obj, id, name))
}

/// Reads one service record.
fn service(record: &Value, at: &RecordAt, attribution: &str) -> Result<ServiceRecord, Warning> {
    let (obj, id, name) = record_head(record, at)?;
    let description = optional_html(obj, "description", at)?.unwrap_or_default();
    let fees = optional_html(obj, "fees", at)?.filter(|f| !f.is_empty());
    let process_time = optional_html(obj, "process_time", at)?.filter(|f| !f.is_empty());
    let responsibility = optional_html(obj, "responsibility", at)?.filter(|f| !f.is_empty());

    let meta = optional_object(obj, "meta", at)?;
    let keywords = match meta.and_then(|m| m.get("keywords")) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => split_keywords(s),
        Some(other) => {
            return Err(at.warn(
                "meta.keywords",
                format!("expected a comma-separated string, found {}", kind(other)),
            ));
        }
    };
    let template = |s: String| s.replace("{serviceId}", &id);
    let url = meta
        .map(|m| optional_string_in(m, "url", "meta.url", at))
        .transpose()?
        .flatten()
        .map(template);
    let updated = meta
        .map(|m| optional_string_in(m, "lastupdate", "meta.lastupdate", at))
        .transpose()?
        .flatten()
        .map(|d| d.chars().take(10).collect::<String>());

    let appointment_url = match optional_object(obj, "appointment", at)? {
        Some(a) => optional_string_in(a, "link", "appointment.link", at)?.map(template),
        None => None,
    };
    let online = match optional_object(obj, "onlineprocessing", at)? {
        Some(o) => optional_string_in(o, "link", "onlineprocessing.link", at)?.map(|url| Link {
            name: "Online-Antrag".to_string(),
            url,
            description: o
                .get("description")
                .and_then(Value::as_str)
                .map(html::clean_inline)
                .filter(|d| !d.is_empty()),
        }),
        None => None,
    };

    let authorities = match obj.get("authorities") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|a| a.get("name").and_then(Value::as_str))
            .map(html::clean_inline)
            .collect(),
        Some(other) => {
            return Err(at.warn(
                "authorities",
                format!("expected an array, found {}", kind(other)),
            ));
        }
    };

    let (offices, office_links) = service_offices(obj, at)?;
    let slot_minutes = match obj.get("duration") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .and_then(|m| u32::try_from(m).ok())
                .ok_or_else(|| {
                    at.warn(
                        "duration",
                        format!("expected minutes as a number, found {}", kind(v)),
                    )
                })?,
        ),
    };
    let leika = optional_string(obj, "leika", at)?.filter(|l| !l.trim().is_empty());

    let citizen_facing = is_citizen_facing(&description, fees.as_ref(), &keywords);
    let texts = ServiceTexts {
        description,
        fees,
        process_time,
        prerequisites: link_list(obj, "prerequisites", at)?,
        requirements: link_list(obj, "requirements", at)?,
        forms: link_list(obj, "forms", at)?,
        links: link_list(obj, "links", at)?,
        legal: link_list(obj, "legal", at)?,
        responsibility,
        office_links,
    };
    let service = Service {
        id,
        name,
        leika,
        online,
        appointment_url,
        url,
        keywords,
        updated,
        slot_minutes,
        authorities,
        offices,
        citizen_facing,
        attribution: attribution.to_string(),
        regions: Vec::new(),
    };
    Ok(ServiceRecord { service, texts })
}

/// Reads `locations[]` of a service record: the offices offering it.
/// Returns the offices and the service's booking links at them.
fn service_offices(
    obj: &Map<String, Value>,
    at: &RecordAt,
) -> Result<(Vec<ServiceOffice>, Vec<OfficeLinks>), Warning> {
    let items = match obj.get("locations") {
        None | Some(Value::Null) => return Ok((Vec::new(), Vec::new())),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(at.warn(
                "locations",
                format!("expected an array, found {}", kind(other)),
            ));
        }
    };
    let mut offices = Vec::new();
    let mut links = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = format!("locations[{i}].location");
        let office_id = item
            .get("location")
            .and_then(scalar_string)
            .ok_or_else(|| at.warn(&field, "missing location id"))?;
        let appointment_url = item
            .get("appointment")
            .and_then(|a| a.get("link"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if appointment_url.is_some() {
            links.push(OfficeLinks {
                office_id: office_id.clone(),
                appointment_url,
                online_url: None,
            });
        }
        offices.push(ServiceOffice { office_id });
    }
    Ok((offices, links))
}

/// The services an office names, each with its online application link.
type ServiceLinks = Vec<(String, Option<String>)>;
/// Per office id: its [`ServiceLinks`].
type OnlineLinks = HashMap<String, ServiceLinks>;

/// Reads one location record, with the online links it names per service.
fn office(record: &Value, at: &RecordAt) -> Result<(Office, ServiceLinks), Warning> {
    let (obj, id, name) = record_head(record, at)?;
    let address = match optional_object(obj, "address", at)? {
        Some(a) => Address {
            street: optional_string_in(a, "street", "address.street", at)?.unwrap_or_default(),
            house_number: optional_string_in(a, "house_number", "address.house_number", at)?
                .unwrap_or_default(),
            postal_code: optional_string_in(a, "postal_code", "address.postal_code", at)?
                .unwrap_or_default(),
            city: optional_string_in(a, "city", "address.city", at)?.unwrap_or_default(),
        },
        None => Address::default(),
    };
    let geo = match optional_object(obj, "geo", at)? {
        Some(g) => {
            let coordinate = |key: &str| {
                g.get(key).and_then(|v| {
                    v.as_f64()
                        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                })
            };
            match (coordinate("lat"), coordinate("lon")) {
                (Some(lat), Some(lon)) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => {
                    Some((lat, lon))
                }
                (None, None) => None,
                _ => return Err(at.warn("geo", "lat/lon must be numbers within range")),
            }
        }
        None => None,
    };
    let contact = optional_object(obj, "contact", at)?;
    let contact_field = |key: &str| -> Result<Option<String>, Warning> {
        match contact {
            Some(c) => Ok(optional_string_in(c, key, &format!("contact.{key}"), at)?
                .filter(|s| !s.trim().is_empty())),
            None => Ok(None),
        }
    };
    let mut service_ids = Vec::new();
    let mut online_links = Vec::new();
    match obj.get("services") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let service_id = item.get("service").and_then(scalar_string).ok_or_else(|| {
                    at.warn(&format!("services[{i}].service"), "missing service id")
                })?;
                let online = item
                    .get("onlineprocessing")
                    .and_then(|o| o.get("link"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                online_links.push((service_id.clone(), online));
                service_ids.push(service_id);
            }
        }
        Some(other) => {
            return Err(at.warn(
                "services",
                format!("expected an array, found {}", kind(other)),
            ));
        }
    }
    let office = Office {
        id,
        name,
        display_name: optional_string(obj, "displayName", at)?.map(|s| html::clean_inline(&s)),
        organization: optional_string(obj, "organization", at)?,
        organization_unit: optional_string(obj, "organizationUnit", at)?,
        address,
        geo,
        phone: contact_field("phone")?,
        email: contact_field("email")?,
        url: contact_field("webinfo")?,
        service_ids,
        opening_hours: None,
        keywords: office_keywords(obj),
        regions: Vec::new(),
    };
    Ok((office, online_links))
}

/// Joins services and offices both ways: a service lists every office that names it and an
/// office lists every service that names it. References to unknown records are warned about.
fn join_offices(
    records: &mut [ServiceRecord],
    offices: &mut [Office],
    online_links: &OnlineLinks,
    report: &mut ImportReport,
) {
    if offices.is_empty() {
        return;
    }
    let office_index: HashMap<String, usize> = offices
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id.clone(), i))
        .collect();
    let service_index: HashMap<String, usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.service.id.clone(), i))
        .collect();

    // Service side -> office side.
    let mut dangling: BTreeMap<String, usize> = BTreeMap::new();
    for service in records.iter().map(|r| &r.service) {
        for link in &service.offices {
            match office_index.get(&link.office_id) {
                Some(&i) if !offices[i].service_ids.contains(&service.id) => {
                    offices[i].service_ids.push(service.id.clone());
                }
                Some(_) => {}
                None => *dangling.entry(link.office_id.clone()).or_default() += 1,
            }
        }
    }
    // Office side -> service side, with the per-office online links.
    for office in offices.iter() {
        let links = online_links.get(&office.id);
        for service_id in &office.service_ids {
            let online = links
                .and_then(|l| l.iter().find(|(id, _)| id == service_id))
                .and_then(|(_, link)| link.clone());
            let Some(&si) = service_index.get(service_id) else {
                *dangling.entry(service_id.clone()).or_default() += 1;
                continue;
            };
            let record = &mut records[si];
            if !record
                .service
                .offices
                .iter()
                .any(|o| o.office_id == office.id)
            {
                record.service.offices.push(ServiceOffice {
                    office_id: office.id.clone(),
                });
            }
            if online.is_some() {
                let links = record.texts.links_at_mut(&office.id);
                if links.online_url.is_none() {
                    links.online_url = online;
                }
            }
        }
    }
    for (id, count) in dangling {
        report.warnings.push(Warning {
            file: String::new(),
            line: None,
            record: 0,
            id: Some(id.clone()),
            field: "locations/services".to_string(),
            message: format!(
                "referenced {count} time(s) but not present in the other export; link ignored"
            ),
        });
    }
}

fn required_string(obj: &Map<String, Value>, key: &str, at: &RecordAt) -> Result<String, Warning> {
    match obj.get(key) {
        Some(v) => scalar_string(v)
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| {
                at.warn(
                    key,
                    format!("expected a non-empty string, found {}", kind(v)),
                )
            }),
        None => Err(at.warn(key, "missing required field")),
    }
}

fn optional_string(
    obj: &Map<String, Value>,
    key: &str,
    at: &RecordAt,
) -> Result<Option<String>, Warning> {
    optional_string_in(obj, key, key, at)
}

fn optional_string_in(
    obj: &Map<String, Value>,
    key: &str,
    field: &str,
    at: &RecordAt,
) -> Result<Option<String>, Warning> {
    match obj.get(key) {
        None | Some(Value::Null) | Some(Value::Bool(false)) => Ok(None),
        Some(v) => scalar_string(v)
            .map(Some)
            .ok_or_else(|| at.warn(field, format!("expected a string, found {}", kind(v)))),
    }
}

fn optional_object<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    at: &RecordAt,
) -> Result<Option<&'v Map<String, Value>>, Warning> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(Value::Array(a)) if a.is_empty() => Ok(None),
        Some(v) => Err(at.warn(key, format!("expected an object, found {}", kind(v)))),
    }
}

fn optional_html(
    obj: &Map<String, Value>,
    key: &str,
    at: &RecordAt,
) -> Result<Option<RichText>, Warning> {
    match obj.get(key) {
        None | Some(Value::Null) | Some(Value::Bool(false)) => Ok(None),
        Some(Value::String(s)) => Ok(Some(html::rich_text(s))),
        Some(v) => Err(at.warn(key, format!("expected HTML text, found {}", kind(v)))),
    }
}

/// Reads a list of `{name, link, description}` objects; plain strings are accepted as names.
fn link_list(obj: &Map<String, Value>, key: &str, at: &RecordAt) -> Result<Vec<Link>, Warning> {
    let items = match obj.get(key) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(v) => return Err(at.warn(key, format!("expected an array, found {}", kind(v)))),
    };
    let mut links = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = format!("{key}[{i}]");
        let (name, url, description) = match item {
            Value::String(s) => (s.clone(), String::new(), None),
            Value::Object(o) => (
                o.get("name").and_then(scalar_string).unwrap_or_default(),
                o.get("link").and_then(scalar_string).unwrap_or_default(),
                o.get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            ),
            v => {
                return Err(at.warn(
                    &field,
                    format!("expected an object with name and link, found {}", kind(v)),
                ));
            }
        };
        let name = html::clean_inline(&name);
        if name.is_empty() && url.is_empty() {
            return Err(at.warn(&field, "neither name nor link"));
        }
        links.push(Link {
            name,
            url: url.trim().to_string(),
            description: description
                .map(|d| html::clean_inline(&d))
                .filter(|d| !d.is_empty()),
        });
    }
    Ok(links)
}

/// An office's other names: `displayNameAlternatives` and `meta.keywords`, each once.
/// Malformed entries are skipped: they only help finding the office.
fn office_keywords(obj: &Map<String, Value>) -> Vec<String> {
    let mut keywords: Vec<String> = obj
        .get("displayNameAlternatives")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|s| html::clean_inline(s).trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(meta) = obj
        .get("meta")
        .and_then(|m| m.get("keywords"))
        .and_then(Value::as_str)
    {
        for keyword in split_keywords(meta) {
            if !keywords.iter().any(|k| k.eq_ignore_ascii_case(&keyword)) {
                keywords.push(keyword);
            }
        }
    }
    keywords
}

/// Splits the editors' comma-separated keywords, trimmed, without empties or duplicates.
///
/// ```
/// assert_eq!(sophia::content::dldb::split_keywords(" Perso, Ausweis,,perso "), vec!["Perso", "Ausweis"]);
/// ```
pub fn split_keywords(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in s.split([',', ';']).map(html::clean_inline) {
        push_keyword(&mut out, k);
    }
    out
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(record: &str) -> DldbImport {
        import(("s.json", &format!("{{\"data\": [{record}]}}")), None, "A").unwrap()
    }

    #[test]
    fn reads_the_berlin_fields_when_present() {
        let i = one(
            r#"{"id": 5, "name": "Anmeldung", "description": "<p>Text</p>",
                "process_time": "<p>sofort</p>", "responsibility": "Bürgeramt",
                "prerequisites": [{"name": "Wohnung", "link": "", "description": "Sie wohnen"}],
                "requirements": [{"name": "Personalausweis", "link": "https://x.de/a"}],
                "legal": [{"name": "BMG § 17", "link": "https://gesetze.de/bmg"}],
                "onlineprocessing": {"link": "https://online.de", "description": "Online"}}"#,
        );
        let (s, t) = (&i.services[0].service, &i.services[0].texts);
        assert_eq!(s.id, "5");
        assert_eq!(t.process_time.as_ref().unwrap().text, "sofort");
        assert_eq!(t.requirements[0].name, "Personalausweis");
        assert_eq!(
            t.prerequisites[0].description.as_deref(),
            Some("Sie wohnen")
        );
        assert_eq!(t.legal[0].url, "https://gesetze.de/bmg");
        assert_eq!(s.online.as_ref().unwrap().url, "https://online.de");
        assert_eq!(t.responsibility.as_ref().unwrap().text, "Bürgeramt");
        assert!(s.citizen_facing);
    }

    #[test]
    fn booking_artefacts_are_imported_but_hidden() {
        let i = one(
            r#"{"id": "9", "name": "Shortlane 15 min", "description": "", "meta": {"keywords": ""}}"#,
        );
        assert_eq!(i.report.imported, 1);
        assert_eq!(i.report.hidden, 1);
        assert!(!i.services[0].service.citizen_facing);
    }

    #[test]
    fn a_broken_field_skips_the_record_with_a_warning_naming_it() {
        let i = import(
            (
                "s.json",
                r#"{"data": [{"id": "1", "name": "Gut"}, {"id": "2", "name": "Kaputt", "fees": 17}]}"#,
            ),
            None,
            "A",
        )
        .unwrap();
        assert_eq!(i.services.len(), 1);
        assert_eq!(i.report.skipped, 1);
        let w = i.report.warnings[0].to_string();
        assert!(
            w.contains("s.json") && w.contains("id 2") && w.contains("`fees`"),
            "{w}"
        );
    }

    #[test]
    fn a_malformed_file_names_file_and_line() {
        let err = import(("bad.json", "{\"data\": [\n{\"id\": }]}"), None, "A").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("bad.json:2:"), "{msg}");
        assert!(!msg.contains(" at line "), "position said twice: {msg}");
    }

    #[test]
    fn duplicate_ids_keep_the_first_record_and_warn() {
        let i = import(
            ("s.json", r#"{"data": [{"id": "1", "name": "Erst", "description": "a"}, {"id": "1", "name": "Doppelt", "description": "b"}]}"#),
            None,
            "A",
        )
        .unwrap();
        assert_eq!(i.services.len(), 1);
        assert_eq!(i.services[0].service.name, "Erst");
        assert_eq!(i.report.skipped, 1);
        assert!(i.report.warnings[0].to_string().contains("duplicate id"));
    }

    #[test]
    fn unsafe_links_are_dropped_with_a_warning() {
        let i = one(
            r#"{"id": "1", "name": "X", "description": "d", "meta": {"url": "javascript:alert(4)"},
                "forms": [{"name": "Formular", "link": "data:text/html,x"}]}"#,
        );
        let (s, t) = (&i.services[0].service, &i.services[0].texts);
        assert_eq!(s.url, None);
        assert_eq!(t.forms[0].url, "");
        assert_eq!(i.report.warnings.len(), 2, "{:?}", i.report.warnings);
    }

    #[test]
    fn several_files_make_one_catalogue() {
        let a = r#"{"data": [{"id": "1", "name": "A", "description": "a"}]}"#;
        let b = r#"{"data": [{"id": "2", "name": "B", "description": "b"}]}"#;
        let i = import_files(&[("a.json", a), ("b.json", b)], &[], "A").unwrap();
        assert_eq!(i.services.len(), 2);
    }

    #[test]
    fn a_file_without_data_array_is_rejected() {
        let err = import(("x.json", "{\"items\": []}"), None, "A").unwrap_err();
        assert!(err.to_string().contains("`data`"), "{err}");
    }

    #[test]
    fn url_templates_are_filled_and_dates_shortened() {
        let i = one(r#"{"id": "42", "name": "X", "description": "d",
                "meta": {"url": "https://b.de/#/services/{serviceId}", "lastupdate": "2026-06-08T07:41:01"},
                "appointment": {"link": "https://t.de/{serviceId}"}}"#);
        let s = &i.services[0].service;
        assert_eq!(s.url.as_deref(), Some("https://b.de/#/services/42"));
        assert_eq!(s.appointment_url.as_deref(), Some("https://t.de/42"));
        assert_eq!(s.updated.as_deref(), Some("2026-06-08"));
    }

    #[test]
    fn offices_join_both_ways_and_dangling_links_are_reported() {
        let services = r#"{"data": [
            {"id": "1", "name": "A", "description": "a", "locations": [{"location": "10"}, {"location": "99"}]},
            {"id": "2", "name": "B", "description": "b", "locations": []}]}"#;
        let locations = r#"{"data": [
            {"id": "10", "name": "Amt", "services": [{"service": "2", "onlineprocessing": {"link": "https://o.de"}}]}]}"#;
        let i = import(("s", services), Some(("l", locations)), "A").unwrap();
        assert_eq!(i.offices[0].service_ids, vec!["2", "1"]);
        assert_eq!(i.services[1].service.offices[0].office_id, "10");
        assert_eq!(
            i.services[1].texts.office_links[0].online_url.as_deref(),
            Some("https://o.de")
        );
        assert!(
            i.report
                .warnings
                .iter()
                .any(|w| w.id.as_deref() == Some("99"))
        );
    }

    #[test]
    fn the_shipped_catalogue_imports_completely() {
        let i = import(
            (
                "services_de.json",
                include_str!("../../index/muenchen/services_de.json"),
            ),
            Some((
                "locations_de.json",
                include_str!("../../index/muenchen/locations_de.json"),
            )),
            MUENCHEN_ATTRIBUTION,
        )
        .unwrap();
        assert_eq!(i.report.imported, 287);
        assert_eq!(i.report.skipped, 0, "{:?}", i.report.warnings);
        assert_eq!(i.offices.len(), 109);
        assert!(i.report.hidden >= 40, "hidden {}", i.report.hidden);
        let pass = i
            .services
            .iter()
            .find(|s| s.service.id == "1063453")
            .unwrap();
        let (t, pass) = (&pass.texts, &pass.service);
        assert!(t.fees.is_some() && pass.keywords.contains(&"Passverlust".to_string()));
        assert!(pass.offices.len() >= 7);
    }
}
