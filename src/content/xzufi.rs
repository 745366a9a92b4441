//! Importer for XZuFi 2.2 (namespace `http://xoev.de/schemata/xzufi/2_2_0`), the exchange
//! standard behind the Länder editorial systems, so a Land can feed Sophia directly.
//!
//! A file is a transfer message (`schreibe` objects under any root, e.g. a full export) or a
//! plain list of `leistung` and `organisationseinheit` elements; the wrapper does not matter.
//! Elements are matched by local name, so any namespace prefix works.
//!
//! What becomes what:
//! - `leistung` → [`Service`]: `id`; name from text module 02 (Leistungsbezeichnung), else 03;
//!   `referenzLeiKa/code` → `leika`; description from 06 (Volltext; else 05 Kurztext, else
//!   24 Teaser), then 11 "Verfahrensablauf", 16 "Hinweise" and `modulFrist` "Fristen" as
//!   sections; 07 → `legal`, 08 → `requirements`, 09 → `prerequisites`, 14 → `forms`,
//!   15 → `links`, 22 → `responsibility`; `modulKosten` → `fees` (its `kosten` entries as a
//!   list, then its `beschreibung`); `modulBearbeitungsdauer` → `process_time`; 03 and the
//!   `modulBegriffImKontext` terms → `keywords`; `modulUrsprungsportal/uri` → `url`;
//!   `versionsinformation/geaendertDatumZeit`, else `modulFachlicheFreigabe/fachlichFreigegebenAm`
//!   → `updated` (the "Stand" date).
//! - `organisationseinheit` → [`Office`]: `id`, `name`, the first `anschrift` with a street
//!   (with `geokodierung` if present), `kommunikation` (phone, e-mail, web), `internetadresse`,
//!   `oeffnungszeiten`.
//! - `zustaendigkeit{leistungID, gebietID}` of an organisationseinheit (or in a
//!   `zustaendigkeitTransferObjekt`) joins the two both ways and gives both their `regions`.
//!
//! Malformed XML fails with [`ImportError::Xml`] (`file:line:column` and the open element).
//! A record without id or name is skipped with a warning naming file, line, element and
//! field; an element the standard does not have is skipped with a warning once per name and
//! file; standard elements Sophia has no use for (`nachrichtenkopf`, `onlinedienst`,
//! `spezialisierung`, `kategorie`, ...) are skipped silently.

use std::collections::HashMap;

use roxmltree::Node;

use super::html;
use super::import::{
    Import, ImportError, ImportReport, UrlField, Warning, drop_unsafe_service_urls,
    is_citizen_facing, push_keyword,
};
use super::xzufi_parse::{
    self, FileAt, LeistungParts, Responsible, child, child_text, children, code,
};
use super::{Office, Service, ServiceOffice, ServiceRecord, ServiceTexts, is_safe_url};

/// The XZuFi 2.2 namespace.
///
/// ```
/// assert!(sophia::content::xzufi::NAMESPACE.ends_with("/xzufi/2_2_0"));
/// ```
pub const NAMESPACE: &str = "http://xoev.de/schemata/xzufi/2_2_0";

/// Standard objects of a transfer message that Sophia does not use.
const IGNORED_OBJECTS: &[&str] = &[
    "nachrichtenkopf",
    "loesche",
    "transaktionID",
    "transaktionPosition",
    "spezialisierung",
    "onlinedienst",
    "formular",
    "zustaendigkeitOnlinedienst",
];

/// Containers that may legitimately be empty.
const WRAPPERS: &[&str] = &["schreibe", "leistungen", "organisationseinheiten"];

/// Standard children of a `leistung` that Sophia does not use.
const LEISTUNG_IGNORED: &[&str] = &[
    "idSekundaer",
    "struktur",
    "informationsbereichSDG",
    "kategorie",
    "typisierung",
    "sprachversion",
    "modulDokument",
    "modulOnlinedienst",
    "modulAuskunftshinweis",
    "modulFormular",
    "modulZustaendigkeit",
    "modulLeistungsadressat",
    "gueltigkeit",
    "klassifizierung",
    "leistungsadressat",
    "herausgeber",
    "referenzSDG",
    "begriffImKontext",
];

