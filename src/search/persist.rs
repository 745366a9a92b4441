//! A built catalogue index on disk (`sophia build`): written once, opened by any number of
//! servers without reading or analysing the catalogue's texts again.
//!
//! The folder holds:
//!
//! - `manifest.toml`: format and analyzer version, content version, index options, counts
//!   and the sizes of the files below; written last, read first;
//! - `catalog.bin`: the imported catalogue without the services' long texts ([`Catalog`]:
//!   services, offices, content version and import report; postcard), read into memory;
//! - `texts.bin`: the services' long texts ([`crate::content::ServiceTexts`], postcard, with
//!   a table of offsets), memory-mapped and decoded per answer: the bulk of a large
//!   catalogue never becomes anonymous memory;
//! - `lexicon.bin`: per service its analysed name, qualifying words and variants (postcard);
//! - `dictionary.fst`: the compound dictionary (German analysis only);
//! - `index/`: the tantivy index (memory-mapped when opened).
//!
//! The file names are the constants below; [`build`] writes a folder, [`open`] reads it.
//!
//! ```
//! use sophia::search::persist::{self, CATALOG_FILE, MANIFEST_FILE, TEXTS_FILE};
//! let dir = tempfile::tempdir().unwrap();
//! let out = dir.path().join("built");
//! persist::build(&sophia::content::Catalog::shipped(), Default::default(), &out, &mut |_, _, _| {}).unwrap();
//! assert!(out.join(MANIFEST_FILE).is_file() && out.join(CATALOG_FILE).is_file());
//! assert!(out.join(TEXTS_FILE).is_file());
//! ```
//!
//! A build is written to a temporary folder beside the target and renamed into place at
//! the end: a failed build leaves nothing behind, and a running server never sees half an
//! index.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::catalog_index::{CatalogIndex, IndexOptions};
use super::lexicon::{Lexicon, Progress, StoredLexicon};
use crate::content::texts::{self as service_texts, MappedTexts, TextStore};
use crate::content::{Catalog, Heads};
use crate::text::{self, Dictionary};

/// The version of the folder's layout and file formats; a folder of another version must
/// be built again. 2: the services' long texts in a file of their own (`texts.bin`); 3:
/// variants also by a shared name head.
pub const FORMAT_VERSION: u32 = 3;
/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.toml";
/// The catalogue's file name.
pub const CATALOG_FILE: &str = "catalog.bin";
/// The services' long texts' file name (memory-mapped when opened).
pub const TEXTS_FILE: &str = "texts.bin";
/// The lexicon's file name.
pub const LEXICON_FILE: &str = "lexicon.bin";
/// The compound dictionary's file name.
pub const DICTIONARY_FILE: &str = "dictionary.fst";
/// The tantivy index's folder name.
pub const INDEX_DIR: &str = "index";

/// What a built folder holds, written beside it as `manifest.toml`.
///
/// ```
/// use sophia::search::persist::{Manifest, FORMAT_VERSION};
/// let dir = tempfile::tempdir().unwrap();
/// let out = dir.path().join("built");
/// let manifest = sophia::search::persist::build(
///     &sophia::content::Catalog::shipped(), Default::default(), &out, &mut |_, _, _| {}).unwrap();
/// assert_eq!(manifest.format, FORMAT_VERSION);
/// assert_eq!(Manifest::read(&out).unwrap(), manifest);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT_VERSION`] of the writer.
    pub format: u32,
    /// The version of the Sophia that built the folder.
    pub sophia: String,
    /// [`text::ANALYZER_VERSION`] the index was analysed with.
    pub analyzer: u32,
    /// The catalogue's content version ([`Catalog::version`]).
    pub content: String,
    /// The options the index was built with.
    pub options: IndexOptions,
    /// Counts of what was built.
    pub counts: Counts,
    /// The size in bytes of each file beside the index, to tell a truncated one.
    pub files: BTreeMap<String, u64>,
}

/// Counts of a built folder.
///
/// ```
/// let counts = sophia::search::persist::Counts::default();
/// assert_eq!(counts.indexed, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Services in the catalogue (hidden ones included).
    pub services: u64,
    /// Services in the index (the citizen-facing ones).
    pub indexed: u64,
    /// Offices in the catalogue.
    pub offices: u64,
    /// Size of the tantivy index in bytes.
    pub index_bytes: u64,
}

