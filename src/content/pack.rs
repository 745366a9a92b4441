//! Content packs: the small layer editors write beside the catalogue.
//!
//! A pack is a folder of TOML files. Each file holds tables of two kinds:
//!
//! - `[[answer]]`: a custom answer with its own text (`id`, `questions`, `answer` in simple
//!   Markdown, optional `link`, `tags`, `valid_from`, `valid_until`);
//! - `[[service]]`: more questions for a service of the catalogue (`id` of the service and
//!   `questions`), the way citizens ask for it without knowing its official name.
//!
//! Every mistake is reported with `file:line:column` and the whole pack is refused: a broken
//! file never half-replaces working content.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::is_safe_url;
use crate::text::Synonyms;

/// Where something was written: file, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// The file, as given to the loader.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            // The whole file (it could not be read at all).
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        }
    }
}

impl Origin {
    /// The line and column of byte `offset` in `text`.
    ///
    /// ```
    /// use sophia::content::Origin;
    /// let o = Origin::at("a.toml", "x = 1\ny = ü2", 12);
    /// assert_eq!((o.line, o.column), (2, 6));
    /// ```
    pub fn at(file: &str, text: &str, offset: usize) -> Origin {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Origin {
            file: file.to_string(),
            line,
            column,
        }
    }
}

/// A mistake in a pack: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct PackError {
    /// Where the mistake is.
    pub origin: Origin,
    /// What is wrong, in words an editor understands.
    pub message: String,
}

/// A calendar day (`valid_from`, `valid_until`).
///
/// ```
/// use sophia::content::Day;
/// assert!(Day::parse("2026-02-30").is_none());
/// assert!(Day::parse("2026-12-04").unwrap() < Day::parse("2027-01-01").unwrap());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(time::Date);

impl Day {
    /// Parses `YYYY-MM-DD`; `None` for anything else or a day that does not exist.
    pub fn parse(text: &str) -> Option<Day> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.parse().ok()?;
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .map(Day)
    }

    /// Today, in UTC.
    pub fn today() -> Day {
        Day(time::OffsetDateTime::now_utc().date())
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            u8::from(self.0.month()),
            self.0.day()
        )
    }
}

/// One question of a pack, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackQuestion {
    /// The question as written (trimmed).
    pub text: String,
    /// Where it is written.
    pub origin: Origin,
}

/// A custom answer written by editors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomAnswer {
    /// The editors' id, unique across the packs of a tenant.
    pub id: String,
    /// The questions it answers.
    pub questions: Vec<PackQuestion>,
    /// The answer in simple Markdown (links, lists, bold).
    pub answer: String,
    /// An optional link to more.
    pub link: Option<String>,
    /// Free tags.
    pub tags: Vec<String>,
    /// First day it is served.
    pub valid_from: Option<Day>,
    /// Last day it is served.
    pub valid_until: Option<Day>,
    /// The pack it comes from.
    pub pack: String,
    /// Where it is written.
    pub origin: Origin,
}

impl CustomAnswer {
    /// True when the answer may be served on `day`.
    pub fn is_valid_on(&self, day: Day) -> bool {
        self.valid_from.is_none_or(|from| from <= day)
            && self.valid_until.is_none_or(|until| day <= until)
    }
}

/// More questions for a catalogue service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceQuestions {
    /// The service's id in the catalogue.
    pub service_id: String,
    /// How citizens ask for it.
    pub questions: Vec<PackQuestion>,
    /// The pack it comes from.
    pub pack: String,
    /// Where it is written.
    pub origin: Origin,
}

/// One pack: its name (the folder's name) and its tables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pack {
    /// The pack's name.
    pub name: String,
    /// Custom answers.
    pub answers: Vec<CustomAnswer>,
    /// Questions for catalogue services.
    pub services: Vec<ServiceQuestions>,
    /// The pack's synonym rules (its `*.txt` files), applied for the tenants using it.
    pub synonyms: Synonyms,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    answer: Vec<Spanned<RawAnswer>>,
    #[serde(default)]
    service: Vec<Spanned<RawService>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    id: Spanned<String>,
    questions: Spanned<Vec<Spanned<String>>>,
    answer: Spanned<String>,
    link: Option<Spanned<String>>,
    #[serde(default)]
    tags: Vec<String>,
    valid_from: Option<Spanned<RawDay>>,
    valid_until: Option<Spanned<RawDay>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    id: Spanned<String>,
    questions: Spanned<Vec<Spanned<String>>>,
}

