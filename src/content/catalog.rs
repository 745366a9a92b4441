//! The catalogue: every service and office of one content source, immutable once loaded.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::dldb::{self, MUENCHEN_ATTRIBUTION};
use super::import::{Import, ImportError, ImportReport, Warning};
use super::texts::{TextStore, TextsError};
use super::xzufi;
use super::{Office, Service, ServiceRecord, ServiceTexts};

const SHIPPED_SERVICES: &str = include_str!("../../index/muenchen/services_de.json");
const SHIPPED_LOCATIONS: &str = include_str!("../../index/muenchen/locations_de.json");
const SHIPPED_MUENCHEN_REGION: &str = include_str!("../../index/muenchen/REGION");
/// The Hessen example content for the Hessen demo tenants (XZuFi 2.2).
const SHIPPED_HESSEN: [(&str, &str); 2] = [
    (
        "index/hessen/marburg-biedenkopf.xml",
        include_str!("../../index/hessen/marburg-biedenkopf.xml"),
    ),
    (
        "index/hessen/wiesbaden.xml",
        include_str!("../../index/hessen/wiesbaden.xml"),
    ),
];
const SHIPPED_HESSEN_ATTRIBUTION: &str = include_str!("../../index/hessen/ATTRIBUTION");

/// All services and offices of one content source, with lookups by id and a content version.
/// The services' long texts are kept apart ([`Catalog::texts`]): in memory for a catalogue
/// imported at start, memory-mapped for one opened from a built folder.
#[derive(Debug, Clone)]
pub struct Catalog {
    services: Vec<Service>,
    texts: TextStore,
    offices: Vec<Office>,
    service_by_id: HashMap<String, usize>,
    office_by_id: HashMap<String, usize>,
    /// Per LeiKa key: the positions of the services of that type.
    by_leika: HashMap<String, Vec<usize>>,
    version: String,
    report: ImportReport,
}

/// What a built folder stores of a catalogue besides its texts (`persist`): the lookups
/// are rebuilt on reading, so the content version stays the same.
#[derive(Serialize)]
pub(crate) struct HeadsRef<'a> {
    version: &'a str,
    services: &'a [Service],
    offices: &'a [Office],
    report: &'a ImportReport,
}

/// The owned twin of [`HeadsRef`], field for field.
#[derive(Deserialize)]
pub(crate) struct Heads {
    version: String,
    services: Vec<Service>,
    offices: Vec<Office>,
    report: ImportReport,
}

impl Heads {
    /// Number of services.
    pub fn len(&self) -> usize {
        self.services.len()
    }

    /// The content version.
    pub fn version(&self) -> &str {
        &self.version
    }
}

/// Reads a `REGION` file: one ARS a line; blank lines and `#` comments are skipped.
fn regions_file(file: &str, text: &str) -> Result<Vec<String>, ImportError> {
    let mut regions = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        crate::geo::check_ars(line).map_err(|problem| ImportError::Format {
            file: format!("{file}:{}", number + 1),
            message: format!("region {problem}"),
        })?;
        regions.push(line.to_string());
    }
    Ok(regions)
}

/// Borrowed (name, text) pairs of loaded files.
fn as_pairs(files: &[(String, String)]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect()
}