/// A built folder that cannot be written or used. Names the folder or file and says what
/// to do.
///
/// ```
/// use sophia::search::{IndexOptions, persist};
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
/// let err = persist::build(&sophia::content::Catalog::shipped(), IndexOptions::default(), dir.path(), &mut |_, _, _| {}).unwrap_err();
/// assert!(matches!(err, persist::BuiltError::NotBuilt { .. }));
/// assert!(err.to_string().contains("is not a built index"));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum BuiltError {
    /// A file could not be read or written.
    #[error("{file}: cannot {action}: {error}")]
    Io {
        /// The file or folder.
        file: String,
        /// "read", "write", ...
        action: &'static str,
        /// The cause.
        error: std::io::Error,
    },
    /// A file is damaged (truncated, not ours).
    #[error("{file}: damaged ({message}); run `sophia build` again")]
    Corrupt {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The folder was built by another version or with other options than asked for.
    #[error("{dir}: {message}; run `sophia build` again")]
    Stale {
        /// The built folder.
        dir: String,
        /// What differs.
        message: String,
    },
    /// The output folder exists and is not a built index: it is never replaced.
    #[error("{dir}: exists and is not a built index (no {MANIFEST_FILE}); name a new folder")]
    NotBuilt {
        /// The folder.
        dir: String,
    },
    /// tantivy could not write or open the index.
    #[error("{dir}: index: {error}")]
    Index {
        /// The index folder.
        dir: String,
        /// The cause.
        error: tantivy::TantivyError,
    },
}

/// A catalogue and its index, opened from a built folder ([`open`]).
///
/// ```
/// use sophia::search::{IndexOptions, persist};
/// let dir = tempfile::tempdir().unwrap();
/// let out = dir.path().join("built");
/// persist::build(&sophia::content::Catalog::shipped(), IndexOptions::default(), &out, &mut |_, _, _| {}).unwrap();
/// let built = persist::open(&out, &IndexOptions::default()).unwrap();
/// assert_eq!(built.index.len(), built.manifest.counts.indexed);
/// ```
#[derive(Debug)]
pub struct Built {
    /// The catalogue as imported when building.
    pub catalog: Catalog,
    /// The index, memory-mapped.
    pub index: CatalogIndex,
    /// The folder's manifest.
    pub manifest: Manifest,
}

impl Manifest {
    /// Reads `dir/manifest.toml`.
    ///
    /// ```
    /// let err = sophia::search::persist::Manifest::read(std::path::Path::new("no/such/folder")).unwrap_err();
    /// assert!(err.to_string().contains("manifest.toml: cannot read"));
    /// ```
    pub fn read(dir: &Path) -> Result<Manifest, BuiltError> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).map_err(|error| io(&path, "read", error))?;
        toml::from_str(&text).map_err(|e| corrupt(&path, e.message()))
    }

    /// Checks that the folder `dir` this manifest describes can be searched by this Sophia
    /// with `options`.
    ///
    /// ```
    /// use sophia::search::IndexOptions;
    /// let dir = tempfile::tempdir().unwrap();
    /// let out = dir.path().join("built");
    /// let manifest = sophia::search::persist::build(
    ///     &sophia::content::Catalog::shipped(), IndexOptions::default(), &out, &mut |_, _, _| {}).unwrap();
    /// assert!(manifest.check(&out, &IndexOptions::default()).is_ok());
    /// let err = manifest.check(&out, &IndexOptions::plain_bm25()).unwrap_err().to_string();
    /// assert!(err.contains("run `sophia build` again"));
    /// ```
    pub fn check(&self, dir: &Path, options: &IndexOptions) -> Result<(), BuiltError> {
        let stale = |message: String| BuiltError::Stale {
            dir: dir.display().to_string(),
            message,
        };
        if self.format != FORMAT_VERSION {
            return Err(stale(format!(
                "built in format {} by Sophia {}, this Sophia {} reads format {FORMAT_VERSION}",
                self.format,
                self.sophia,
                env!("CARGO_PKG_VERSION")
            )));
        }
        if self.analyzer != text::ANALYZER_VERSION {
            return Err(stale(format!(
                "analysed with analyzer version {}, this Sophia analyses with version {}",
                self.analyzer,
                text::ANALYZER_VERSION
            )));
        }
        if self.options != *options {
            return Err(stale(format!(
                "built with index options {}, the configuration asks for {}",
                describe(&self.options),
                describe(options)
            )));
        }
        Ok(())
    }
}

