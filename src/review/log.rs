//! The review log: [`UnansweredRecord`]s appended as JSON lines to a file or to stdout.
//!
//! A file log keeps records for a limited time: when it is opened, and then at most once an
//! hour when a record is written, records older than the retention are dropped by writing
//! the rest to a temporary file in the same folder and renaming it over the log (readers
//! never see a half-written log). Lines whose time cannot be read are dropped too: a record
//! that cannot be dated could otherwise be kept for ever. The file is created readable by
//! its owner only. A log that is not a regular file (a device, a pipe) is appended to and
//! never pruned.
//!
//! A log that cannot be written (a full disk, a read-only mount) never keeps a citizen from
//! an answer: [`ReviewLog::record`] reports the failure once, not once a request, and says
//! when writing works again.
//!
//! One process should write one file: run each replica with its own file or with stdout.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::record::{UnansweredRecord, now};
use crate::config::{ReviewConfig, ReviewTarget};

/// How often a file log is pruned while it is written to, at most.
const PRUNE_EVERY: Duration = Duration::hours(1);

/// A file log could not be opened, written or pruned.
#[derive(Debug, thiserror::Error)]
#[error("review log {}: cannot {action}: {error}", path.display())]
pub struct ReviewLogError {
    /// The log file (or `-` for stdout).
    pub path: PathBuf,
    /// What failed ("open", "write", "prune").
    pub action: &'static str,
    /// The cause.
    pub error: std::io::Error,
}

/// Where records are appended, shared by all requests.
#[derive(Debug)]
pub struct ReviewLog {
    sink: Mutex<Sink>,
    retention: Duration,
    /// The last write failed (and that was reported).
    failing: AtomicBool,
}

/// What [`ReviewLog::record`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Written.
    Written,
    /// Written after earlier writes had failed (reported at `info`).
    Recovered,
    /// Not written; the first failure in a row (reported at `error`).
    Failed,
    /// Not written, like the write before (not reported again).
    StillFailing,
}

#[derive(Debug)]
enum Sink {
    Stdout,
    File {
        path: PathBuf,
        file: File,
        /// When old records were last dropped.
        pruned: OffsetDateTime,
    },
}

/// What pruning a file log did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Records kept.
    pub kept: usize,
    /// Records dropped for being older than the retention.
    pub expired: usize,
    /// Lines dropped because their time could not be read.
    pub unreadable: usize,
}

impl ReviewLog {
    /// The log `config` asks for: `None` when review is off; a file log is opened (and
    /// pruned) now.
    ///
    /// ```
    /// use sophia::config::ReviewConfig;
    /// use sophia::review::ReviewLog;
    /// assert!(ReviewLog::from_config(&ReviewConfig::default()).unwrap().is_none());
    /// let stdout = ReviewConfig { log: Some("stdout".into()), ..Default::default() };
    /// assert!(ReviewLog::from_config(&stdout).unwrap().is_some());
    /// ```
    pub fn from_config(config: &ReviewConfig) -> Result<Option<ReviewLog>, ReviewLogError> {
        Ok(match config.target() {
            ReviewTarget::Off => None,
            ReviewTarget::Stdout => Some(ReviewLog::stdout()),
            ReviewTarget::File(path) => Some(ReviewLog::open(&path, config.retention_days())?),
        })
    }

    /// A log writing one JSON line a record to standard output.
    pub fn stdout() -> ReviewLog {
        ReviewLog {
            sink: Mutex::new(Sink::Stdout),
            retention: Duration::MAX,
            failing: AtomicBool::new(false),
        }
    }

    /// Opens (or creates) the file log at `path`, keeping records for `retention_days`
    /// days; records already older are dropped now.
    ///
    /// ```
    /// use sophia::review::{ReviewLog, UnansweredRecord};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("review.jsonl");
    /// let log = ReviewLog::open(&path, 30).unwrap();
    /// log.append(&UnansweredRecord::fallback("muenchen", "Hundesteuer")).unwrap();
    /// assert!(std::fs::read_to_string(&path).unwrap().contains("\"Hundesteuer\""));
    /// ```
    pub fn open(path: &Path, retention_days: u32) -> Result<ReviewLog, ReviewLogError> {
        Self::open_at(path, retention_days, now())
    }

