//! `sophia report unanswered`: review-log records grouped by what they ask, most frequent
//! first.
//!
//! Two records are in one group when their texts have the same set of analysed words (the
//! retrieval analyzer's tokens: "Wie melde ich meinen Hund an?" and "hund anmelden" differ,
//! "Hund anmelden!" and "hund anmelden" do not); placeholders such as `[Telefon]` are left
//! out. Each group shows its most frequent text as the example and the answer most often
//! nearest to it. Lines that are not records are reported with `file:line` and skipped.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::Serialize;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};

use super::record::{RecordKind, UnansweredRecord};
use super::redact::PLACEHOLDERS;
use crate::text;

/// At most this many distinct comments are shown per group.
const MAX_COMMENTS: usize = 5;
/// Examples are cut to this many characters in the table.
const EXAMPLE_WIDTH: usize = 60;
/// Nearest answers are cut to this many characters in the table.
const NEAREST_WIDTH: usize = 40;

/// Which records a report counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this tenant's records.
    pub tenant: Option<String>,
    /// Only records from this day (UTC) on.
    pub since: Option<Date>,
}

impl Filter {
    fn accepts(&self, record: &UnansweredRecord) -> bool {
        self.tenant.as_deref().is_none_or(|t| record.tenant() == t)
            && self
                .since
                .is_none_or(|day| record.time() >= OffsetDateTime::new_utc(day, Time::MIDNIGHT))
    }
}

/// Reads a `--since` day: `YYYY-MM-DD`.
///
/// ```
/// use sophia::review::report::parse_since;
/// assert_eq!(parse_since("2026-12-04").unwrap().to_string(), "2026-12-04");
/// assert!(parse_since("4.12.2026").unwrap_err().contains("YYYY-MM-DD"));
/// ```
pub fn parse_since(text: &str) -> Result<Date, String> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("expected a day as YYYY-MM-DD (like 2026-12-04), found `{text}`"))
}

/// A line of a log that is not a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadLine {
    /// The file.
    pub file: String,
    /// The line number, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for BadLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Questions asking the same, counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Records in the group.
    pub count: usize,
    /// Of them, fallbacks of a service search.
    pub fallbacks: usize,
    /// Of them, answers marked as not helpful.
    pub negative_feedback: usize,
    /// The analysed words the group shares, sorted.
    pub tokens: Vec<String>,
    /// The most frequent (redacted) text.
    pub example: String,
    /// The title of the answer most often nearest, if any record had one.
    pub nearest: Option<String>,
    /// Comments given with negative feedback (redacted, distinct, most frequent first).
    pub comments: Vec<String>,
}

/// The unanswered questions of one or more review logs, grouped.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Records counted.
    pub records: usize,
    /// Records left out by the filter (other tenants, older ones).
    pub filtered_out: usize,
    /// Lines skipped because they are not records.
    pub bad_lines: Vec<BadLine>,
    /// The groups, most records first.
    pub groups: Vec<Group>,
}

/// A review log could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{file}: cannot read: {error}")]
pub struct ReportError {
    /// The file.
    pub file: String,
    /// The cause.
    pub error: std::io::Error,
}

/// Reads the review logs `files` and groups the records `filter` accepts.
///
/// ```
/// use sophia::review::report::{Filter, unanswered};
/// use sophia::review::UnansweredRecord;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("review.jsonl");
/// let lines: Vec<String> = ["Hund anmelden", "hund anmelden!", "Kita-Platz"]
///     .iter()
///     .map(|q| UnansweredRecord::fallback("muenchen", q).to_json_line())
///     .collect();
/// std::fs::write(&path, lines.join("\n")).unwrap();
/// let report = unanswered(&[path], &Filter::default()).unwrap();
/// assert_eq!((report.records, report.groups.len()), (3, 2));
/// assert_eq!((report.groups[0].count, report.groups[0].tokens.clone()), (2, vec!["anmeld".to_string(), "hund".to_string()]));
/// ```
pub fn unanswered(files: &[impl AsRef<Path>], filter: &Filter) -> Result<Report, ReportError> {
    let mut grouping = Grouping::new(filter);
    for file in files {
        let path = file.as_ref();
        let name = path.display().to_string();
        let failed = |error| ReportError {
            file: name.clone(),
            error,
        };
        let reader = BufReader::new(std::fs::File::open(path).map_err(failed)?);
        for (i, line) in reader.split(b'\n').enumerate() {
            let line = line.map_err(failed)?;
            grouping.add_line(&name, i + 1, &String::from_utf8_lossy(&line));
        }
    }
    Ok(grouping.finish())
}