/// The index options in one line, for messages.
pub(crate) fn describe(options: &IndexOptions) -> String {
    let b = &options.boosts;
    format!(
        "(boosts name {} keywords {} body {} questions {}, german_analysis {}, global_idf {})",
        b.name, b.keywords, b.body, b.questions, options.german_analysis, options.global_idf
    )
}

/// Builds the index of `catalog` with `options` into the folder `out`, telling `progress`
/// how far it got. A previous build in `out` is replaced; any other existing folder is
/// refused. On error nothing is left at `out` (or the previous build stays).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let out = dir.path().join("built");
/// let catalog = sophia::content::Catalog::shipped();
/// let manifest = sophia::search::persist::build(&catalog, Default::default(), &out, &mut |_, _, _| {}).unwrap();
/// assert_eq!(manifest.content, catalog.version());
/// assert!(out.join("manifest.toml").exists());
/// ```
pub fn build(
    catalog: &Catalog,
    options: IndexOptions,
    out: &Path,
    progress: Progress<'_>,
) -> Result<Manifest, BuiltError> {
    if out.exists() && !out.join(MANIFEST_FILE).exists() && !is_empty_dir(out) {
        return Err(BuiltError::NotBuilt {
            dir: out.display().to_string(),
        });
    }
    let partial = Partial::beside(out)?;
    let index_dir = partial.path.join(INDEX_DIR);
    std::fs::create_dir(&index_dir).map_err(|e| io(&index_dir, "create", e))?;
    let index = CatalogIndex::create(catalog, options, Some(&index_dir), progress)
        .map_err(|error| index_error(&index_dir, error))?;
    let mut files = BTreeMap::new();
    let texts_path = partial.path.join(TEXTS_FILE);
    files.insert(TEXTS_FILE.to_string(), write_texts(catalog, &texts_path)?);
    let mut write = |name: &str, bytes: &[u8]| {
        let path = partial.path.join(name);
        std::fs::write(&path, bytes).map_err(|e| io(&path, "write", e))?;
        files.insert(name.to_string(), bytes.len() as u64);
        Ok::<(), BuiltError>(())
    };
    write(CATALOG_FILE, &encode(&catalog.heads(), CATALOG_FILE)?)?;
    let lexicon = index.lexicon();
    write(LEXICON_FILE, &encode(&lexicon.to_stored(), LEXICON_FILE)?)?;
    if let Some(dictionary) = &lexicon.dictionary {
        write(DICTIONARY_FILE, dictionary.as_bytes())?;
    }
    let manifest = Manifest {
        format: FORMAT_VERSION,
        sophia: env!("CARGO_PKG_VERSION").to_string(),
        analyzer: text::ANALYZER_VERSION,
        content: catalog.version().to_string(),
        options,
        counts: Counts {
            services: catalog.services().len() as u64,
            indexed: index.len(),
            offices: catalog.offices().len() as u64,
            index_bytes: folder_size(&index_dir),
        },
        files,
    };
    drop(index);
    let text = toml::to_string(&manifest).map_err(|e| corrupt(&partial.path, e))?;
    let path = partial.path.join(MANIFEST_FILE);
    std::fs::write(&path, text).map_err(|e| io(&path, "write", e))?;
    partial.finish(out)?;
    Ok(manifest)
}