/// The text modules (`leikaTextmodul/code`) this importer maps.
const MAPPED_MODULES: &[&str] = &[
    "02", "03", "05", "06", "07", "08", "09", "11", "14", "15", "16", "22", "24",
];

/// Imports XZuFi 2.2 files (name, text) into services and offices, joined through their
/// zuständigkeiten. `attribution` is shown with every answer from these services.
///
/// ```
/// let xml = r#"<xzufi:schreibe xmlns:xzufi="http://xoev.de/schemata/xzufi/2_2_0">
///   <xzufi:leistung>
///     <xzufi:id>1</xzufi:id>
///     <xzufi:referenzLeiKa><code>99085001000000</code></xzufi:referenzLeiKa>
///     <xzufi:modulText><xzufi:leikaTextmodul><code>02</code></xzufi:leikaTextmodul>
///       <xzufi:inhalt languageCode="de">Reisepass</xzufi:inhalt></xzufi:modulText>
///     <xzufi:modulKosten><xzufi:beschreibung>&lt;p&gt;70 Euro&lt;/p&gt;</xzufi:beschreibung></xzufi:modulKosten>
///   </xzufi:leistung>
///   <xzufi:organisationseinheit>
///     <xzufi:id>7</xzufi:id><xzufi:name><xzufi:name>Bürgerbüro</xzufi:name></xzufi:name>
///     <xzufi:zustaendigkeit><xzufi:leistungID>1</xzufi:leistungID>
///       <xzufi:gebietID>091620000000</xzufi:gebietID></xzufi:zustaendigkeit>
///   </xzufi:organisationseinheit>
/// </xzufi:schreibe>"#;
/// let import = sophia::content::xzufi::import_files(&[("land.xml", xml)], "Land, CC BY 4.0").unwrap();
/// let (pass, t) = (&import.services[0].service, &import.services[0].texts);
/// assert_eq!(t.fees.as_ref().unwrap().text, "70 Euro");
/// assert_eq!(pass.regions, vec!["091620000000".to_string()]);
/// assert_eq!(import.offices[0].service_ids, vec!["1".to_string()]);
/// ```
pub fn import_files(files: &[(&str, &str)], attribution: &str) -> Result<Import, ImportError> {
    let mut state = State::default();
    for &(name, text) in files {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let doc = xzufi_parse::parse(name, text)?;
        let mut reader = Reader {
            at: FileAt::new(name, &doc),
            attribution,
            records: 0,
            state: &mut state,
        };
        let found = reader.walk(doc.root());
        if found == 0 {
            let root = doc.root_element();
            let warning = reader.at.warn(
                root,
                0,
                None,
                root.tag_name().name(),
                "no leistung or organisationseinheit in this file",
            );
            state.import.report.warnings.push(warning);
        }
    }
    let mut import = state.import;
    join(
        &mut import.services,
        &mut import.offices,
        &state.responsible,
        &mut import.report,
    );
    Ok(import)
}

/// Everything read so far, across files.
#[derive(Default)]
struct State {
    import: Import,
    responsible: Vec<Responsible>,
    /// Ids already imported, with where: the first one stays.
    services_seen: HashMap<String, String>,
    offices_seen: HashMap<String, String>,
}

/// Reads the records of one file.
struct Reader<'f, 's> {
    at: FileAt<'f>,
    attribution: &'f str,
    records: usize,
    state: &'s mut State,
}