    fn open_at(
        path: &Path,
        retention_days: u32,
        now: OffsetDateTime,
    ) -> Result<ReviewLog, ReviewLogError> {
        let retention = Duration::days(i64::from(retention_days.max(1)));
        let file = open_append(path)?;
        let log = ReviewLog {
            sink: Mutex::new(Sink::File {
                path: path.to_path_buf(),
                file,
                pruned: now,
            }),
            retention,
            failing: AtomicBool::new(false),
        };
        log.prune_at(now)?;
        Ok(log)
    }

    /// Appends `record` and reports a failure in the server's log, once until writing works
    /// again: a full disk is one error, not one a request. For the request handlers, which
    /// answer the citizen whatever happens here.
    ///
    /// ```
    /// use sophia::review::{Recorded, ReviewLog, UnansweredRecord};
    /// # #[cfg(target_os = "linux")] {
    /// // /dev/full: every write fails with "no space left on device".
    /// let log = ReviewLog::open(std::path::Path::new("/dev/full"), 30).unwrap();
    /// let record = UnansweredRecord::fallback("muenchen", "Hundesteuer");
    /// assert_eq!(log.record(&record), Recorded::Failed);
    /// assert_eq!(log.record(&record), Recorded::StillFailing);
    /// # }
    /// ```
    pub fn record(&self, record: &UnansweredRecord) -> Recorded {
        let outcome = self.note(self.append(record));
        match &outcome {
            (Recorded::Failed, Some(error)) => tracing::error!(
                "{error}; unanswered questions are not recorded until writing works again (reported once)"
            ),
            (Recorded::Recovered, _) => {
                tracing::info!("review log: records are written again")
            }
            _ => {}
        }
        outcome.0
    }

    /// What the outcome of a write means given the writes before it.
    fn note(&self, result: Result<(), ReviewLogError>) -> (Recorded, Option<ReviewLogError>) {
        match result {
            Ok(()) if self.failing.swap(false, Ordering::SeqCst) => (Recorded::Recovered, None),
            Ok(()) => (Recorded::Written, None),
            Err(_) if self.failing.swap(true, Ordering::SeqCst) => (Recorded::StillFailing, None),
            Err(error) => (Recorded::Failed, Some(error)),
        }
    }

    /// Appends `record` as one line (one write).
    pub fn append(&self, record: &UnansweredRecord) -> Result<(), ReviewLogError> {
        self.append_at(record, now())
    }