/// A date as TOML writes it (`2026-12-24`) or as a string (`"2026-12-24"`).
#[derive(Deserialize)]
#[serde(untagged)]
enum RawDay {
    Date(toml::value::Datetime),
    Text(String),
}

impl RawDay {
    fn day(&self) -> Option<Day> {
        match self {
            RawDay::Date(datetime) if datetime.time.is_none() && datetime.offset.is_none() => {
                let date = datetime.date?;
                Day::parse(&format!(
                    "{:04}-{:02}-{:02}",
                    date.year, date.month, date.day
                ))
            }
            RawDay::Date(_) => None,
            RawDay::Text(text) => Day::parse(text),
        }
    }
}

/// Reads one pack file: `file` names it in messages, `name` is the pack it belongs to.
/// Every mistake in the file is reported, not just the first.
///
/// ```
/// use sophia::content::pack::parse_file;
/// let pack = parse_file("muell", "muell/a.toml", r#"
/// [[answer]]
/// id = "sperrmuell"
/// questions = ["Wie werde ich Sperrmüll los?"]
/// answer = "Sperrmüll holt der [Abfallwirtschaftsbetrieb](https://www.awm-muenchen.de) ab."
/// "#).unwrap();
/// assert_eq!(pack.answers[0].id, "sperrmuell");
/// assert_eq!(pack.answers[0].origin.line, 2);
///
/// let errors = parse_file("muell", "muell/b.toml", "[[answer]]\nid = \"x\"\nquestions = []\nanswer = \"\"\n").unwrap_err();
/// assert_eq!(errors[0].to_string(), "muell/b.toml:3:13: `questions` is empty: give at least one question");
/// ```
pub fn parse_file(name: &str, file: &str, text: &str) -> Result<Pack, Vec<PackError>> {
    let at = |span: Range<usize>| Origin::at(file, text, span.start);
    let raw: RawFile = toml::from_str(text).map_err(|error| {
        vec![PackError {
            origin: at(error.span().unwrap_or(0..0)),
            message: error.message().trim().to_string(),
        }]
    })?;
    let mut errors = Vec::new();
    let mut error = |span: Range<usize>, message: String| {
        errors.push(PackError {
            origin: at(span),
            message,
        })
    };
    let mut pack = Pack {
        name: name.to_string(),
        ..Pack::default()
    };
    for table in raw.answer {
        let span = table.span();
        let raw = table.into_inner();
        let id = raw.id.get_ref().trim().to_string();
        if id.is_empty() {
            error(raw.id.span(), "`id` is empty".into());
        }
        let questions = questions(&raw.questions, &at, &mut error);
        if raw.answer.get_ref().trim().is_empty() {
            error(
                raw.answer.span(),
                "`answer` is empty: write the text citizens get".into(),
            );
        }
        for (offset, message) in markdown_link_errors(raw.answer.get_ref()) {
            // The span covers the quoted string; +1 skips the opening quote (exact for
            // one-line strings without escapes, which answers nearly always are).
            let start = raw.answer.span().start + 1 + offset;
            error(start..start, message);
        }
        if let Some(link) = &raw.link
            && !is_safe_url(link.get_ref())
        {
            error(
                link.span(),
                format!(
                    "`link` {:?} is not an http(s), mailto or tel address",
                    link.get_ref()
                ),
            );
        }
        let mut day = |raw: &Option<Spanned<RawDay>>, key: &str| {
            let raw = raw.as_ref()?;
            let day = raw.get_ref().day();
            if day.is_none() {
                error(
                    raw.span(),
                    format!("`{key}` is not a date: write it as YYYY-MM-DD, e.g. 2026-12-24"),
                );
            }
            day
        };
        let valid_from = day(&raw.valid_from, "valid_from");
        let valid_until = day(&raw.valid_until, "valid_until");
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && until < from
            && let Some(raw_until) = &raw.valid_until
        {
            error(
                raw_until.span(),
                format!("`valid_until` {until} is before `valid_from` {from}"),
            );
        }
        pack.answers.push(CustomAnswer {
            id,
            questions,
            answer: raw.answer.into_inner().trim().to_string(),
            link: raw.link.map(|l| l.into_inner().trim().to_string()),
            tags: raw.tags,
            valid_from,
            valid_until,
            pack: name.to_string(),
            origin: at(span),
        });
    }
    for table in raw.service {
        let span = table.span();
        let raw = table.into_inner();
        let service_id = raw.id.get_ref().trim().to_string();
        if service_id.is_empty() {
            error(raw.id.span(), "`id` is empty: give the service's id".into());
        }
        let questions = questions(&raw.questions, &at, &mut error);
        pack.services.push(ServiceQuestions {
            service_id,
            questions,
            pack: name.to_string(),
            origin: at(span),
        });
    }
    if errors.is_empty() {
        Ok(pack)
    } else {
        Err(errors)
    }
}