/// A short hash of the source texts, in order: the content version.
fn version_of<'t>(texts: impl Iterator<Item = &'t str>) -> String {
    let mut hash = Sha256::new();
    for text in texts {
        hash.update(text.as_bytes());
    }
    let digest = hash.finalize();
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// Adds a second import (XZuFi) to a first (DLDB): a service or office whose id the first
/// already has is skipped with a warning.
fn merge(into: &mut Import, other: Import) {
    let mut report = other.report;
    for record in other.services {
        let service = &record.service;
        if into.services.iter().any(|s| s.service.id == service.id) {
            report.imported -= 1;
            report.hidden -= usize::from(!service.citizen_facing);
            report.skipped += 1;
            report.warnings.push(duplicate("leistung", &service.id));
        } else {
            into.services.push(record);
        }
    }
    for office in other.offices {
        if into.offices.iter().any(|o| o.id == office.id) {
            report.offices -= 1;
            report.skipped += 1;
            report
                .warnings
                .push(duplicate("organisationseinheit", &office.id));
        } else {
            into.offices.push(office);
        }
    }
    into.report.imported += report.imported;
    into.report.hidden += report.hidden;
    into.report.skipped += report.skipped;
    into.report.offices += report.offices;
    into.report.warnings.extend(report.warnings);
}

fn duplicate(element: &str, id: &str) -> Warning {
    Warning {
        file: String::new(),
        line: None,
        record: 0,
        id: Some(id.to_string()),
        field: element.to_string(),
        message: "id already imported from the DLDB export in the same folder; the XZuFi record is skipped".to_string(),
    }
}

impl Catalog {
    /// The shipped default content, embedded in the binary: the City of Munich's catalogue
    /// (region München) and example content for the Hessen demo tenants (the Landkreis
    /// Marburg-Biedenkopf and Wiesbaden, XZuFi), each scoped to its region.
    ///
    /// ```
    /// let catalog = sophia::content::Catalog::shipped();
    /// let pass = catalog.service("1063453").unwrap(); // Reisepass
    /// assert_eq!(pass.regions, ["091620000000"]);
    /// assert!(catalog.services().iter().any(|s| s.regions == ["065340000000"]));
    /// ```
    pub fn shipped() -> Catalog {
        Self::shipped_munich_import()
            .and_then(|mut import| {
                let hessen =
                    xzufi::import_files(&SHIPPED_HESSEN, SHIPPED_HESSEN_ATTRIBUTION.trim())?;
                merge(&mut import, hessen);
                let texts = [SHIPPED_SERVICES, SHIPPED_LOCATIONS, SHIPPED_MUENCHEN_REGION]
                    .into_iter()
                    .chain(SHIPPED_HESSEN.iter().map(|(_, t)| *t));
                Ok(Self::new(
                    import.services,
                    import.offices,
                    version_of(texts),
                    import.report,
                ))
            })
            .expect("the shipped catalogue is valid; a test guards it")
    }

    /// The shipped Munich catalogue alone, with its region.
    fn shipped_munich_import() -> Result<Import, ImportError> {
        let regions = regions_file("index/muenchen/REGION", SHIPPED_MUENCHEN_REGION)?;
        let mut import = dldb::import_files(
            &[("index/muenchen/services_de.json", SHIPPED_SERVICES)],
            &[("index/muenchen/locations_de.json", SHIPPED_LOCATIONS)],
            MUENCHEN_ATTRIBUTION,
        )?;
        for record in &mut import.services {
            record.service.regions = regions.clone();
        }
        for office in &mut import.offices {
            office.regions = regions.clone();
        }
        Ok(import)
    }

    /// Loads a folder: every `services*.json` and `locations*.json` as a DLDB export (an
    /// export may come in parts) and every `*.xml` as XZuFi 2.2, each in name order; a folder
    /// may hold either or both. The attribution comes from an `ATTRIBUTION` file in the
    /// folder or defaults to the Munich one; a `REGION` file (one 12-digit ARS a line, `#`
    /// comments) gives the regions of records that carry none ([`Catalog::with_regions`]).
    /// The content version covers every file read.
    ///
    /// ```no_run
    /// let catalog = sophia::content::Catalog::from_dir(std::path::Path::new("content/land")).unwrap();
    /// println!("{} ({})", catalog.report(), catalog.version());
    /// ```
    pub fn from_dir(dir: &Path) -> Result<Catalog, ImportError> {
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|error| ImportError::Io {
                file: path.display().to_string(),
                error,
            })
        };
        let entries = std::fs::read_dir(dir).map_err(|error| ImportError::Io {
            file: dir.display().to_string(),
            error,
        })?;
        let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        let named = |prefix: &str, suffix: &str| -> Result<Vec<(String, String)>, ImportError> {
            files
                .iter()
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix))
                })
                .map(|p| Ok((p.display().to_string(), read(p)?)))
                .collect()
        };
        let services = named("services", ".json")?;
        let xml = named("", ".xml")?;
        if services.is_empty() && xml.is_empty() {
            return Err(ImportError::Format {
                file: dir.display().to_string(),
                message: "no services*.json and no *.xml (XZuFi) file in this folder".to_string(),
            });
        }
        let locations = named("locations", ".json")?;
        let attribution = std::fs::read_to_string(dir.join("ATTRIBUTION"))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| MUENCHEN_ATTRIBUTION.to_string());
        let region_file = dir.join("REGION");
        let region_text = std::fs::read_to_string(&region_file).unwrap_or_default();
        let regions = regions_file(&region_file.display().to_string(), &region_text)?;
        let mut import = Import::default();
        if !services.is_empty() {
            import = dldb::import_files(&as_pairs(&services), &as_pairs(&locations), &attribution)?;
        }
        if !xml.is_empty() {
            merge(
                &mut import,
                xzufi::import_files(&as_pairs(&xml), &attribution)?,
            );
        }
        let texts = services.iter().chain(&locations).chain(&xml);
        let texts = texts.map(|(_, t)| t.as_str()).chain([region_text.as_str()]);
        let catalog = Self::new(
            import.services,
            import.offices,
            version_of(texts),
            import.report,
        );
        Ok(catalog.with_regions(&regions))
    }

    /// Builds a catalogue from XZuFi 2.2 files (name, text); see [`xzufi::import_files`].
    ///
    /// ```
    /// let xml = r#"<schreibe><leistung><id>1</id><modulText><leikaTextmodul><code>02</code></leikaTextmodul>
    ///   <inhalt>Reisepass</inhalt></modulText><modulText><leikaTextmodul><code>06</code></leikaTextmodul>
    ///   <inhalt>Ein Pass für Reisen.</inhalt></modulText></leistung></schreibe>"#;
    /// let catalog = sophia::content::Catalog::from_xzufi_files(&[("land.xml", xml)], "Land").unwrap();
    /// assert_eq!(catalog.service("1").unwrap().name, "Reisepass");
    /// ```
    pub fn from_xzufi_files(
        files: &[(&str, &str)],
        attribution: &str,
    ) -> Result<Catalog, ImportError> {
        let version = version_of(files.iter().map(|(_, t)| *t));
        let import = xzufi::import_files(files, attribution)?;
        Ok(Self::new(
            import.services,
            import.offices,
            version,
            import.report,
        ))
    }

    /// Builds a catalogue from DLDB export text.
    pub fn from_dldb(
        services: (&str, &str),
        locations: Option<(&str, &str)>,
        attribution: &str,
    ) -> Result<Catalog, ImportError> {
        Self::from_dldb_files(&[services], locations.as_slice(), attribution)
    }

    /// Builds a catalogue from DLDB export text in several parts.
    pub fn from_dldb_files(
        services: &[(&str, &str)],
        locations: &[(&str, &str)],
        attribution: &str,
    ) -> Result<Catalog, ImportError> {
        let version = version_of(services.iter().chain(locations).map(|(_, t)| *t));
        let import = dldb::import_files(services, locations, attribution)?;
        Ok(Self::new(
            import.services,
            import.offices,
            version,
            import.report,
        ))
    }

    /// Builds a catalogue from already imported records; their texts stay in memory.
    pub fn new(
        records: Vec<ServiceRecord>,
        offices: Vec<Office>,
        version: String,
        report: ImportReport,
    ) -> Catalog {
        let (services, texts) = records.into_iter().map(|r| (r.service, r.texts)).unzip();
        Self::assemble(services, TextStore::Ram(texts), offices, version, report)
    }

    /// What a built folder stores besides the texts.
    pub(crate) fn heads(&self) -> HeadsRef<'_> {
        HeadsRef {
            version: &self.version,
            services: &self.services,
            offices: &self.offices,
            report: &self.report,
        }
    }

    /// A catalogue from its stored heads and its texts (one per service, in order).
    pub(crate) fn from_heads(heads: Heads, texts: TextStore) -> Catalog {
        debug_assert_eq!(heads.services.len(), texts.len());
        Self::assemble(
            heads.services,
            texts,
            heads.offices,
            heads.version,
            heads.report,
        )
    }

    /// The lookups over services and offices.
    fn assemble(
        services: Vec<Service>,
        texts: TextStore,
        offices: Vec<Office>,
        version: String,
        report: ImportReport,
    ) -> Catalog {
        let service_by_id = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let office_by_id = offices
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), i))
            .collect();
        let mut by_leika: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, service) in services.iter().enumerate() {
            if let Some(leika) = &service.leika {
                by_leika.entry(leika.clone()).or_default().push(i);
            }
        }
        Catalog {
            services,
            texts,
            offices,
            service_by_id,
            office_by_id,
            by_leika,
            version,
            report,
        }
    }

    /// Gives every service and office without regions of its own the `regions` (ARS): for
    /// exports that carry none, such as DLDB, whose whole content is one authority's.
    ///
    /// ```
    /// let munich = sophia::content::Catalog::shipped().with_regions(&["091620000000".to_string()]);
    /// assert_eq!(munich.service("1063453").unwrap().regions, ["091620000000"]);
    /// assert_eq!(munich.offices()[0].regions, ["091620000000"]);
    /// ```
    pub fn with_regions(mut self, regions: &[String]) -> Catalog {
        for service in self.services.iter_mut().filter(|s| s.regions.is_empty()) {
            service.regions = regions.to_vec();
        }
        for office in self.offices.iter_mut().filter(|o| o.regions.is_empty()) {
            office.regions = regions.to_vec();
        }
        self
    }

    /// All services, in source order (hidden ones included).
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// All offices, in source order.
    pub fn offices(&self) -> &[Office] {
        &self.offices
    }

    /// A service by its id.
    pub fn service(&self, id: &str) -> Option<&Service> {
        self.service_by_id.get(id).map(|&i| &self.services[i])
    }

    /// The position in [`Catalog::services`] of the citizen-facing service `id`.
    pub fn ordinal(&self, id: &str) -> Option<usize> {
        self.service_by_id
            .get(id)
            .copied()
            .filter(|&i| self.services[i].citizen_facing)
    }

    /// A service by its position in [`Catalog::services`].
    pub fn service_at(&self, ordinal: usize) -> Option<&Service> {
        self.services.get(ordinal)
    }

    /// The long texts of `service` (one of this catalogue's): borrowed when they are in
    /// memory, decoded from the memory-mapped texts file of a built folder otherwise. An
    /// error names the file and the service (a file damaged after it was opened).
    ///
    /// ```
    /// let catalog = sophia::content::Catalog::shipped();
    /// let pass = catalog.service("1063453").unwrap();
    /// assert!(catalog.texts(pass).unwrap().description.text.contains("Reisepass"));
    /// ```
    pub fn texts(&self, service: &Service) -> Result<Cow<'_, ServiceTexts>, TextsError> {
        let unknown = || TextsError {
            file: "catalogue".to_string(),
            service: service.id.clone(),
            message: "not a service of this catalogue".to_string(),
        };
        let ordinal = *self.service_by_id.get(&service.id).ok_or_else(unknown)?;
        self.texts.get(ordinal).map_err(|e| TextsError {
            service: service.id.clone(),
            ..e
        })
    }

    /// The long texts of the service at `ordinal` in [`Catalog::services`] (see
    /// [`Catalog::texts`]).
    ///
    /// ```
    /// let catalog = sophia::content::Catalog::shipped();
    /// let texts = catalog.texts_at(0).unwrap();
    /// assert_eq!(texts.as_ref(), catalog.texts(&catalog.services()[0]).unwrap().as_ref());
    /// ```
    pub fn texts_at(&self, ordinal: usize) -> Result<Cow<'_, ServiceTexts>, TextsError> {
        self.texts.get(ordinal)
    }

    /// The whole record of `service`: the service and its texts, owned.
    ///
    /// ```
    /// let catalog = sophia::content::Catalog::shipped();
    /// let record = catalog.record(&catalog.services()[0]).unwrap();
    /// assert_eq!(record.service, catalog.services()[0]);
    /// ```
    pub fn record(&self, service: &Service) -> Result<ServiceRecord, TextsError> {
        Ok(ServiceRecord {
            service: service.clone(),
            texts: self.texts(service)?.into_owned(),
        })
    }

    /// True when the texts are memory-mapped from a built folder, not held in memory.
    ///
    /// ```
    /// assert!(!sophia::content::Catalog::shipped().texts_are_mapped());
    /// ```
    pub fn texts_are_mapped(&self) -> bool {
        matches!(self.texts, TextStore::Mapped(_))
    }

    /// The services of one type (LeiKa key), in source order: in a Land or national
    /// catalogue, one per responsible authority.
    ///
    /// ```
    /// let catalog = sophia::content::Catalog::shipped();
    /// let leika = catalog.service("1063453").unwrap().leika.clone().unwrap();
    /// assert!(catalog.services_of_type(&leika).any(|s| s.id == "1063453"));
    /// ```
    pub fn services_of_type<'c>(&'c self, leika: &str) -> impl Iterator<Item = &'c Service> + 'c {
        self.by_leika
            .get(leika)
            .into_iter()
            .flatten()
            .map(|&i| &self.services[i])
    }

    /// An office by its id.
    pub fn office(&self, id: &str) -> Option<&Office> {
        self.office_by_id.get(id).map(|&i| &self.offices[i])
    }

    /// A short hash of the source files: changes whenever the content changes.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// What the import reported.
    pub fn report(&self) -> &ImportReport {
        &self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the system's temp folder.
    fn folder(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("sophia-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_folder_in_parts_loads_every_part() {
        let dir = folder("parts");
        std::fs::write(
            dir.join("services_a.json"),
            r#"{"data": [{"id": "1", "name": "A", "description": "a"}]}"#,
        )
        .unwrap();
        std::fs::write(
            dir.join("services_b.json"),
            r#"{"data": [{"id": "2", "name": "B", "description": "b", "fees": 3}]}"#,
        )
        .unwrap();
        std::fs::write(dir.join("ATTRIBUTION"), "Test-Land, CC BY 4.0\n").unwrap();
        let catalog = Catalog::from_dir(&dir).unwrap();
        assert_eq!(catalog.services().len(), 1);
        assert_eq!(catalog.services()[0].attribution, "Test-Land, CC BY 4.0");
        let warning = catalog.report().warnings[0].to_string();
        assert!(
            warning.contains("services_b.json")
                && warning.contains("id 2")
                && warning.contains("`fees`"),
            "{warning}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_malformed_file_names_file_and_line() {
        let dir = folder("malformed");
        std::fs::write(
            dir.join("services.json"),
            "{\"data\": [\n  {\"id\": 1,,}\n]}",
        )
        .unwrap();
        let err = Catalog::from_dir(&dir).unwrap_err().to_string();
        assert!(err.contains("services.json:2:"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_region_file_scopes_the_folder_and_changes_the_version() {
        let dir = folder("region");
        std::fs::write(
            dir.join("services.json"),
            r#"{"data": [{"id": "1", "name": "A", "description": "a"}]}"#,
        )
        .unwrap();
        let unscoped = Catalog::from_dir(&dir).unwrap();
        assert!(unscoped.services()[0].regions.is_empty());
        std::fs::write(
            dir.join("REGION"),
            "# Marburg-Biedenkopf
065340000000
",
        )
        .unwrap();
        let scoped = Catalog::from_dir(&dir).unwrap();
        assert_eq!(scoped.services()[0].regions, ["065340000000"]);
        assert_ne!(scoped.version(), unscoped.version());
        std::fs::write(dir.join("REGION"), "\n06534\n").unwrap();
        let err = Catalog::from_dir(&dir).unwrap_err().to_string();
        assert!(err.contains("REGION:2: region must be"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_folder_without_services_is_an_error() {
        let dir = folder("empty");
        let err = Catalog::from_dir(&dir).unwrap_err().to_string();
        assert!(err.contains("no services*.json"), "{err}");
        assert!(err.contains("*.xml"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