    fn append_at(
        &self,
        record: &UnansweredRecord,
        now: OffsetDateTime,
    ) -> Result<(), ReviewLogError> {
        let mut line = record.to_json_line();
        line.push('\n');
        let mut sink = self.lock();
        if let Sink::File { pruned, .. } = &*sink
            && now - *pruned >= PRUNE_EVERY
            && let Err(error) = prune(&mut sink, self.retention, now)
        {
            // Keep the record; pruning is tried again in an hour.
            tracing::warn!("{error}");
        }
        let (path, result) = match &mut *sink {
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                let result = out.write_all(line.as_bytes()).and_then(|()| out.flush());
                (PathBuf::from("-"), result)
            }
            Sink::File { path, file, .. } => (path.clone(), file.write_all(line.as_bytes())),
        };
        result.map_err(|error| ReviewLogError {
            path,
            action: "write",
            error,
        })
    }

    /// Drops the records older than the retention from a file log now (stdout: nothing).
    pub fn prune(&self) -> Result<Pruned, ReviewLogError> {
        self.prune_at(now())
    }

    fn prune_at(&self, now: OffsetDateTime) -> Result<Pruned, ReviewLogError> {
        let mut sink = self.lock();
        prune(&mut sink, self.retention, now)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sink> {
        // A panic while writing leaves nothing half-done that a later write could not
        // cope with, so a poisoned lock is used as it is.
        self.sink
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Drops records older than `now - retention` from a file sink, rewriting the file only
/// when something is dropped, and reopens it for appending.
fn prune(
    sink: &mut Sink,
    retention: Duration,
    now: OffsetDateTime,
) -> Result<Pruned, ReviewLogError> {
    let Sink::File { path, file, pruned } = sink else {
        return Ok(Pruned::default());
    };
    // A device or a pipe is not rewritten (and reading /dev/full or /dev/zero never ends).
    if !std::fs::metadata(&*path).is_ok_and(|m| m.is_file()) {
        return Ok(Pruned::default());
    }
    let failed = |error: std::io::Error| ReviewLogError {
        path: path.clone(),
        action: "prune",
        error,
    };
    // Tried again in an hour at the earliest, also when it fails.
    *pruned = now;
    let cutoff = now - retention;
    let temp = temp_path(path);
    let outcome = match filter_into(path, &temp, cutoff) {
        Ok(outcome) => outcome,
        Err(error) => {
            let _ = std::fs::remove_file(&temp);
            return Err(failed(error));
        }
    };
    if outcome.expired + outcome.unreadable == 0 {
        std::fs::remove_file(&temp).map_err(failed)?;
        return Ok(outcome);
    }
    std::fs::rename(&temp, &*path).map_err(failed)?;
    *file = open_append(path)?;
    tracing::info!(
        kept = outcome.kept,
        expired = outcome.expired,
        unreadable = outcome.unreadable,
        "review log {} pruned",
        path.display()
    );
    Ok(outcome)
}

/// Copies the lines of `path` dated `cutoff` or later to a new private file `temp`.
fn filter_into(path: &Path, temp: &Path, cutoff: OffsetDateTime) -> std::io::Result<Pruned> {
    let reader = BufReader::new(File::open(path)?);
    let mut out = create_private(temp)?;
    let mut outcome = Pruned::default();
    for line in reader.split(b'\n') {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match record_time(&line) {
            Some(time) if time >= cutoff => {
                let mut kept = line;
                kept.push(b'\n');
                out.write_all(&kept)?;
                outcome.kept += 1;
            }
            Some(_) => outcome.expired += 1,
            None => outcome.unreadable += 1,
        }
    }
    out.sync_all()?;
    Ok(outcome)
}

/// The time of a record line, if it has a readable one.
fn record_time(line: &[u8]) -> Option<OffsetDateTime> {
    #[derive(Deserialize)]
    struct Dated {
        time: String,
    }
    let dated: Dated = serde_json::from_slice(line).ok()?;
    OffsetDateTime::parse(&dated.time, &Rfc3339).ok()
}

/// The temporary file next to `path` that a pruned log is written to.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "review".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

fn open_append(path: &Path) -> Result<File, ReviewLogError> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    private(&mut options);
    options.open(path).map_err(|error| ReviewLogError {
        path: path.to_path_buf(),
        action: "open",
        error,
    })
}

fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).write(true).truncate(true);
    private(&mut options);
    options.open(path)
}