impl Reader<'_, '_> {
    /// Reads the records among the children of `node`, descending into wrappers (the root
    /// element, known containers, and any element with records inside); returns how many
    /// records were found.
    fn walk(&mut self, node: Node) -> usize {
        let mut found = 0;
        for c in node.children().filter(Node::is_element) {
            let name = c.tag_name().name();
            match name {
                "leistung" => self.leistung(c),
                "organisationseinheit" => self.organisationseinheit(c),
                "zustaendigkeitTransferObjekt" => self.transfer_object(c),
                _ if IGNORED_OBJECTS.contains(&name) => continue,
                _ if WRAPPERS.contains(&name) || node.parent().is_none() || holds_records(c) => {
                    found += self.walk(c);
                    continue;
                }
                _ => {
                    let record = self.records;
                    self.push_unknown(c, record, None, name);
                    continue;
                }
            }
            found += 1;
        }
        found
    }

    fn next_record(&mut self) -> usize {
        self.records += 1;
        self.records - 1
    }

    fn push(&mut self, warning: Warning) {
        self.state.import.report.warnings.push(warning);
    }

    fn push_unknown(&mut self, node: Node, record: usize, id: Option<&str>, path: &str) {
        if let Some(w) = self.at.unknown(node, record, id, path) {
            self.push(w);
        }
    }

    /// Skips a record with a warning.
    fn skip(&mut self, node: Node, record: usize, id: Option<&str>, field: &str, message: &str) {
        let w = self.at.warn(node, record, id, field, message);
        self.push(w);
        self.state.import.report.skipped += 1;
    }

    /// True (and a warning) when `id` was imported before; the first record stays.
    fn duplicate(&mut self, node: Node, record: usize, id: &str, element: &str) -> bool {
        let here = format!("{}:{}", self.at.file, self.at.line(node));
        let seen = if element == "leistung" {
            &mut self.state.services_seen
        } else {
            &mut self.state.offices_seen
        };
        if let Some(first) = seen.get(id).cloned() {
            let message = format!("duplicate id; the first {element} with it ({first}) is kept");
            self.skip(node, record, Some(id), &format!("{element}/id"), &message);
            return true;
        }
        seen.insert(id.to_string(), here);
        false
    }

    /// Reads the children of a `leistung`, warning about unknown ones.
    fn leistung_parts<'a, 'i>(
        &mut self,
        node: Node<'a, 'i>,
        record: usize,
        id: Option<&str>,
    ) -> LeistungParts<'a, 'i> {
        let mut parts = LeistungParts::default();
        let mut changed = None;
        let mut approved = None;
        for c in node.children().filter(Node::is_element) {
            let name = c.tag_name().name();
            match name {
                "id" => {}
                "referenzLeiKa" => parts.leika = Some((c, code(c))),
                "modulText" => {
                    let module = child(c, "leikaTextmodul").map(code).unwrap_or_default();
                    if !MAPPED_MODULES.contains(&module.as_str())
                        && self.at.unmapped_modules.insert(module.clone())
                    {
                        let message = if module.is_empty() {
                            "modulText without leikaTextmodul/code; skipped (reported once per file)".to_string()
                        } else {
                            format!(
                                "text module `{module}` is not mapped; skipped (reported once per file)"
                            )
                        };
                        let field = "leistung/modulText/leikaTextmodul";
                        let w = self.at.warn(c, record, id, field, message);
                        self.push(w);
                    }
                    parts.modules.entry(module).or_default().push(c);
                }
                "modulKosten" => parts.fees = xzufi_parse::fees(c),
                "modulFrist" => parts.deadline = xzufi_parse::module_markup(c),
                "modulBearbeitungsdauer" => {
                    parts.process_time = xzufi_parse::module_markup(c).map(|m| html::rich_text(&m))
                }
                "modulBegriffImKontext" => parts.terms.extend(xzufi_parse::terms(c)),
                "modulUrsprungsportal" => parts.url = child_text(c, "uri"),
                "versionsinformation" => changed = child_text(c, "geaendertDatumZeit"),
                "modulFachlicheFreigabe" => approved = child_text(c, "fachlichFreigegebenAm"),
                _ if LEISTUNG_IGNORED.contains(&name) => {}
                _ => self.push_unknown(c, record, id, &format!("leistung/{name}")),
            }
        }
        parts.updated = changed.or(approved).map(|d| d.chars().take(10).collect());
        parts
    }

