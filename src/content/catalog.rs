//! The catalogue: every service and office of one content source, immutable once loaded.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::dldb::{self, MUENCHEN_ATTRIBUTION};
use super::import::{ImportError, ImportReport};
use super::{Office, Service};

const SHIPPED_SERVICES: &str = include_str!("../../index/muenchen/services_de.json");
const SHIPPED_LOCATIONS: &str = include_str!("../../index/muenchen/locations_de.json");

/// All services and offices of one content source, with lookups by id and a content version.
#[derive(Debug, Clone)]
pub struct Catalog {
    services: Vec<Service>,
    offices: Vec<Office>,
    service_by_id: HashMap<String, usize>,
    office_by_id: HashMap<String, usize>,
    version: String,
    report: ImportReport,
}

/// The first six bytes of a digest in hex: a content version.
fn short_hex(digest: &[u8]) -> String {
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
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

impl Catalog {
    /// The shipped default content: the City of Munich's catalogue, embedded in the binary.
    ///
    /// ```
    /// let catalog = sophia::content::Catalog::shipped();
    /// assert!(catalog.service("1063453").is_some()); // Reisepass
    /// ```
    pub fn shipped() -> Catalog {
        Self::from_dldb(
            ("index/muenchen/services_de.json", SHIPPED_SERVICES),
            Some(("index/muenchen/locations_de.json", SHIPPED_LOCATIONS)),
            MUENCHEN_ATTRIBUTION,
        )
        .expect("the shipped catalogue is valid; a test guards it")
    }

    /// Loads a DLDB export from a folder: every `services*.json` and every
    /// `locations*.json` (an export may come in parts), in name order; the attribution comes
    /// from an `ATTRIBUTION` file in the folder or defaults to the Munich one. A `REGION`
    /// file (one 12-digit ARS a line, `#` comments) gives the regions of records that carry
    /// none ([`Catalog::with_regions`]).
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
        let named = |prefix: &str| -> Result<Vec<(String, String)>, ImportError> {
            files
                .iter()
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".json"))
                })
                .map(|p| Ok((p.display().to_string(), read(p)?)))
                .collect()
        };
        let services = named("services")?;
        if services.is_empty() {
            return Err(ImportError::Format {
                file: dir.display().to_string(),
                message: "no services*.json file in this folder".to_string(),
            });
        }
        let locations = named("locations")?;
        let attribution = std::fs::read_to_string(dir.join("ATTRIBUTION"))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| MUENCHEN_ATTRIBUTION.to_string());
        let regions = match std::fs::read_to_string(dir.join("REGION")) {
            Ok(text) => regions_file(&dir.join("REGION").display().to_string(), &text)?,
            Err(_) => Vec::new(),
        };
        let catalog =
            Self::from_dldb_files(&as_pairs(&services), &as_pairs(&locations), &attribution)?;
        if regions.is_empty() {
            return Ok(catalog);
        }
        let mut hash = Sha256::new();
        hash.update(catalog.version.as_bytes());
        hash.update(regions.join(",").as_bytes());
        let version = short_hex(&hash.finalize());
        Ok(Catalog {
            version,
            ..catalog.with_regions(&regions)
        })
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
        let mut hash = Sha256::new();
        for (_, text) in services.iter().chain(locations) {
            hash.update(text.as_bytes());
        }
        let version = short_hex(&hash.finalize());
        let import = dldb::import_files(services, locations, attribution)?;
        Ok(Self::new(
            import.services,
            import.offices,
            version,
            import.report,
        ))
    }

    /// Builds a catalogue from already imported records.
    pub fn new(
        services: Vec<Service>,
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
        Catalog {
            services,
            offices,
            service_by_id,
            office_by_id,
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
        std::fs::remove_dir_all(dir).unwrap();
    }
}