/// Groups the records of `text`, the content of a log named `file`.
///
/// ```
/// use sophia::review::report::{Filter, unanswered_in};
/// let report = unanswered_in("log.jsonl", "kaputt\n", &Filter::default());
/// assert_eq!(report.bad_lines[0].to_string().split(": ").next(), Some("log.jsonl:1"));
/// ```
pub fn unanswered_in(file: &str, text: &str, filter: &Filter) -> Report {
    let mut grouping = Grouping::new(filter);
    for (i, line) in text.split('\n').enumerate() {
        grouping.add_line(file, i + 1, line);
    }
    grouping.finish()
}

/// Records counted so far, by their sorted set of tokens.
struct Grouping<'a> {
    filter: &'a Filter,
    analyzer: tantivy::tokenizer::TextAnalyzer,
    groups: BTreeMap<Vec<String>, Tally>,
    report: Report,
}

#[derive(Default)]
struct Tally {
    count: usize,
    fallbacks: usize,
    texts: HashMap<String, usize>,
    nearest: HashMap<String, usize>,
    comments: HashMap<String, usize>,
}

impl<'a> Grouping<'a> {
    fn new(filter: &'a Filter) -> Self {
        Grouping {
            filter,
            analyzer: text::retrieval_analyzer(),
            groups: BTreeMap::new(),
            report: Report::default(),
        }
    }

    fn add_line(&mut self, file: &str, line: usize, text: &str) {
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() {
            return;
        }
        let record = match UnansweredRecord::from_json_line(text) {
            Ok(record) => record,
            Err(message) => {
                self.report.bad_lines.push(BadLine {
                    file: file.to_string(),
                    line,
                    message,
                });
                return;
            }
        };
        if !self.filter.accepts(&record) {
            self.report.filtered_out += 1;
            return;
        }
        self.report.records += 1;
        let key = self.key(record.text());
        let tally = self.groups.entry(key).or_default();
        tally.count += 1;
        if record.kind() == RecordKind::Fallback {
            tally.fallbacks += 1;
        }
        *tally.texts.entry(record.text().to_string()).or_default() += 1;
        if let Some(nearest) = record.nearest() {
            *tally.nearest.entry(nearest.title.clone()).or_default() += 1;
        }
        if let Some(comment) = record.comment() {
            *tally.comments.entry(comment.to_string()).or_default() += 1;
        }
    }

    /// The sorted, distinct analysed words of `text`, placeholders left out.
    fn key(&mut self, text: &str) -> Vec<String> {
        let mut words = text.to_string();
        for placeholder in PLACEHOLDERS {
            words = words.replace(placeholder, " ");
        }
        let mut tokens = text::tokens(&mut self.analyzer, &words);
        tokens.sort_unstable();
        tokens.dedup();
        tokens
    }

    fn finish(mut self) -> Report {
        let mut groups: Vec<Group> = self
            .groups
            .into_iter()
            .map(|(tokens, tally)| Group {
                count: tally.count,
                fallbacks: tally.fallbacks,
                negative_feedback: tally.count - tally.fallbacks,
                tokens,
                example: most_frequent(&tally.texts)
                    .into_iter()
                    .next()
                    .unwrap_or_default(),
                nearest: most_frequent(&tally.nearest).into_iter().next(),
                comments: most_frequent(&tally.comments)
                    .into_iter()
                    .take(MAX_COMMENTS)
                    .collect(),
            })
            .collect();
        groups.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.example.cmp(&b.example))
        });
        self.report.groups = groups;
        self.report
    }
}