/// Opens the built folder `dir` for searching with `options`: checks the manifest, reads
/// the catalogue and lexicon and memory-maps the index.
///
/// ```
/// use sophia::search::{IndexOptions, persist};
/// let dir = tempfile::tempdir().unwrap();
/// let out = dir.path().join("built");
/// let catalog = sophia::content::Catalog::shipped();
/// persist::build(&catalog, IndexOptions::default(), &out, &mut |_, _, _| {}).unwrap();
/// let built = persist::open(&out, &IndexOptions::default()).unwrap();
/// assert_eq!(built.catalog.version(), catalog.version());
/// let hits = built.index.search("Reisepass", &Default::default(), 1).hits;
/// assert_eq!(built.catalog.service_at(hits[0].ordinal).unwrap().name, "Reisepass");
/// ```
pub fn open(dir: &Path, options: &IndexOptions) -> Result<Built, BuiltError> {
    let manifest = Manifest::read(dir)?;
    manifest.check(dir, options)?;
    let catalog = read_catalog(dir, &manifest)?;
    let stored: StoredLexicon = decode(&read(dir, LEXICON_FILE, &manifest)?, dir, LEXICON_FILE)?;
    if stored.names.len() != catalog.services().len() {
        return Err(corrupt(
            &dir.join(LEXICON_FILE),
            "not made from this folder's catalogue",
        ));
    }
    let dictionary = match options.german_analysis {
        true => {
            let bytes = read(dir, DICTIONARY_FILE, &manifest)?;
            let dictionary = Dictionary::from_bytes(bytes)
                .map_err(|e| corrupt(&dir.join(DICTIONARY_FILE), e))?;
            Some(dictionary)
        }
        false => None,
    };
    let lexicon = Lexicon::from_stored(stored, dictionary);
    let index_dir = dir.join(INDEX_DIR);
    let index = CatalogIndex::open(&index_dir, lexicon, *options)
        .map_err(|error| index_error(&index_dir, error))?;
    if index.len() != manifest.counts.indexed {
        return Err(corrupt(
            &index_dir,
            format!(
                "{} services indexed, the manifest says {}",
                index.len(),
                manifest.counts.indexed
            ),
        ));
    }
    Ok(Built {
        catalog,
        index,
        manifest,
    })
}

/// Reads only the catalogue of the built folder `dir` (for checking packs against it).
///
/// ```
/// use sophia::search::persist;
/// let dir = tempfile::tempdir().unwrap();
/// let out = dir.path().join("built");
/// persist::build(&sophia::content::Catalog::shipped(), Default::default(), &out, &mut |_, _, _| {}).unwrap();
/// let manifest = persist::Manifest::read(&out).unwrap();
/// assert!(persist::read_catalog(&out, &manifest).unwrap().service("1063453").is_some());
/// ```
pub fn read_catalog(dir: &Path, manifest: &Manifest) -> Result<Catalog, BuiltError> {
    let heads: Heads = decode(&read(dir, CATALOG_FILE, manifest)?, dir, CATALOG_FILE)?;
    if heads.version() != manifest.content {
        return Err(corrupt(
            &dir.join(CATALOG_FILE),
            format!(
                "content version {}, the manifest says {}",
                heads.version(),
                manifest.content
            ),
        ));
    }
    let path = dir.join(TEXTS_FILE);
    check_size(&path, TEXTS_FILE, manifest)?;
    let texts = MappedTexts::open(&path, heads.len()).map_err(|e| corrupt(&path, e))?;
    Ok(Catalog::from_heads(heads, TextStore::Mapped(texts)))
}

/// Writes the texts of every service of `catalog` to `path`; returns its size.
fn write_texts(catalog: &Catalog, path: &Path) -> Result<u64, BuiltError> {
    let file = std::fs::File::create(path).map_err(|e| io(path, "write", e))?;
    let mut out = std::io::BufWriter::new(file);
    let texts = (0..catalog.services().len()).map(|i| catalog.texts_at(i));
    let size = service_texts::write(texts, &mut out).map_err(|e| io(path, "write", e))?;
    out.flush().map_err(|e| io(path, "write", e))?;
    Ok(size)
}

/// Checks the size of the file `name` of the folder (at `path`) against the manifest,
/// without reading it.
fn check_size(path: &Path, name: &str, manifest: &Manifest) -> Result<(), BuiltError> {
    let size = std::fs::metadata(path)
        .map_err(|e| io(path, "read", e))?
        .len();
    match manifest.files.get(name) {
        Some(&expected) if expected == size => Ok(()),
        Some(&expected) => Err(corrupt(
            path,
            format!("{size} bytes, {expected} were written"),
        )),
        None => Err(corrupt(path, format!("not listed in {MANIFEST_FILE}"))),
    }
}