    fn leistung(&mut self, node: Node) {
        let record = self.next_record();
        let id = child_text(node, "id");
        let parts = self.leistung_parts(node, record, id.as_deref());
        let Some(id) = id else {
            let field = "leistung/id";
            return self.skip(node, record, None, field, "missing id; record skipped");
        };
        let Some(name) = parts.name("02").or_else(|| parts.name("03")) else {
            let message = "no name (text module 02 Leistungsbezeichnung or 03 bürgernahe Bezeichnung); record skipped";
            return self.skip(node, record, Some(&id), "leistung/modulText", message);
        };
        if self.duplicate(node, record, &id, "leistung") {
            return;
        }
        let leika = match &parts.leika {
            Some((_, key)) if key.len() == 14 && key.bytes().all(|b| b.is_ascii_digit()) => {
                Some(key.clone())
            }
            Some((c, key)) => {
                let message = format!("`{key}` is not a 14-digit LeiKa key; ignored");
                let field = "leistung/referenzLeiKa";
                let w = self.at.warn(*c, record, Some(&id), field, message);
                self.push(w);
                None
            }
            None => None,
        };
        let mut keywords = Vec::new();
        if let Some(n) = parts.name("03").filter(|n| !n.eq_ignore_ascii_case(&name)) {
            push_keyword(&mut keywords, n);
        }
        for term in &parts.terms {
            push_keyword(&mut keywords, term.clone());
        }
        let texts = ServiceTexts {
            description: parts.description(),
            prerequisites: parts.items("09"),
            requirements: parts.items("08"),
            forms: parts.links("14"),
            links: parts.links("15"),
            legal: parts.items("07"),
            responsibility: parts
                .text("22")
                .map(|r| html::rich_text(&r))
                .filter(|r| !r.is_empty()),
            fees: parts.fees.filter(|f| !f.is_empty()),
            process_time: parts.process_time.filter(|p| !p.is_empty()),
            office_links: Vec::new(),
        };
        let citizen_facing = is_citizen_facing(&texts.description, texts.fees.as_ref(), &keywords);
        let service = Service {
            leika,
            online: None,
            appointment_url: None,
            url: parts.url,
            updated: parts.updated,
            slot_minutes: None,
            authorities: Vec::new(),
            offices: Vec::new(),
            citizen_facing,
            regions: Vec::new(),
            attribution: self.attribution.to_string(),
            keywords,
            id,
            name,
        };
        let mut entry = ServiceRecord { service, texts };
        let mut warnings = Vec::new();
        let service_id = entry.service.id.clone();
        drop_unsafe_service_urls(&mut entry, |field, message| {
            let field = match field {
                UrlField::Page => "leistung/modulUrsprungsportal/uri",
                UrlField::Prerequisites => "leistung/modulText[09]",
                UrlField::Requirements => "leistung/modulText[08]",
                UrlField::Forms => "leistung/modulText[14]",
                UrlField::Links => "leistung/modulText[15]",
                UrlField::Legal => "leistung/modulText[07]",
                UrlField::Appointment | UrlField::Online | UrlField::OfficeAppointment => {
                    "leistung"
                }
            };
            warnings.push(
                self.at
                    .warn(node, record, Some(&service_id), field, message),
            );
        });
        for w in warnings {
            self.push(w);
        }
        let report = &mut self.state.import.report;
        report.imported += 1;
        if !entry.service.citizen_facing {
            report.hidden += 1;
        }
        self.state.import.services.push(entry);
    }