/// The keys of `counts`, most frequent first, then shorter, then alphabetically.
fn most_frequent(counts: &HashMap<String, usize>) -> Vec<String> {
    let mut entries: Vec<(&String, &usize)> = counts.iter().collect();
    entries.sort_by(|(a, x), (b, y)| {
        y.cmp(x)
            .then_with(|| a.chars().count().cmp(&b.chars().count()))
            .then_with(|| a.cmp(b))
    });
    entries.into_iter().map(|(text, _)| text.clone()).collect()
}

impl Report {
    /// The report as a table: count, fallbacks, negative feedback, example, nearest answer.
    ///
    /// ```
    /// use sophia::review::report::{Filter, unanswered_in};
    /// use sophia::review::UnansweredRecord;
    /// let line = UnansweredRecord::fallback("muenchen", "Hund anmelden").to_json_line();
    /// let table = unanswered_in("log", &line, &Filter::default()).render();
    /// assert!(table.contains("Hund anmelden"));
    /// ```
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} in {} ({} left out by the filter, {} skipped)",
            counted(self.records, "unanswered question"),
            counted(self.groups.len(), "group"),
            self.filtered_out,
            counted(self.bad_lines.len(), "bad line"),
        );
        if self.groups.is_empty() {
            return out;
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "{:>5}  {:>8}  {:>11}  {:<EXAMPLE_WIDTH$}  nearest answer",
            "count", "fallback", "not helpful", "example"
        );
        let _ = writeln!(
            out,
            "{}  {}  {}  {}  {}",
            "-".repeat(5),
            "-".repeat(8),
            "-".repeat(11),
            "-".repeat(EXAMPLE_WIDTH),
            "-".repeat(14)
        );
        for group in &self.groups {
            let example = cut(&group.example, EXAMPLE_WIDTH);
            let pad = EXAMPLE_WIDTH.saturating_sub(example.chars().count());
            let _ = writeln!(
                out,
                "{:>5}  {:>8}  {:>11}  {example}{}  {}",
                group.count,
                group.fallbacks,
                group.negative_feedback,
                " ".repeat(pad),
                group
                    .nearest
                    .as_deref()
                    .map_or_else(|| "-".to_string(), |n| cut(n, NEAREST_WIDTH)),
            );
        }
        out
    }
}

