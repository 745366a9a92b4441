//! Where a catalogue keeps its services' long texts ([`ServiceTexts`]): in memory for a
//! catalogue imported at start, in a memory-mapped file for one opened from a built folder
//! (`sophia build`), decoded per answer.
//!
//! The file ([`write`], [`MappedTexts::open`]) is a magic, the texts of every service in
//! catalogue order (postcard, one after the other), then the table of their offsets
//! ((count + 1) little-endian u64, the last one where the table starts), the count (u64)
//! and the magic again:
//!
//! ```text
//! SOPHTXT1 | texts 0 | texts 1 | … | offset 0 … offset n | n | SOPHTXT1
//! ```
//!
//! The offsets are read from the mapping when a text is fetched: nothing of the file is
//! copied into memory but the one service's texts being answered from.

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;

use super::ServiceTexts;

/// The first and last eight bytes of a texts file.
const MAGIC: &[u8; 8] = b"SOPHTXT1";
/// Size of one offset, and of the count.
const WORD: usize = 8;

/// A service's texts that cannot be read: names the file (or the catalogue in memory), the
/// service and what is wrong.
///
/// ```
/// let catalog = sophia::content::Catalog::shipped();
/// let err = catalog.texts_at(usize::MAX).unwrap_err();
/// assert!(err.to_string().contains("no service at position"));
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}: texts of {service}: {message}")]
pub struct TextsError {
    /// The texts file, or "catalogue in memory".
    pub file: String,
    /// The service: its id, or its position when it has none.
    pub service: String,
    /// What is wrong.
    pub message: String,
}

/// The texts of every service of a catalogue, by position.
#[derive(Debug, Clone)]
pub(crate) enum TextStore {
    /// Imported at start: kept as they are.
    Ram(Vec<ServiceTexts>),
    /// Opened from a built folder: decoded per answer.
    Mapped(MappedTexts),
}

impl TextStore {
    /// How many services it holds texts for.
    pub fn len(&self) -> usize {
        match self {
            TextStore::Ram(texts) => texts.len(),
            TextStore::Mapped(mapped) => mapped.count,
        }
    }

    /// The texts of the service at `ordinal`.
    pub fn get(&self, ordinal: usize) -> Result<Cow<'_, ServiceTexts>, TextsError> {
        match self {
            TextStore::Ram(texts) => {
                texts
                    .get(ordinal)
                    .map(Cow::Borrowed)
                    .ok_or_else(|| TextsError {
                        file: "catalogue in memory".to_string(),
                        service: format!("position {ordinal}"),
                        message: format!("no service at position {ordinal}"),
                    })
            }
            TextStore::Mapped(mapped) => mapped.get(ordinal).map(Cow::Owned),
        }
    }
}

/// A texts file, memory-mapped: anonymous memory holds none of it.
#[derive(Clone)]
pub(crate) struct MappedTexts {
    map: Arc<Mmap>,
    /// The file, for messages.
    path: String,
    /// Services in the file.
    count: usize,
    /// Where the offsets table starts.
    table: usize,
}

impl std::fmt::Debug for MappedTexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MappedTexts")
            .field("path", &self.path)
            .field("count", &self.count)
            .field("bytes", &self.map.len())
            .finish()
    }
}

/// Writes the texts of every service, in order, to `out` in the format of the module
/// documentation; returns the bytes written. A text that cannot be read is an error.
pub(crate) fn write<'t>(
    texts: impl Iterator<Item = Result<Cow<'t, ServiceTexts>, TextsError>>,
    out: &mut impl Write,
) -> std::io::Result<u64> {
    let mut offsets = vec![MAGIC.len() as u64];
    let mut at = MAGIC.len() as u64;
    out.write_all(MAGIC)?;
    for texts in texts {
        let texts = texts.map_err(|e| std::io::Error::other(e.to_string()))?;
        let bytes = postcard::to_stdvec(texts.as_ref())
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        out.write_all(&bytes)?;
        at += bytes.len() as u64;
        offsets.push(at);
    }
    for offset in &offsets {
        out.write_all(&offset.to_le_bytes())?;
    }
    let count = offsets.len() as u64 - 1;
    out.write_all(&count.to_le_bytes())?;
    out.write_all(MAGIC)?;
    Ok(at + (offsets.len() * WORD + WORD + MAGIC.len()) as u64)
}