/// The trimmed questions; empty lists and empty questions are mistakes.
fn questions(
    raw: &Spanned<Vec<Spanned<String>>>,
    at: &impl Fn(Range<usize>) -> Origin,
    error: &mut impl FnMut(Range<usize>, String),
) -> Vec<PackQuestion> {
    if raw.get_ref().is_empty() {
        error(
            raw.span(),
            "`questions` is empty: give at least one question".into(),
        );
    }
    let mut questions = Vec::new();
    for question in raw.get_ref() {
        let text = question.get_ref().trim();
        if text.is_empty() {
            error(question.span(), "empty question".into());
        } else {
            questions.push(PackQuestion {
                text: text.to_string(),
                origin: at(question.span()),
            });
        }
    }
    questions
}

/// Broken Markdown links in `text`: byte offset and message. A link is `[label](url)` with
/// a closing parenthesis and an http(s), mailto or tel address.
///
/// ```
/// use sophia::content::pack::markdown_link_errors;
/// assert!(markdown_link_errors("Mehr [hier](https://muenchen.de).").is_empty());
/// assert_eq!(markdown_link_errors("Mehr [hier](https://muenchen.de").len(), 1);
/// assert_eq!(markdown_link_errors("[x](javascript:alert(1))").len(), 1);
/// ```
pub fn markdown_link_errors(text: &str) -> Vec<(usize, String)> {
    let mut errors = Vec::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find("](") {
        let open = rest + found;
        let url_start = open + 2;
        let label_start = text[..open].rfind('[');
        match text[url_start..].find(')') {
            None => {
                errors.push((
                    label_start.unwrap_or(open),
                    "Markdown link without closing `)`: write [Text](https://...)".into(),
                ));
                break;
            }
            Some(length) => {
                let url = &text[url_start..url_start + length];
                if label_start.is_none() {
                    errors.push((open, "Markdown link without opening `[`".into()));
                } else if !is_safe_url(url) {
                    errors.push((
                        url_start,
                        format!("link target {url:?} is not an http(s), mailto or tel address"),
                    ));
                }
                rest = url_start + length + 1;
            }
        }
    }
    errors
}

/// Reads a pack folder: every `*.toml` file in it, in name order. The pack is named after
/// the folder. Files that are not UTF-8 are reported with the line and column of the first
/// bad byte.
pub fn load_dir(dir: &Path) -> Result<Pack, Vec<PackError>> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fail = |file: &str, message: String| {
        vec![PackError {
            origin: Origin {
                file: file.to_string(),
                line: 0,
                column: 0,
            },
            message,
        }]
    };
    let shown = dir.display().to_string();
    let entries = std::fs::read_dir(dir).map_err(|e| fail(&shown, format!("cannot read: {e}")))?;
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml" || x == "txt"))
        .collect();
    files.sort();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        let file = path.display().to_string();
        match std::fs::read(&path) {
            Ok(bytes) => match decode(&file, bytes) {
                Ok(text) => sources.push((file, text)),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.extend(fail(&file, format!("cannot read: {e}"))),
        }
    }
    let sources: Vec<(&str, &str)> = sources
        .iter()
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    match parse_files(&name, &sources) {
        Ok(pack) if errors.is_empty() => Ok(pack),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

/// UTF-8 text of a file (a byte-order mark is dropped), or where the first bad byte is.
pub fn decode(file: &str, bytes: Vec<u8>) -> Result<String, PackError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string()),
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let good = String::from_utf8_lossy(&error.as_bytes()[..valid]).into_owned();
            Err(PackError {
                origin: Origin::at(file, &good, valid),
                message: "file is not UTF-8: save it as UTF-8 (in Excel: \"CSV UTF-8\")".into(),
            })
        }
    }
}

