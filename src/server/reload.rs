//! Hot reload: a new snapshot is built beside the running one and swapped in atomically.
//!
//! Requests hold the engine they started with until they finish, so a reload never fails
//! one in flight; a broken content file leaves the running content untouched.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use arc_swap::ArcSwap;
use serde::Serialize;

use crate::config::Config;
use crate::content::{Catalog, PackLibrary};
use crate::dialog::{ContextCodec, Engine, Snapshot};
use crate::search::{IndexOptions, persist};

/// Where the content comes from: the files given on the command line, or what is shipped.
#[derive(Debug, Clone, Default)]
pub struct ContentSource {
    /// `sophia.toml`; the shipped one when `None`.
    pub config: Option<PathBuf>,
    /// A DLDB export folder; the shipped Munich catalogue when `None`.
    pub content: Option<PathBuf>,
    /// A folder of packs; the shipped packs when `None`.
    pub packs: Option<PathBuf>,
    /// A folder built by `sophia build`, served instead of `content`: its catalogue and
    /// index are kept on every reload (only packs and configuration are reloaded).
    pub built: Option<PathBuf>,
}

impl ContentSource {
    /// Reads the configuration.
    pub fn config(&self) -> Result<Config, String> {
        match &self.config {
            Some(path) => Config::load(path).map_err(|e| e.to_string()),
            None => Ok(Config::shipped()),
        }
    }

    /// Reads the catalogue (logging the importer's warnings); from a built folder only its
    /// catalogue is read.
    pub fn catalog(&self) -> Result<Catalog, String> {
        if let Some(dir) = &self.built {
            let manifest = persist::Manifest::read(dir).map_err(|e| e.to_string())?;
            return persist::read_catalog(dir, &manifest).map_err(|e| e.to_string());
        }
        let catalog = match &self.content {
            Some(dir) => Catalog::from_dir(dir).map_err(|e| e.to_string())?,
            None => Catalog::shipped(),
        };
        let report = catalog.report();
        for warning in &report.warnings {
            tracing::warn!("{warning}");
        }
        tracing::info!("content {}: {report}", catalog.version());
        Ok(catalog)
    }

    /// Reads the packs; every mistake is listed, one a line.
    pub fn packs(&self) -> Result<PackLibrary, String> {
        match &self.packs {
            Some(dir) => PackLibrary::load(dir).map_err(|errors| {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                format!("the packs have mistakes:\n{}", lines.join("\n"))
            }),
            None => Ok(PackLibrary::shipped()),
        }
    }

    /// Builds a snapshot from scratch, or opens the built folder.
    pub fn build(&self) -> Result<Snapshot, String> {
        let config = self.config()?;
        let library = self.packs()?;
        if let Some(dir) = &self.built {
            return Snapshot::from_built(dir, &library, config).map_err(|e| e.to_string());
        }
        let catalog = self.catalog()?;
        Snapshot::build(catalog, &library, config).map_err(|e| e.to_string())
    }

    /// A cheap fingerprint of the export folder: the names, sizes and modification times
    /// of its files, without reading them. `None` for the shipped catalogue (which cannot
    /// change while running) or when the folder cannot be listed.
    ///
    /// ```
    /// use sophia::server::ContentSource;
    /// assert_eq!(ContentSource::default().catalogue_fingerprint(), None);
    /// ```
    pub fn catalogue_fingerprint(&self) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let dir = self.content.as_ref()?;
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(|entry| {
                let entry = entry.ok()?;
                let meta = entry.metadata().ok()?;
                Some((entry.file_name(), meta.len(), meta.modified().ok()))
            })
            .collect();
        files.sort();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        files.hash(&mut hasher);
        Some(hasher.finish())
    }

    /// Builds the snapshot that replaces `previous`: the catalogue index is kept when the
    /// catalogue and the field boosts are unchanged, so editing packs, synonyms or
    /// thresholds takes milliseconds. An export folder whose files show the same
    /// fingerprint as `seen` (names, sizes, modification times) is not even read again, so
    /// a 100,000-service catalogue costs nothing on a packs reload. Returns the snapshot
    /// and whether the catalogue was re-indexed.
    pub fn rebuild(
        &self,
        previous: &Snapshot,
        seen: Option<u64>,
    ) -> Result<(Snapshot, bool), String> {
        let config = self.config()?;
        let library = self.packs()?;
        if let Some(dir) = &self.built {
            return Self::relayer(dir, previous, &library, config);
        }
        // The shipped catalogue cannot change while running; an export folder may have.
        let untouched = seen.is_some() && seen == self.catalogue_fingerprint();
        let catalog = match &self.content {
            Some(_) if !untouched => Some(self.catalog()?),
            _ => None,
        };
        let same_catalog = catalog
            .as_ref()
            .is_none_or(|c| c.version() == previous.catalog.version());
        if same_catalog && config.boosts == previous.config.boosts {
            return previous
                .with_layer(&library, config)
                .map(|s| (s, false))
                .map_err(|e| e.to_string());
        }
        let catalog = match catalog {
            Some(catalog) => catalog,
            None => self.catalog()?,
        };
        Snapshot::build(catalog, &library, config)
            .map(|s| (s, true))
            .map_err(|e| e.to_string())
    }
}