/// "1 group", "2 groups".
fn counted(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// `text` cut to `width` characters, with "…" where it was cut.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReplyKind;
    use crate::review::Nearest;
    use time::macros::{date, datetime};

    fn fallback(tenant: &str, text: &str, time: OffsetDateTime) -> String {
        UnansweredRecord::fallback(tenant, text)
            .at(time)
            .to_json_line()
    }

    fn negative(text: &str, nearest: &str, comment: Option<&str>) -> String {
        UnansweredRecord::negative_feedback(
            "muenchen",
            text,
            ReplyKind::Service,
            Some(Nearest {
                id: "1".into(),
                title: nearest.into(),
                score: None,
            }),
            comment,
        )
        .at(datetime!(2026-12-04 10:00 UTC))
        .to_json_line()
    }

    const DAY: OffsetDateTime = datetime!(2026-12-04 10:00 UTC);

    #[test]
    fn records_asking_the_same_are_one_group_most_frequent_first() {
        let log = [
            fallback("muenchen", "Wie melde ich meinen Hund an?", DAY),
            fallback("muenchen", "Hund anmelden", DAY),
            fallback("muenchen", "hund anmelden!", DAY),
            fallback("muenchen", "Hund anmelden", DAY),
            fallback("muenchen", "Kitaplatz finden", DAY),
            negative("Hund anmelden 0171 1234567", "Hundesteuer", Some("falsch")),
            negative("Hund anmelden", "Hundehaltung", None),
            negative("Hund anmelden", "Hundesteuer", Some("falsch")),
        ]
        .join("\n");
        let report = unanswered_in("log", &log, &Filter::default());
        assert_eq!(report.records, 8);
        assert!(report.bad_lines.is_empty());
        let first = &report.groups[0];
        assert_eq!(first.tokens, ["anmeld", "hund"]);
        assert_eq!(
            (first.count, first.fallbacks, first.negative_feedback),
            (6, 3, 3)
        );
        assert_eq!(first.example, "Hund anmelden");
        assert_eq!(first.nearest.as_deref(), Some("Hundesteuer"));
        assert_eq!(first.comments, ["falsch"]);
        let counts: Vec<usize> = report.groups.iter().map(|g| g.count).collect();
        assert_eq!(counts, [6, 1, 1]);
        assert!(report.groups[1].nearest.is_none());
    }

    #[test]
    fn bad_lines_are_reported_with_their_place_and_skipped() {
        let good = fallback("muenchen", "Hund", DAY);
        let log = format!("{good}\nkaputt\n\n{{\"time\":\"gestern\"}}\r\n{good}\n");
        let report = unanswered_in("review.jsonl", &log, &Filter::default());
        assert_eq!(report.records, 2);
        let places: Vec<String> = report
            .bad_lines
            .iter()
            .map(|b| format!("{}:{}", b.file, b.line))
            .collect();
        assert_eq!(places, ["review.jsonl:2", "review.jsonl:4"]);
        assert!(
            report.bad_lines[1].message.contains("time"),
            "{:?}",
            report.bad_lines
        );
    }

    #[test]
    fn other_tenants_and_older_records_are_left_out() {
        let log = [
            fallback("muenchen", "Hund", datetime!(2026-12-03 23:59:59 UTC)),
            fallback("muenchen", "Hund", datetime!(2026-12-04 00:00 UTC)),
            fallback("augsburg", "Hund", DAY),
        ]
        .join("\n");
        let filter = Filter {
            tenant: Some("muenchen".into()),
            since: Some(date!(2026 - 12 - 04)),
        };
        let report = unanswered_in("log", &log, &filter);
        assert_eq!((report.records, report.filtered_out), (1, 2));
        let only_tenant = Filter {
            tenant: Some("augsburg".into()),
            since: None,
        };
        assert_eq!(unanswered_in("log", &log, &only_tenant).records, 1);
    }

    #[test]
    fn placeholders_do_not_make_groups() {
        let log = [
            fallback("muenchen", "Hund anmelden 0171 1234567", DAY),
            fallback("muenchen", "Hund anmelden a@b.de", DAY),
            fallback("muenchen", "Hund anmelden", DAY),
        ]
        .join("\n");
        let report = unanswered_in("log", &log, &Filter::default());
        assert_eq!(report.groups.len(), 1);
        assert_eq!(report.groups[0].example, "Hund anmelden");
    }

    #[test]
    fn the_table_lines_up_and_cuts_long_texts() {
        let long = "Hund ".repeat(30);
        let log = [
            fallback("muenchen", &long, DAY),
            negative("Katze anmelden", "Hundesteuer", None),
        ]
        .join("\n");
        let table = unanswered_in("log", &log, &Filter::default()).render();
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].starts_with("2 unanswered questions in 2 groups"),
            "{table}"
        );
        assert!(table.contains('…'), "{table}");
        // The last column starts at the same place in the header and in every row.
        let start = |line: &str, last: &str| line.chars().count() - last.chars().count();
        let column = start(lines[2], "nearest answer");
        assert_eq!(start(lines[4], "-"), column, "{table}");
        assert_eq!(start(lines[5], "Hundesteuer"), column, "{table}");
        assert!(lines[5].ends_with("Hundesteuer"), "{table}");
    }

    #[test]
    fn since_must_be_a_day() {
        assert_eq!(parse_since("2026-01-31"), Ok(date!(2026 - 01 - 31)));
        for bad in ["2026-13-01", "gestern", "2026-1-5x", ""] {
            assert!(
                parse_since(bad).unwrap_err().contains("YYYY-MM-DD"),
                "{bad}"
            );
        }
    }

    #[test]
    fn unreadable_files_are_named() {
        let err = unanswered(&["/nonexistent/review.jsonl"], &Filter::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("/nonexistent/review.jsonl: cannot read"),
            "{err}"
        );
    }
}