/// Reads one file of the folder, checking its size against the manifest.
fn read(dir: &Path, name: &str, manifest: &Manifest) -> Result<Vec<u8>, BuiltError> {
    let path = dir.join(name);
    let bytes = std::fs::read(&path).map_err(|e| io(&path, "read", e))?;
    match manifest.files.get(name) {
        Some(&size) if size == bytes.len() as u64 => Ok(bytes),
        Some(&size) => Err(corrupt(
            &path,
            format!("{} bytes, {size} were written", bytes.len()),
        )),
        None => Err(corrupt(&path, format!("not listed in {MANIFEST_FILE}"))),
    }
}

fn encode<T: Serialize>(value: &T, name: &str) -> Result<Vec<u8>, BuiltError> {
    postcard::to_stdvec(value).map_err(|e| corrupt(Path::new(name), e))
}

fn decode<T: DeserializeOwned>(bytes: &[u8], dir: &Path, name: &str) -> Result<T, BuiltError> {
    let (value, rest) =
        postcard::take_from_bytes(bytes).map_err(|e| corrupt(&dir.join(name), e))?;
    if !rest.is_empty() {
        return Err(corrupt(
            &dir.join(name),
            format!("{} bytes left over", rest.len()),
        ));
    }
    Ok(value)
}

fn io(path: &Path, action: &'static str, error: std::io::Error) -> BuiltError {
    BuiltError::Io {
        file: path.display().to_string(),
        action,
        error,
    }
}

fn corrupt(path: &Path, message: impl ToString) -> BuiltError {
    BuiltError::Corrupt {
        file: path.display().to_string(),
        message: message.to_string(),
    }
}