impl ContentSource {
    /// A reload over a built folder: new packs and configuration over the same catalogue
    /// and index. Index options other than those it was built with are refused.
    fn relayer(
        dir: &std::path::Path,
        previous: &Snapshot,
        library: &PackLibrary,
        config: Config,
    ) -> Result<(Snapshot, bool), String> {
        let options = IndexOptions {
            boosts: config.boosts,
            ..*previous.index.options()
        };
        if options != *previous.index.options() {
            return Err(format!(
                "{}: built with index options {}, the configuration now asks for {}; run `sophia build` again and restart (a reload keeps the built catalogue)",
                dir.display(),
                persist::describe(previous.index.options()),
                persist::describe(&options)
            ));
        }
        previous
            .with_layer(library, config)
            .map(|s| (s, false))
            .map_err(|e| e.to_string())
    }
}

/// The engine currently answering, swappable while requests run.
#[derive(Clone)]
pub struct LiveEngine(Arc<ArcSwap<Engine>>);

impl LiveEngine {
    /// Starts with `engine`.
    pub fn new(engine: Engine) -> LiveEngine {
        LiveEngine(Arc::new(ArcSwap::from_pointee(engine)))
    }

    /// The engine to answer one request with; it stays valid after a swap.
    pub fn current(&self) -> Arc<Engine> {
        self.0.load_full()
    }

    fn swap(&self, engine: Engine) {
        self.0.store(Arc::new(engine));
    }
}

/// What a reload did.
#[derive(Debug, Clone, Serialize)]
pub struct Reloaded {
    /// The catalogue version now served.
    pub version: String,
    /// The packs version now served.
    pub packs_version: String,
    /// Whether the catalogue was indexed anew.
    pub catalogue_rebuilt: bool,
    /// How long the reload took.
    pub took_ms: u128,
}

/// Reloads content from its source into a live engine, one reload at a time.
pub struct Reloader {
    source: ContentSource,
    live: LiveEngine,
    codec: ContextCodec,
    /// The fingerprint of the export folder the running catalogue was read from.
    running: tokio::sync::Mutex<Option<u64>>,
}

impl Reloader {
    /// A reloader of `live` from `source`; new engines sign contexts with `codec` (the
    /// context key is not reloaded: changing it needs a restart of every replica).
    /// The export folder's fingerprint is taken now: call it right after reading the
    /// content `live` serves.
    pub fn new(source: ContentSource, live: LiveEngine, codec: ContextCodec) -> Reloader {
        let seen = source.catalogue_fingerprint();
        Reloader {
            source,
            live,
            codec,
            running: tokio::sync::Mutex::new(seen),
        }
    }

    /// The engine being served.
    pub fn live(&self) -> &LiveEngine {
        &self.live
    }

    /// Builds new content beside the running one and swaps it in; on any error the
    /// running content stays and the error (every mistake, with its place) is returned.
    /// `by` names who asked, for the log.
    pub async fn reload(self: &Arc<Self>, by: &str) -> Result<Reloaded, String> {
        let mut seen = self.running.lock().await;
        let started = Instant::now();
        let this = Arc::clone(self);
        let last = *seen;
        let built = tokio::task::spawn_blocking(move || {
            let previous = this.live.current();
            // Taken before reading, so a change made while reading is seen next time.
            let fingerprint = this.source.catalogue_fingerprint();
            this.source
                .rebuild(previous.snapshot(), last)
                .map(|built| (built, fingerprint))
        })
        .await
        .map_err(|e| format!("reload failed: {e}"))?;
        match built {
            Ok(((snapshot, catalogue_rebuilt), fingerprint)) => {
                *seen = fingerprint;
                let reloaded = Reloaded {
                    version: snapshot.version().to_string(),
                    packs_version: snapshot.packs_version().to_string(),
                    catalogue_rebuilt,
                    took_ms: started.elapsed().as_millis(),
                };
                self.live
                    .swap(Engine::new(Arc::new(snapshot), self.codec.clone()));
                tracing::info!(
                    by,
                    version = %reloaded.version,
                    packs = %reloaded.packs_version,
                    catalogue_rebuilt,
                    took_ms = reloaded.took_ms as u64,
                    "content reloaded"
                );
                Ok(reloaded)
            }
            Err(error) => {
                tracing::error!(by, "reload refused, the running content stays:\n{error}");
                Err(error)
            }
        }
    }
}
