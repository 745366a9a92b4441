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
#[derive(Debug)]
pub struct Catalog {
    services: Vec<Service>,
    offices: Vec<Office>,
    service_by_id: HashMap<String, usize>,
    office_by_id: HashMap<String, usize>,
    version: String,
    report: ImportReport,
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

    /// Loads a DLDB export pair from a folder: `services*.json` and, when present,
    /// `locations*.json`; the attribution comes from an `ATTRIBUTION` file in the folder or
    /// defaults to the Munich one.
    pub fn from_dir(dir: &Path) -> Result<Catalog, ImportError> {
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| ImportError::Io {
                file: path.display().to_string(),
                source,
            })
        };
        let entries = std::fs::read_dir(dir).map_err(|source| ImportError::Io {
            file: dir.display().to_string(),
            source,
        })?;
        let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        let find = |prefix: &str| {
            files
                .iter()
                .find(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".json"))
                })
                .cloned()
        };
        let services_path = find("services").ok_or_else(|| ImportError::Format {
            file: dir.display().to_string(),
            message: "no services*.json file in this folder".to_string(),
        })?;
        let services = read(&services_path)?;
        let locations_path = find("locations");
        let locations = locations_path.as_deref().map(read).transpose()?;
        let attribution = std::fs::read_to_string(dir.join("ATTRIBUTION"))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| MUENCHEN_ATTRIBUTION.to_string());
        let services_name = services_path.display().to_string();
        let locations_name = locations_path.map(|p| p.display().to_string());
        Self::from_dldb(
            (&services_name, &services),
            locations_name.as_deref().zip(locations.as_deref()),
            &attribution,
        )
    }

    /// Builds a catalogue from DLDB export text.
    pub fn from_dldb(
        services: (&str, &str),
        locations: Option<(&str, &str)>,
        attribution: &str,
    ) -> Result<Catalog, ImportError> {
        let mut hash = Sha256::new();
        hash.update(services.1.as_bytes());
        if let Some((_, text)) = locations {
            hash.update(text.as_bytes());
        }
        let digest = hash.finalize();
        let version: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        let import = dldb::import(services, locations, attribution)?;
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
