//! The packs available to tenants: the shipped ones, or a folder of pack folders.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};

use super::pack::{self, Origin, Pack, PackError};
use crate::text::Synonyms;

/// The repository's `packs/` folder, compiled in.
static SHIPPED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/packs");

/// Packs by name. A tenant's config names the packs it uses.
///
/// ```
/// let library = sophia::content::PackLibrary::shipped();
/// let muenchen = library.get("muenchen").unwrap();
/// assert!(muenchen.services.len() > 100);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackLibrary {
    packs: BTreeMap<String, Pack>,
    /// Synonym files at the top of the packs folder: for every tenant.
    synonyms: Synonyms,
}

impl PackLibrary {
    /// The packs shipped with Sophia (the repository's `packs/` folders).
    pub fn shipped() -> PackLibrary {
        let mut library = PackLibrary::default();
        for dir in SHIPPED.dirs() {
            let name = dir.path().display().to_string();
            let mut files: Vec<(String, &str)> = dir
                .files()
                .filter(|f| {
                    f.path()
                        .extension()
                        .is_some_and(|x| x == "toml" || x == "txt")
                })
                .filter_map(|f| Some((format!("packs/{}", f.path().display()), f.contents_utf8()?)))
                .collect();
            files.sort();
            let files: Vec<(&str, &str)> = files.iter().map(|(f, t)| (f.as_str(), *t)).collect();
            let pack = pack::parse_files(&name, &files).unwrap_or_else(|errors| {
                let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
                panic!(
                    "the shipped packs are valid; a test guards them:\n{}",
                    errors.join("\n")
                )
            });
            library.packs.insert(name, pack);
        }
        library
    }

    /// Every pack folder in `dir` (each sub-folder with `.toml` files is a pack). All
    /// mistakes in all packs are reported together.
    pub fn load(dir: &Path) -> Result<PackLibrary, Vec<PackError>> {
        let shown = dir.display().to_string();
        let entries = std::fs::read_dir(dir).map_err(|e| {
            vec![PackError {
                origin: Origin {
                    file: shown.clone(),
                    ..Origin::default()
                },
                message: format!("cannot read the packs folder: {e}"),
            }]
        })?;
        let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        let mut library = PackLibrary::default();
        let mut errors = Vec::new();
        for file in paths
            .iter()
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "txt"))
        {
            let name = file.display().to_string();
            let text = std::fs::read(file)
                .map_err(|e| PackError {
                    origin: Origin {
                        file: name.clone(),
                        ..Origin::default()
                    },
                    message: format!("cannot read: {e}"),
                })
                .and_then(|bytes| pack::decode(&name, bytes));
            match text {
                Ok(text) => match pack::parse_files("", &[(&name, &text)]) {
                    Ok(pack) => library.synonyms.extend(&pack.synonyms),
                    Err(e) => errors.extend(e),
                },
                Err(e) => errors.push(e),
            }
        }
        let dirs: Vec<_> = paths.into_iter().filter(|p| p.is_dir()).collect();
        for dir in dirs {
            match pack::load_dir(&dir) {
                Ok(pack) => {
                    library.packs.insert(pack.name.clone(), pack);
                }
                Err(e) => errors.extend(e),
            }
        }
        if errors.is_empty() {
            Ok(library)
        } else {
            Err(errors)
        }
    }

    /// A library of the given packs (for tests and tools).
    pub fn from_packs(packs: impl IntoIterator<Item = Pack>) -> PackLibrary {
        PackLibrary {
            packs: packs.into_iter().map(|p| (p.name.clone(), p)).collect(),
            synonyms: Synonyms::default(),
        }
    }

    /// The synonym rules for every tenant besides the shipped ones (`*.txt` at the top of
    /// the packs folder).
    pub fn synonyms(&self) -> &Synonyms {
        &self.synonyms
    }

    /// A short hash of every pack's content: changes whenever a pack does.
    ///
    /// ```
    /// use sophia::content::PackLibrary;
    /// assert_ne!(PackLibrary::shipped().version(), PackLibrary::default().version());
    /// ```
    pub fn version(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        hash.update(format!("{:?}{:?}", self.packs, self.synonyms).as_bytes());
        hash.finalize()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The pack called `name`.
    pub fn get(&self, name: &str) -> Option<&Pack> {
        self.packs.get(name)
    }

    /// The names of all packs.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.packs.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_packs_are_valid() {
        let library = PackLibrary::shipped();
        assert!(library.names().any(|n| n == "muenchen"));
    }

    #[test]
    fn a_folder_of_packs_loads_and_reports_every_broken_file() {
        let root = std::env::temp_dir().join(format!("sophia-library-{}", std::process::id()));
        let good = root.join("gut");
        let bad = root.join("kaputt");
        std::fs::create_dir_all(&good).unwrap();
        std::fs::create_dir_all(&bad).unwrap();
        std::fs::write(
            good.join("a.toml"),
            "[[answer]]\nid = \"a\"\nquestions = [\"q\"]\nanswer = \"x\"\n",
        )
        .unwrap();
        std::fs::write(bad.join("a.toml"), "[[answer]]\nid = 1\n").unwrap();
        std::fs::write(bad.join("b.toml"), b"x = \"\xff\"").unwrap();
        let errors = PackLibrary::load(&root).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        std::fs::remove_file(bad.join("b.toml")).unwrap();
        let errors = PackLibrary::load(&root).unwrap_err();
        assert!(
            errors[0].to_string().contains("kaputt/a.toml:2:6"),
            "{errors:?}"
        );
        std::fs::remove_dir_all(&bad).unwrap();
        let library = PackLibrary::load(&root).unwrap();
        assert_eq!(library.get("gut").unwrap().answers.len(), 1);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