fn index_error(dir: &Path, error: tantivy::TantivyError) -> BuiltError {
    BuiltError::Index {
        dir: dir.display().to_string(),
        error,
    }
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

/// Total size of the files in `dir` (not recursive: tantivy's folder is flat).
fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// A folder being built beside its target; removed when dropped unfinished (on an error or
/// a panic).
struct Partial {
    path: PathBuf,
    finished: bool,
}

impl Partial {
    /// A new, empty folder beside `out`, hidden by a leading dot.
    fn beside(out: &Path) -> Result<Partial, BuiltError> {
        let name = out
            .file_name()
            .ok_or_else(|| corrupt(out, "--out must name a folder"))?
            .to_string_lossy();
        let path = out.with_file_name(format!(".{name}.building-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).map_err(|e| io(&path, "create", e))?;
        Ok(Partial {
            path,
            finished: false,
        })
    }

    /// Moves the folder to `out`, replacing a previous build there.
    fn finish(mut self, out: &Path) -> Result<(), BuiltError> {
        let old = self.path.with_extension("old");
        let replacing = out.exists();
        if replacing {
            std::fs::rename(out, &old).map_err(|e| io(out, "move aside", e))?;
        }
        if let Err(error) = std::fs::rename(&self.path, out) {
            if replacing {
                let _ = std::fs::rename(&old, out);
            }
            return Err(io(out, "write", error));
        }
        self.finished = true;
        if replacing {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(name: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join(name);
        build(
            &Catalog::shipped(),
            IndexOptions::default(),
            &out,
            &mut |_, _, _| {},
        )
        .unwrap();
        (dir, out)
    }

    #[test]
    fn a_panicking_build_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("built");
        let result = std::panic::catch_unwind(|| {
            let _ = build(
                &Catalog::shipped(),
                IndexOptions::default(),
                &out,
                &mut |_, _, _| panic!("interrupted"),
            );
        });
        assert!(result.is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn a_folder_that_is_not_a_build_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("precious.txt"), "keep").unwrap();
        let err = build(
            &Catalog::shipped(),
            IndexOptions::default(),
            dir.path(),
            &mut |_, _, _| {},
        )
        .unwrap_err();
        assert!(matches!(err, BuiltError::NotBuilt { .. }), "{err}");
        assert!(dir.path().join("precious.txt").exists());
    }

    #[test]
    fn a_build_replaces_a_previous_build() {
        let (_dir, out) = built("built");
        build(
            &Catalog::shipped(),
            IndexOptions::default(),
            &out,
            &mut |_, _, _| {},
        )
        .unwrap();
        assert!(open(&out, &IndexOptions::default()).is_ok());
        let siblings = std::fs::read_dir(out.parent().unwrap()).unwrap().count();
        assert_eq!(siblings, 1);
    }

    #[test]
    fn another_analyzer_version_is_refused() {
        let (_dir, out) = built("built");
        let path = out.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        let old = format!("analyzer = {}", text::ANALYZER_VERSION);
        assert!(text.contains(&old), "{text}");
        std::fs::write(&path, text.replace(&old, "analyzer = 0")).unwrap();
        let err = open_error(&out);
        assert!(err.contains("analyzer version 0"), "{err}");
        assert!(err.contains(&out.display().to_string()), "{err}");
    }

    #[test]
    fn a_folder_of_the_previous_format_is_refused_naming_it() {
        let (_dir, out) = built("built");
        let path = out.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        let current = format!("format = {FORMAT_VERSION}");
        assert!(text.contains(&current), "{text}");
        std::fs::write(&path, text.replace(&current, "format = 1")).unwrap();
        let err = open_error(&out);
        assert!(
            err.contains(&out.display().to_string())
                && err.contains("built in format 1")
                && err.contains("run `sophia build` again"),
            "{err}"
        );
    }

    #[test]
    fn the_texts_are_mapped_and_the_same_as_imported() {
        let (_dir, out) = built("built");
        let built = open(&out, &IndexOptions::default()).unwrap();
        let shipped = Catalog::shipped();
        assert!(built.catalog.texts_are_mapped());
        assert_eq!(built.catalog.services(), shipped.services());
        for (ordinal, service) in shipped.services().iter().enumerate() {
            assert_eq!(
                built.catalog.texts_at(ordinal).unwrap(),
                shipped.texts(service).unwrap(),
                "{}",
                service.id
            );
        }
    }

    /// The error opening the built folder `out` gives.
    fn open_error(out: &Path) -> String {
        open(out, &IndexOptions::default()).unwrap_err().to_string()
    }

    #[test]
    fn a_truncated_or_damaged_texts_file_is_named() {
        let (_dir, out) = built("built");
        let path = out.join(TEXTS_FILE);
        let bytes = std::fs::read(&path).unwrap();
        let refused = |content: &[u8]| {
            std::fs::write(&path, content).unwrap();
            let err = open_error(&out);
            assert!(err.contains(&path.display().to_string()), "{err}");
            err
        };
        let err = refused(&bytes[..bytes.len() - 100]);
        assert!(err.contains("bytes,"), "{err}");
        // The same size, the frame broken: refused when opened.
        let mut damaged = bytes.clone();
        let end = damaged.len();
        damaged[end - 1] ^= 0xff;
        let err = refused(&damaged);
        assert!(err.contains("damaged"), "{err}");
        // The same size and frame, one service's texts broken: an error naming the file
        // and the service when an answer needs them, not before.
        let mut damaged = bytes.clone();
        damaged[8..16].fill(0xff);
        std::fs::write(&path, &damaged).unwrap();
        let built = open(&out, &IndexOptions::default()).unwrap();
        let first = &built.catalog.services()[0];
        let err = built.catalog.texts(first).unwrap_err().to_string();
        assert!(
            err.contains(&path.display().to_string()) && err.contains(&first.id),
            "{err}"
        );
    }

    #[test]
    fn a_missing_or_damaged_file_is_named() {
        let (_dir, out) = built("built");
        std::fs::remove_file(out.join(DICTIONARY_FILE)).unwrap();
        let err = open_error(&out);
        assert!(err.contains("dictionary.fst: cannot read"), "{err}");
        std::fs::remove_file(out.join(TEXTS_FILE)).unwrap();
        let err = open_error(&out);
        assert!(err.contains("texts.bin: cannot read"), "{err}");
        let (_dir, out) = built("built");
        std::fs::write(out.join(LEXICON_FILE), b"\x05garbage").unwrap();
        let err = open_error(&out);
        assert!(err.contains("lexicon.bin: damaged"), "{err}");
    }
}