/// Parses the files of one pack and checks them together: ids unique, no question given
/// to two answers. Files ending in `.txt` are synonym files.
pub fn parse_files(name: &str, files: &[(&str, &str)]) -> Result<Pack, Vec<PackError>> {
    let mut pack = Pack {
        name: name.to_string(),
        ..Pack::default()
    };
    let mut errors = Vec::new();
    for (file, text) in files {
        if file.ends_with(".txt") {
            match Synonyms::parse(file, text) {
                Ok(synonyms) => pack.synonyms.extend(&synonyms),
                Err(e) => errors.extend(e.into_iter().map(|e| PackError {
                    origin: Origin {
                        file: e.file,
                        line: e.line,
                        column: e.column,
                    },
                    message: e.message,
                })),
            }
            continue;
        }
        match parse_file(name, file, text) {
            Ok(part) => {
                pack.answers.extend(part.answers);
                pack.services.extend(part.services);
            }
            Err(e) => errors.extend(e),
        }
    }
    errors.extend(conflicts(std::slice::from_ref(&pack)));
    if errors.is_empty() {
        Ok(pack)
    } else {
        Err(errors)
    }
}

/// Conflicts across packs used together: an answer id used twice, a question that already
/// belongs to another answer or service.
pub fn conflicts(packs: &[Pack]) -> Vec<PackError> {
    let mut errors = Vec::new();
    let mut ids: HashMap<&str, &Origin> = HashMap::new();
    let mut owners: HashMap<String, (String, &Origin)> = HashMap::new();
    for pack in packs {
        for answer in &pack.answers {
            if let Some(first) = ids.insert(&answer.id, &answer.origin) {
                errors.push(PackError {
                    origin: answer.origin.clone(),
                    message: format!("duplicate id {:?}: already used at {first}", answer.id),
                });
            }
        }
        let targets = pack
            .answers
            .iter()
            .map(|a| (format!("answer {:?}", a.id), &a.questions))
            .chain(
                pack.services
                    .iter()
                    .map(|s| (format!("service {:?}", s.service_id), &s.questions)),
            );
        for (owner, questions) in targets {
            for question in questions {
                let key = question_key(&question.text);
                match owners.get(&key) {
                    Some((other, other_origin)) if *other != owner => errors.push(PackError {
                        origin: question.origin.clone(),
                        message: format!(
                            "question {:?} already belongs to {other} ({other_origin})",
                            question.text
                        ),
                    }),
                    Some(_) => {}
                    None => {
                        owners.insert(key, (owner.clone(), &question.origin));
                    }
                }
            }
        }
    }
    errors
}