    fn organisationseinheit(&mut self, node: Node) {
        let record = self.next_record();
        let id = child_text(node, "id");
        let name = child(node, "name").map(xzufi_parse::name);
        let Some(id) = id else {
            let field = "organisationseinheit/id";
            return self.skip(node, record, None, field, "missing id; record skipped");
        };
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            let field = "organisationseinheit/name";
            return self.skip(
                node,
                record,
                Some(&id),
                field,
                "missing name; record skipped",
            );
        };
        if self.duplicate(node, record, &id, "organisationseinheit") {
            return;
        }
        let mut office = xzufi_parse::empty_office(id.clone(), name);
        let mut hours = Vec::new();
        for c in node.children().filter(Node::is_element) {
            let element = c.tag_name().name();
            match element {
                "id" | "name" => {}
                "anschrift" => {
                    if office.address.street.is_empty() {
                        office.address = xzufi_parse::address(c);
                    }
                    hours.extend(xzufi_parse::opening_hours_in(c));
                    if office.geo.is_none() {
                        office.geo = self.geo_in(c, record, &id);
                    }
                }
                "geokodierung" => {
                    if office.geo.is_none() {
                        office.geo = self.geo_in(node, record, &id);
                    }
                }
                "kommunikation" => xzufi_parse::contact(c, &mut office),
                "internetadresse" => {
                    if office.url.is_none() {
                        office.url = child_text(c, "uri").or_else(|| Some(xzufi_parse::text(c)));
                    }
                }
                "zustaendigkeit" => {
                    let r = xzufi_parse::responsible(c, &id, self.at.file, self.at.line(c), record);
                    self.state.responsible.push(r);
                }
                _ if xzufi_parse::is_opening_hours(element) => {
                    hours.extend(xzufi_parse::opening_hours(c))
                }
                _ if xzufi_parse::OFFICE_IGNORED.contains(&element) => {}
                _ => {
                    let path = format!("organisationseinheit/{element}");
                    self.push_unknown(c, record, Some(&id), &path);
                }
            }
        }
        if !hours.is_empty() {
            office.opening_hours = Some(hours.join("\n"));
        }
        if office.url.as_deref().is_some_and(|u| !is_safe_url(u)) {
            let field = "organisationseinheit/internetadresse";
            let w = self.at.warn(
                node,
                record,
                Some(&id),
                field,
                "not an http(s) link; ignored",
            );
            self.push(w);
            office.url = None;
        }
        self.state.import.report.offices += 1;
        self.state.import.offices.push(office);
    }

    /// A `zustaendigkeitTransferObjekt`: zuständigkeiten of one organisationseinheit sent
    /// on their own.
    fn transfer_object(&mut self, node: Node) {
        let record = self.next_record();
        let office = node
            .descendants()
            .find(|d| {
                d.is_element()
                    && matches!(
                        d.tag_name().name(),
                        "organisationseinheitID" | "uebergeordnetesObjektID"
                    )
            })
            .map(xzufi_parse::text)
            .filter(|t| !t.is_empty());
        let Some(office) = office else {
            let field = "zustaendigkeitTransferObjekt/organisationseinheitID";
            return self.skip(
                node,
                record,
                None,
                field,
                "names no organisationseinheit; skipped",
            );
        };
        for z in node
            .descendants()
            .filter(|d| d.is_element() && d.tag_name().name() == "zustaendigkeit")
        {
            let r = xzufi_parse::responsible(z, &office, self.at.file, self.at.line(z), record);
            self.state.responsible.push(r);
        }
    }

    /// The coordinates in a `geokodierung` under `node`, warning when they are unusable.
    fn geo_in(&mut self, node: Node, record: usize, id: &str) -> Option<(f64, f64)> {
        let geo = children(node, "geokodierung").next()?;
        let found = xzufi_parse::coordinates(geo);
        if found.is_none() {
            let field = "organisationseinheit/anschrift/geokodierung";
            let w = self.at.warn(
                geo,
                record,
                Some(id),
                field,
                "no latitude/longitude in range; ignored",
            );
            self.push(w);
        }
        found
    }
}

/// Whether a record element is somewhere inside `node`.
fn holds_records(node: Node) -> bool {
    node.descendants().any(|d| {
        d.is_element()
            && matches!(
                d.tag_name().name(),
                "leistung" | "organisationseinheit" | "zustaendigkeitTransferObjekt"
            )
    })
}