impl MappedTexts {
    /// Maps the texts file at `path`, which must hold the texts of `count` services: checks
    /// its frame and its table of offsets (not the texts themselves, which are decoded
    /// when an answer quotes them). An error is the message of a damaged file.
    pub fn open(path: &Path, count: usize) -> Result<MappedTexts, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
        // SAFETY: the mapping is only read, and the file is never changed while mapped: a
        // built folder is written once, beside its target, and renamed into place
        // (`persist::build`); a new build replaces the whole folder, never this file in
        // place, so a running server keeps reading the file it opened.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| format!("cannot map: {e}"))?;
        #[cfg(unix)]
        {
            // An answer reads one service's texts: reading ahead would only fill memory.
            let _ = map.advise(memmap2::Advice::Random);
        }
        let len = map.len();
        let frame = 2 * MAGIC.len() + 2 * WORD;
        if len < frame || &map[..MAGIC.len()] != MAGIC || &map[len - MAGIC.len()..] != MAGIC {
            return Err("not a texts file (its frame is missing)".to_string());
        }
        let word = |at: usize| u64::from_le_bytes(map[at..at + WORD].try_into().expect("8 bytes"));
        let stored = word(len - MAGIC.len() - WORD);
        if stored != count as u64 {
            return Err(format!(
                "texts of {stored} services, the catalogue has {count}"
            ));
        }
        let table = (count + 1)
            .checked_mul(WORD)
            .and_then(|size| (len - MAGIC.len() - WORD).checked_sub(size))
            .filter(|&table| table >= MAGIC.len())
            .ok_or_else(|| format!("too short for the offsets of {count} services"))?;
        let mut previous = MAGIC.len() as u64;
        for i in 0..=count {
            let offset = word(table + i * WORD);
            let first_ok = i > 0 || offset == MAGIC.len() as u64;
            if !first_ok || offset < previous || offset > table as u64 {
                return Err(format!("offset {i} ({offset}) is out of order"));
            }
            previous = offset;
        }
        if previous != table as u64 {
            return Err(format!(
                "the texts end at {previous}, the offsets start at {table}"
            ));
        }
        Ok(MappedTexts {
            map: Arc::new(map),
            path: path.display().to_string(),
            count,
            table,
        })
    }

    /// Decodes the texts of the service at `ordinal`.
    fn get(&self, ordinal: usize) -> Result<ServiceTexts, TextsError> {
        let error = |message: String| TextsError {
            file: self.path.clone(),
            service: format!("position {ordinal}"),
            message,
        };
        if ordinal >= self.count {
            return Err(error(format!("no service at position {ordinal}")));
        }
        let word = |i: usize| {
            let at = self.table + i * WORD;
            u64::from_le_bytes(self.map[at..at + WORD].try_into().expect("8 bytes")) as usize
        };
        let (start, end) = (word(ordinal), word(ordinal + 1));
        let bytes = self
            .map
            .get(start..end)
            .ok_or_else(|| error(format!("offsets {start}..{end} out of the file")))?;
        match postcard::take_from_bytes::<ServiceTexts>(bytes) {
            Ok((texts, [])) => Ok(texts),
            Ok((_, rest)) => Err(error(format!("{} bytes left over", rest.len()))),
            Err(e) => Err(error(format!("damaged ({e}); run `sophia build` again"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Link, RichText};

    fn sample(n: usize) -> Vec<ServiceTexts> {
        (0..n)
            .map(|i| ServiceTexts {
                description: RichText {
                    text: format!("Beschreibung {i}"),
                    html: format!("<p>Beschreibung {i}</p>"),
                    sections: Vec::new(),
                },
                forms: vec![Link {
                    name: "Antrag".into(),
                    url: format!("https://example.org/{i}"),
                    description: None,
                }],
                ..Default::default()
            })
            .collect()
    }

    fn written(texts: &[ServiceTexts]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("texts.bin");
        let mut bytes = Vec::new();
        let size = write(texts.iter().map(|t| Ok(Cow::Borrowed(t))), &mut bytes).unwrap();
        assert_eq!(size, bytes.len() as u64);
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    #[test]
    fn every_service_s_texts_come_back_as_written() {
        let texts = sample(5);
        let (_dir, path) = written(&texts);
        let store = TextStore::Mapped(MappedTexts::open(&path, 5).unwrap());
        assert_eq!(store.len(), 5);
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(store.get(i).unwrap().as_ref(), t);
        }
        let err = store.get(5).unwrap_err().to_string();
        assert!(
            err.contains("texts.bin") && err.contains("position 5"),
            "{err}"
        );
    }

    #[test]
    fn an_empty_catalogue_has_an_empty_texts_file() {
        let (_dir, path) = written(&[]);
        assert_eq!(MappedTexts::open(&path, 0).unwrap().count, 0);
    }

    #[test]
    fn a_wrong_count_a_truncated_or_foreign_file_is_refused() {
        let (_dir, path) = written(&sample(3));
        let err = MappedTexts::open(&path, 4).unwrap_err();
        assert!(
            err.contains("texts of 3 services, the catalogue has 4"),
            "{err}"
        );
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        assert!(MappedTexts::open(&path, 3).unwrap_err().contains("frame"));
        std::fs::write(&path, b"something else entirely, not ours").unwrap();
        assert!(MappedTexts::open(&path, 3).unwrap_err().contains("frame"));
        // Offsets out of order: the second text's end before its start.
        let mut damaged = bytes.clone();
        let table = bytes.len() - 8 - 8 - 4 * 8;
        damaged[table + 16..table + 24].copy_from_slice(&1u64.to_le_bytes());
        std::fs::write(&path, &damaged).unwrap();
        let err = MappedTexts::open(&path, 3).unwrap_err();
        assert!(err.contains("out of order"), "{err}");
    }

    #[test]
    fn damaged_texts_are_an_error_naming_file_and_service() {
        let texts = sample(2);
        let (_dir, path) = written(&texts);
        let mut bytes = std::fs::read(&path).unwrap();
        // The first text's description length: far more than there is.
        bytes[8] = 0xff;
        bytes[9] = 0xff;
        std::fs::write(&path, &bytes).unwrap();
        let mapped = MappedTexts::open(&path, 2).unwrap();
        let err = mapped.get(0).unwrap_err().to_string();
        assert!(
            err.contains("texts.bin") && err.contains("position 0"),
            "{err}"
        );
        assert_eq!(mapped.get(1).unwrap(), texts[1]);
    }
}