/// New files are readable by their owner only.
fn private(options: &mut OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = options;
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-12-04 10:00:00 UTC);

    fn record(text: &str, time: OffsetDateTime) -> UnansweredRecord {
        UnansweredRecord::fallback("muenchen", text).at(time)
    }

    fn lines(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn texts(path: &Path) -> Vec<String> {
        lines(path)
            .iter()
            .map(|l| {
                UnansweredRecord::from_json_line(l)
                    .unwrap()
                    .text()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn records_are_appended_one_line_each() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.jsonl");
        let log = ReviewLog::open_at(&path, 30, T0).unwrap();
        log.append_at(&record("eins", T0), T0).unwrap();
        log.append_at(&record("zwei\nmit Umbruch", T0), T0).unwrap();
        assert_eq!(texts(&path), ["eins", "zwei mit Umbruch"]);
        // Reopening appends, it does not truncate.
        let log = ReviewLog::open_at(&path, 30, T0).unwrap();
        log.append_at(&record("drei", T0), T0).unwrap();
        assert_eq!(texts(&path), ["eins", "zwei mit Umbruch", "drei"]);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.jsonl");
        ReviewLog::open_at(&path, 30, T0).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }

    #[test]
    fn opening_drops_expired_and_undatable_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.jsonl");
        let old = record("alt", T0 - Duration::days(31)).to_json_line();
        let edge = record("grenze", T0 - Duration::days(30)).to_json_line();
        let new = record("neu", T0 - Duration::days(1)).to_json_line();
        std::fs::write(
            &path,
            format!("{old}\n{edge}\nkaputt\n\n{new}\n{{\"time\":\"gestern\"}}\n{{\"time\":"),
        )
        .unwrap();
        let log = ReviewLog::open_at(&path, 30, T0).unwrap();
        assert_eq!(texts(&path), ["grenze", "neu"]);
        assert_eq!(
            log.prune_at(T0).unwrap(),
            Pruned {
                kept: 2,
                expired: 0,
                unreadable: 0
            }
        );
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn writes_prune_at_most_once_an_hour_and_keep_appending_after() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.jsonl");
        let log = ReviewLog::open_at(&path, 1, T0).unwrap();
        log.append_at(&record("a", T0), T0).unwrap();
        // A day later, but within the hour since the last pruning: nothing is dropped yet.
        let day_later = T0 + Duration::days(1) + Duration::minutes(1);
        let mut sink = log.lock();
        if let Sink::File { pruned, .. } = &mut *sink {
            *pruned = day_later - Duration::minutes(30);
        }
        drop(sink);
        log.append_at(&record("b", day_later), day_later).unwrap();
        assert_eq!(texts(&path), ["a", "b"]);
        // An hour after the last pruning, the next write prunes first.
        let later = day_later + Duration::minutes(31);
        log.append_at(&record("c", later), later).unwrap();
        assert_eq!(texts(&path), ["b", "c"]);
        // The reopened handle appends to the new file, not the replaced one.
        log.append_at(&record("d", later), later).unwrap();
        assert_eq!(texts(&path), ["b", "c", "d"]);
    }

    #[test]
    fn a_log_in_a_missing_folder_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fehlt").join("review.jsonl");
        let err = ReviewLog::open(&path, 30).unwrap_err().to_string();
        assert!(
            err.contains("fehlt/review.jsonl") && err.contains("cannot open"),
            "{err}"
        );
    }

    #[test]
    fn the_log_is_shared_between_threads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.jsonl");
        let log = std::sync::Arc::new(ReviewLog::open_at(&path, 30, T0).unwrap());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let log = log.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        log.append_at(&record(&format!("t{t} n{i}"), T0), T0)
                            .unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(texts(&path).len(), 100);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_is_reported_once_until_writing_works_again() {
        let full = ReviewLog::open_at(Path::new("/dev/full"), 30, T0).unwrap();
        let write = |log: &ReviewLog| log.note(log.append_at(&record("x", T0), T0));
        let (first, error) = write(&full);
        assert_eq!(first, Recorded::Failed);
        let error = error.unwrap().to_string();
        assert!(
            error.contains("/dev/full") && error.contains("cannot write"),
            "{error}"
        );
        for _ in 0..3 {
            let (again, error) = write(&full);
            assert_eq!(again, Recorded::StillFailing);
            assert!(error.is_none());
        }
        // The same log state with a sink that works again.
        let dir = tempfile::tempdir().unwrap();
        let log = ReviewLog::open_at(&dir.path().join("review.jsonl"), 30, T0).unwrap();
        log.failing.store(true, Ordering::SeqCst);
        assert_eq!(write(&log).0, Recorded::Recovered);
        assert_eq!(write(&log).0, Recorded::Written);
    }

    #[test]
    fn stdout_needs_no_pruning() {
        assert_eq!(ReviewLog::stdout().prune().unwrap(), Pruned::default());
    }
}
