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
    /// from an `ATTRIBUTION` file in the folder or defaults to the Munich one.
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
        Self::from_dldb_files(&as_pairs(&services), &as_pairs(&locations), &attribution)
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
        let digest = hash.finalize();
        let version: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
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
    fn a_folder_without_services_is_an_error() {
        let dir = folder("empty");
        let err = Catalog::from_dir(&dir).unwrap_err().to_string();
        assert!(err.contains("no services*.json"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