/// A question reduced to what makes two questions the same: lower case, letters and digits,
/// umlauts folded.
fn question_key(question: &str) -> String {
    crate::text::words(question)
        .map(|(_, word)| crate::text::normalize_word(word))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        parse_file("p", "p/a.toml", text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_full_answer_is_read() {
        let pack = parse_file(
            "p",
            "p/a.toml",
            r#"
[[answer]]
id = "wertstoffhof"
questions = ["Wann hat der Wertstoffhof offen?", "wertstoffhof öffnungszeiten"]
answer = "Die Wertstoffhöfe haben **Montag bis Samstag** offen."
link = "https://www.awm-muenchen.de"
tags = ["abfall"]
valid_from = 2026-01-01
valid_until = "2026-12-31"
"#,
        )
        .unwrap();
        let a = &pack.answers[0];
        assert_eq!(a.questions.len(), 2);
        assert_eq!(a.valid_from, Day::parse("2026-01-01"));
        assert!(a.is_valid_on(Day::parse("2026-06-01").unwrap()));
        assert!(!a.is_valid_on(Day::parse("2027-01-01").unwrap()));
        assert!(!a.is_valid_on(Day::parse("2025-12-31").unwrap()));
    }

    #[test]
    fn service_questions_are_read() {
        let pack = parse_file(
            "p",
            "p/a.toml",
            "[[service]]\nid = \"1063441\"\nquestions = [\"perso weg\"]\n",
        )
        .unwrap();
        assert_eq!(pack.services[0].service_id, "1063441");
        assert_eq!(pack.services[0].origin.line, 1);
    }

    #[test]
    fn an_unknown_key_is_named_with_its_place() {
        let e = errors(
            "[[answer]]\nid = \"a\"\nquestions = [\"q\"]\nanswer = \"x\"\nantwort = \"y\"\n",
        );
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("p/a.toml:5:1:"), "{e:?}");
        assert!(e[0].contains("antwort"), "{e:?}");
    }

    #[test]
    fn an_empty_answer_is_refused() {
        let e = errors("[[answer]]\nid = \"a\"\nquestions = [\"q\"]\nanswer = \"  \"\n");
        assert_eq!(
            e,
            ["p/a.toml:4:10: `answer` is empty: write the text citizens get"]
        );
    }

    #[test]
    fn an_invalid_date_is_refused() {
        let e = errors(
            "[[answer]]\nid = \"a\"\nquestions = [\"q\"]\nanswer = \"x\"\nvalid_from = \"2026-02-30\"\n",
        );
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("p/a.toml:5:14: `valid_from` is not a date"),
            "{e:?}"
        );
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        let e = errors(
            "[[answer]]\nid = \"a\"\nquestions = [\"q\"]\nanswer = \"x\"\nvalid_from = 2026-05-01\nvalid_until = 2026-04-01\n",
        );
        assert!(
            e[0].starts_with("p/a.toml:6:15: `valid_until` 2026-04-01 is before"),
            "{e:?}"
        );
    }

    #[test]
    fn a_broken_markdown_link_is_refused_at_its_column() {
        let e = errors(
            "[[answer]]\nid = \"a\"\nquestions = [\"q\"]\nanswer = \"Siehe [AWM](https://awm.de\"\n",
        );
        assert_eq!(
            e,
            ["p/a.toml:4:17: Markdown link without closing `)`: write [Text](https://...)"]
        );
    }

    #[test]
    fn an_unsafe_link_is_refused() {
        let e = errors(
            "[[answer]]\nid = \"a\"\nquestions = [\"q\"]\nanswer = \"x\"\nlink = \"javascript:alert(1)\"\n",
        );
        assert!(e[0].starts_with("p/a.toml:5:8:"), "{e:?}");
    }

    #[test]
    fn a_toml_syntax_error_has_its_place() {
        let e = errors("[[answer]]\nid = \"a\nquestions = []\n");
        assert!(e[0].starts_with("p/a.toml:2:"), "{e:?}");
    }

    #[test]
    fn duplicate_ids_across_files_are_refused() {
        let a = "[[answer]]\nid = \"x\"\nquestions = [\"eins\"]\nanswer = \"a\"\n";
        let b = "\n[[answer]]\nid = \"x\"\nquestions = [\"zwei\"]\nanswer = \"b\"\n";
        let e = parse_files("p", &[("p/a.toml", a), ("p/b.toml", b)]).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "p/b.toml:2:1: duplicate id \"x\": already used at p/a.toml:1:1"
        );
    }

    #[test]
    fn a_question_of_another_answer_is_refused() {
        let a = "[[answer]]\nid = \"x\"\nquestions = [\"Wo ist der Wertstoffhof?\"]\nanswer = \"a\"\n\
                 [[answer]]\nid = \"y\"\nquestions = [\"wo ist der wertstoffhof\"]\nanswer = \"b\"\n";
        let e = parse_files("p", &[("p/a.toml", a)]).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(
            e[0].to_string()
                .starts_with("p/a.toml:7:14: question \"wo ist der wertstoffhof\" already belongs to answer \"x\" (p/a.toml:3:14)"),
            "{e:?}"
        );
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_at_the_bad_byte() {
        let e = decode("p/a.toml", b"id = \"a\"\nx = \"M\xfcnchen\"".to_vec()).unwrap_err();
        assert_eq!(e.origin.line, 2);
        assert_eq!(e.origin.column, 7);
        assert!(e.message.contains("UTF-8"));
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(decode("a", b"\xef\xbb\xbfx = 1".to_vec()).unwrap(), "x = 1");
    }
}