/// Joins services and offices through the zuständigkeiten, both ways, and gives both the
/// regions (gebietIDs) of their zuständigkeiten. A zuständigkeit naming an unknown leistung
/// or organisationseinheit is warned about and ignored.
fn join(
    records: &mut [ServiceRecord],
    offices: &mut [Office],
    responsible: &[Responsible],
    report: &mut ImportReport,
) {
    let mut services: Vec<&mut Service> = records.iter_mut().map(|r| &mut r.service).collect();
    let service_index: HashMap<String, usize> = services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let office_index: HashMap<String, usize> = offices
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id.clone(), i))
        .collect();
    for r in responsible {
        let warn = |field: &str, message: String| Warning {
            file: r.file.clone(),
            line: Some(r.line),
            record: r.record,
            id: Some(r.office_id.clone()),
            field: field.to_string(),
            message,
        };
        for bad in &r.bad_regions {
            report.warnings.push(warn(
                "zustaendigkeit/gebietID",
                format!("`{bad}` is not a 12-digit Amtlicher Regionalschlüssel; ignored"),
            ));
        }
        let Some(leistung) = r.leistung_id.as_deref() else {
            report.warnings.push(warn(
                "zustaendigkeit/leistungID",
                "missing leistungID; zuständigkeit ignored".to_string(),
            ));
            continue;
        };
        let Some(&si) = service_index.get(leistung) else {
            report.warnings.push(warn(
                "zustaendigkeit/leistungID",
                format!("names leistung `{leistung}`, which is not in the import; ignored"),
            ));
            continue;
        };
        let Some(&oi) = office_index.get(&r.office_id) else {
            report.warnings.push(warn(
                "zustaendigkeit",
                format!(
                    "organisationseinheit `{}` is not in the import; ignored",
                    r.office_id
                ),
            ));
            continue;
        };
        let service = &mut services[si];
        let office = &mut offices[oi];
        if !service.offices.iter().any(|o| o.office_id == office.id) {
            service.offices.push(ServiceOffice {
                office_id: office.id.clone(),
            });
        }
        if !office.service_ids.contains(&service.id) {
            office.service_ids.push(service.id.clone());
        }
        for region in &r.regions {
            if !service.regions.contains(region) {
                service.regions.push(region.clone());
            }
            if !office.regions.contains(region) {
                office.regions.push(region.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(code: &str, inhalt: &str) -> String {
        format!(
            "<modulText><leikaTextmodul><code>{code}</code></leikaTextmodul><inhalt>{inhalt}</inhalt></modulText>"
        )
    }

    fn one(xml: &str) -> Import {
        import_files(&[("t.xml", xml)], "A").unwrap()
    }

    #[test]
    fn every_module_lands_in_its_field() {
        let xml = format!(
            "<leistungen><leistung><id>1</id><referenzLeiKa><code>99050012104000</code></referenzLeiKa>{}{}{}{}{}{}{}{}{}{}
             <modulText><leikaTextmodul><code>14</code></leikaTextmodul>
               <weiterfuehrenderLink><uri>https://a.de/antrag.pdf</uri><titel>Antrag</titel></weiterfuehrenderLink></modulText>
             <modulKosten><kosten><betragFix>37.5</betragFix><beschreibung>unter 24 Jahren</beschreibung></kosten>
               <kosten><betragVon>10</betragVon><betragBis>20</betragBis></kosten>
               <beschreibung>Zahlbar vor Ort.</beschreibung></modulKosten>
             <modulBearbeitungsdauer><beschreibung>etwa drei Wochen</beschreibung></modulBearbeitungsdauer>
             <modulFrist><beschreibung>keine</beschreibung></modulFrist>
             <modulBegriffImKontext><begriffImKontext><begriff>Perso</begriff></begriffImKontext></modulBegriffImKontext>
             </leistung></leistungen>",
            module("02", "Personalausweis beantragen"),
            module("03", "Ausweis"),
            module("05", "Kurz."),
            module("06", "&lt;p&gt;Lang.&lt;/p&gt;"),
            module("07", "&lt;ul&gt;&lt;li&gt;&lt;a href=\"https://g.de/pauswg\"&gt;PAuswG&lt;/a&gt;&lt;/li&gt;&lt;/ul&gt;"),
            module("08", "&lt;ul&gt;&lt;li&gt;Foto&lt;/li&gt;&lt;li&gt;alter Ausweis&lt;/li&gt;&lt;/ul&gt;"),
            module("09", "Wohnsitz in der Stadt"),
            module("11", "Termin buchen."),
            module("16", "Bringen Sie Zeit mit."),
            module("22", "Bürgerbüro"),
        );
        let import = one(&xml);
        assert!(
            import.report.warnings.is_empty(),
            "{:?}",
            import.report.warnings
        );
        let (s, t) = (&import.services[0].service, &import.services[0].texts);
        assert_eq!(s.name, "Personalausweis beantragen");
        assert_eq!(s.leika.as_deref(), Some("99050012104000"));
        assert_eq!(s.keywords, vec!["Ausweis", "Perso"]);
        let headings: Vec<_> = t
            .description
            .sections
            .iter()
            .map(|x| x.heading.as_deref())
            .collect();
        assert_eq!(
            headings,
            [
                None,
                Some("Verfahrensablauf"),
                Some("Hinweise"),
                Some("Fristen")
            ]
        );
        assert!(
            t.description.text.starts_with("Lang."),
            "Volltext before Kurztext"
        );
        assert_eq!(t.legal[0].name, "PAuswG");
        assert_eq!(t.legal[0].url, "https://g.de/pauswg");
        let docs: Vec<_> = t.requirements.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(docs, ["Foto", "alter Ausweis"]);
        assert_eq!(t.prerequisites[0].name, "Wohnsitz in der Stadt");
        assert_eq!(t.forms[0].url, "https://a.de/antrag.pdf");
        assert_eq!(
            t.fees.as_ref().unwrap().text,
            "- unter 24 Jahren: 37,50 Euro\n- 10 Euro bis 20 Euro\n\nZahlbar vor Ort."
        );
        assert_eq!(t.process_time.as_ref().unwrap().text, "etwa drei Wochen");
        assert_eq!(t.responsibility.as_ref().unwrap().text, "Bürgerbüro");
        assert!(s.citizen_facing);
    }

    #[test]
    fn a_record_without_id_or_name_is_skipped_naming_line_element_and_field() {
        let xml = format!(
            "<schreibe>\n<leistung>{}</leistung>\n<leistung><id>2</id></leistung>\n<organisationseinheit><id>3</id></organisationseinheit>\n</schreibe>",
            module("02", "Ohne Id")
        );
        let import = one(&xml);
        assert!(import.services.is_empty() && import.offices.is_empty());
        assert_eq!(import.report.skipped, 3);
        let w: Vec<String> = import
            .report
            .warnings
            .iter()
            .map(|w| w.to_string())
            .collect();
        assert!(
            w[0].starts_with("t.xml:2: record 0") && w[0].contains("`leistung/id`"),
            "{w:?}"
        );
        assert!(
            w[1].starts_with("t.xml:3: record 1 (id 2)") && w[1].contains("modulText"),
            "{w:?}"
        );
        assert!(
            w[2].starts_with("t.xml:4:") && w[2].contains("`organisationseinheit/name`"),
            "{w:?}"
        );
    }

    #[test]
    fn an_office_reads_address_contacts_hours_geo_and_regions() {
        let xml = format!(
            "<schreibe><leistung><id>1</id>{}</leistung>
             <organisationseinheit><id>7</id><name>Amt</name>
               <anschrift><strasse>Ruppertstraße</strasse><hausnummer>19</hausnummer><postleitzahl>80337</postleitzahl>
                 <ort>München</ort><geokodierung><breitengrad>48.12</breitengrad><laengengrad>11.55</laengengrad></geokodierung></anschrift>
               <kommunikation><kanal><code>02</code></kanal><kennung>089 233-96000</kennung></kommunikation>
               <kommunikation><kanal><code>04</code></kanal><kennung>089 233-1</kennung></kommunikation>
               <kommunikation><kanal><code>01</code></kanal><kennung>amt@muenchen.de</kennung></kommunikation>
               <internetadresse><uri>https://muenchen.de/amt</uri></internetadresse>
               <oeffnungszeiten><beschreibung>Mo–Fr 8–12 Uhr</beschreibung></oeffnungszeiten>
               <zustaendigkeit><leistungID>1</leistungID><gebietID>091620000000</gebietID><gebietID>0916</gebietID></zustaendigkeit>
             </organisationseinheit></schreibe>",
            module("02", "Anmeldung")
        );
        let import = one(&xml);
        let o = &import.offices[0];
        assert_eq!(o.address.one_line(), "Ruppertstraße 19, 80337 München");
        assert_eq!(o.geo, Some((48.12, 11.55)));
        assert_eq!(o.phone.as_deref(), Some("089 233-96000"));
        assert_eq!(o.email.as_deref(), Some("amt@muenchen.de"));
        assert_eq!(o.url.as_deref(), Some("https://muenchen.de/amt"));
        assert_eq!(o.opening_hours.as_deref(), Some("Mo–Fr 8–12 Uhr"));
        assert_eq!(o.regions, ["091620000000"]);
        assert_eq!(import.services[0].service.offices[0].office_id, "7");
        let w = import.report.warnings[0].to_string();
        assert!(w.contains("`0916`") && w.contains("gebietID"), "{w}");
    }

    #[test]
    fn a_single_record_file_and_a_transfer_object_are_read() {
        let import = import_files(
            &[
                ("a.xml", &format!("<leistung><id>1</id>{}</leistung>", module("03", "Hund anmelden"))),
                (
                    "b.xml",
                    "<x><organisationseinheit><id>7</id><name>Amt</name></organisationseinheit>
                     <zustaendigkeitTransferObjekt><organisationseinheitID>7</organisationseinheitID>
                     <zustaendigkeit><leistungID>1</leistungID><gebietID>091620000000</gebietID></zustaendigkeit>
                     </zustaendigkeitTransferObjekt></x>",
                ),
            ],
            "A",
        )
        .unwrap();
        assert_eq!(
            import.services[0].service.name, "Hund anmelden",
            "03 when there is no 02"
        );
        assert!(
            !import.services[0].service.citizen_facing,
            "no text: hidden"
        );
        assert_eq!(import.offices[0].service_ids, ["1"]);
        assert_eq!(import.services[0].service.regions, ["091620000000"]);
    }

    #[test]
    fn unmapped_modules_duplicates_and_unsafe_links_are_warned() {
        let xml = format!(
            "<schreibe><leistung><id>1</id>{}{}{}{}</leistung><leistung><id>1</id>{}</leistung></schreibe>",
            module("02", "A"),
            module("12", "x"),
            module("12", "y"),
            "<modulUrsprungsportal><uri>javascript:alert(1)</uri></modulUrsprungsportal>",
            module("02", "B"),
        );
        let import = one(&xml);
        assert_eq!(import.services.len(), 1);
        assert_eq!(import.services[0].service.name, "A");
        assert_eq!(import.services[0].service.url, None);
        let w: Vec<String> = import
            .report
            .warnings
            .iter()
            .map(|w| w.to_string())
            .collect();
        assert_eq!(w.iter().filter(|w| w.contains("`12`")).count(), 1, "{w:?}");
        assert!(
            w.iter().any(|w| w.contains("modulUrsprungsportal")),
            "{w:?}"
        );
        assert!(w.iter().any(|w| w.contains("duplicate id")), "{w:?}");
    }
}
