//! `sophia import-csv`: custom answers from a spreadsheet, written as a pack file.
//!
//! Columns are found by their header, whatever their order: `id`, one or more question
//! columns (`questions`, `Frage`, `Frage 2`, ...; a cell may hold several questions, one a
//! line or separated by `|`), `answer`/`Antwort`, and optionally `link`, `tags`,
//! `valid_from`/`gültig ab`, `valid_until`/`gültig bis`. UTF-8 with or without a
//! byte-order mark; `;` or `,` (or tab) as separator, as Excel writes them. Dates may be
//! written `2026-12-24` or `24.12.2026`.

use std::collections::HashMap;
use std::fmt::Write;

use super::pack::{self, Day, PackError};
use super::{Origin, normalize_header};

/// What each column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    Questions,
    Answer,
    Link,
    Tags,
    ValidFrom,
    ValidUntil,
}

impl Column {
    fn of(header: &str) -> Option<Column> {
        let h = normalize_header(header);
        let h = h.as_str();
        Some(match h {
            "id" | "kennung" | "schlussel" => Column::Id,
            "answer" | "antwort" | "text" | "antworttext" => Column::Answer,
            "link" | "url" | "weblink" => Column::Link,
            "tags" | "tag" | "schlagworte" | "schlagwort" | "stichworte" => Column::Tags,
            "valid from" | "gultig ab" | "ab" | "von" | "start" => Column::ValidFrom,
            "valid until" | "gultig bis" | "bis" | "ende" => Column::ValidUntil,
            _ if h.starts_with("question") || h.starts_with("frage") => Column::Questions,
            _ => return None,
        })
    }
}

/// One answer read from a row, with its line.
struct Row {
    line: usize,
    id: String,
    questions: Vec<String>,
    answer: String,
    link: Option<String>,
    tags: Vec<String>,
    valid_from: Option<Day>,
    valid_until: Option<Day>,
}

/// Converts a CSV export to the text of a pack file. `file` names the CSV in messages;
/// every mistake is reported with its line and column name, and nothing is written when
/// there is one.
///
/// ```
/// let csv = "\u{feff}ID;Frage;Frage 2;Antwort;Gültig bis\n\
///            sperrmuell;Wie werde ich Sperrmüll los?;sperrmüll abholen;Der AWM holt ihn ab.;31.12.2026\n";
/// let toml = sophia::content::csv_import::to_pack("abfall.csv", csv.as_bytes()).unwrap();
/// let pack = sophia::content::pack::parse_file("abfall", "abfall.toml", &toml).unwrap();
/// assert_eq!(pack.answers[0].questions.len(), 2);
/// assert_eq!(pack.answers[0].valid_until.unwrap().to_string(), "2026-12-31");
/// ```
pub fn to_pack(file: &str, bytes: &[u8]) -> Result<String, Vec<PackError>> {
    let text = pack::decode(file, bytes.to_vec()).map_err(|e| vec![e])?;
    let fail = |line: usize, message: String| PackError {
        origin: Origin {
            file: file.to_string(),
            line,
            column: 1,
        },
        message,
    };
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| vec![fail(1, format!("cannot read the header row: {e}"))])?
        .clone();
    let mut columns = Vec::new();
    let mut errors = Vec::new();
    for header in headers.iter() {
        match Column::of(header) {
            Some(column) => columns.push(column),
            None => errors.push(fail(
                1,
                format!(
                    "unknown column {header:?}: use id, Frage (one or more), Antwort, link, tags, gültig ab, gültig bis"
                ),
            )),
        }
    }
    for (required, name) in [
        (Column::Id, "id"),
        (Column::Questions, "Frage"),
        (Column::Answer, "Antwort"),
    ] {
        if !columns.contains(&required) {
            errors.push(fail(1, format!("the column {name:?} is missing")));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                errors.push(fail(line, format!("cannot read the row: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let mut row = Row {
            line,
            id: String::new(),
            questions: Vec::new(),
            answer: String::new(),
            link: None,
            tags: Vec::new(),
            valid_from: None,
            valid_until: None,
        };
        for (i, cell) in record.iter().enumerate() {
            let cell = cell.trim();
            let Some(&column) = columns.get(i) else {
                if !cell.is_empty() {
                    errors.push(fail(line, format!("cell {} has no column header", i + 1)));
                }
                continue;
            };
            let header = &headers[i];
            match column {
                Column::Id => row.id = cell.to_string(),
                Column::Questions => row.questions.extend(
                    cell.split(['\n', '|'])
                        .map(str::trim)
                        .filter(|q| !q.is_empty())
                        .map(str::to_string),
                ),
                Column::Answer => row.answer = cell.to_string(),
                Column::Link if !cell.is_empty() => row.link = Some(cell.to_string()),
                Column::Tags => row.tags.extend(
                    cell.split([',', ';'])
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string),
                ),
                Column::ValidFrom | Column::ValidUntil if !cell.is_empty() => {
                    match parse_day(cell) {
                        Some(day) if column == Column::ValidFrom => row.valid_from = Some(day),
                        Some(day) => row.valid_until = Some(day),
                        None => errors.push(fail(
                            line,
                            format!(
                                "column {header:?}: {cell:?} is not a date (write 24.12.2026 or 2026-12-24)"
                            ),
                        )),
                    }
                }
                _ => {}
            }
        }
        if row.id.is_empty() {
            errors.push(fail(line, "column \"id\" is empty".into()));
        }
        if row.questions.is_empty() {
            errors.push(fail(
                line,
                "no question: fill at least one Frage column".into(),
            ));
        }
        if row.answer.is_empty() {
            errors.push(fail(line, "column \"Antwort\" is empty".into()));
        }
        rows.push(row);
    }
    let mut first_line: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        if let Some(first) = first_line.insert(&row.id, row.line)
            && !row.id.is_empty()
        {
            errors.push(fail(
                row.line,
                format!("duplicate id {:?}: already used in line {first}", row.id),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let toml = render(file, &rows);
    // The pack's own checks (links, dates, a question given to two answers) in terms of
    // the CSV: the generated file has one table per row, in order.
    if let Err(problems) = pack::parse_files("import", &[("import.toml", &toml)]) {
        let table_line = |origin_line: usize| {
            toml.lines()
                .take(origin_line)
                .filter(|l| *l == "[[answer]]")
                .count()
        };
        return Err(problems
            .into_iter()
            .map(|p| {
                let row = table_line(p.origin.line).max(1) - 1;
                fail(rows.get(row).map_or(0, |r| r.line), p.message)
            })
            .collect());
    }
    Ok(toml)
}

/// `2026-12-24` or `24.12.2026`.
fn parse_day(text: &str) -> Option<Day> {
    if let Some(day) = Day::parse(text) {
        return Some(day);
    }
    let mut parts = text.split('.');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    Day::parse(&format!("{y}-{m:0>2}-{d:0>2}"))
}

/// The separator Excel chose: the most frequent of `;`, `,` and tab in the header row.
fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|&d| header.bytes().filter(|&b| b == d).count())
        .unwrap_or(b';')
}

fn render(file: &str, rows: &[Row]) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = format!(
        "# Imported from {file} by `sophia import-csv`. Edit the spreadsheet and import again,\n\
         # or edit this file and stop importing.\n"
    );
    for row in rows {
        let _ = writeln!(out, "\n[[answer]]\nid = {}", quote(&row.id));
        let questions: Vec<String> = row.questions.iter().map(|q| quote(q)).collect();
        let _ = writeln!(out, "questions = [{}]", questions.join(", "));
        let _ = writeln!(out, "answer = {}", quote(&row.answer));
        if let Some(link) = &row.link {
            let _ = writeln!(out, "link = {}", quote(link));
        }
        if !row.tags.is_empty() {
            let tags: Vec<String> = row.tags.iter().map(|t| quote(t)).collect();
            let _ = writeln!(out, "tags = [{}]", tags.join(", "));
        }
        if let Some(day) = row.valid_from {
            let _ = writeln!(out, "valid_from = {day}");
        }
        if let Some(day) = row.valid_until {
            let _ = writeln!(out, "valid_until = {day}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(csv: &str) -> Result<pack::Pack, Vec<String>> {
        let toml = to_pack("a.csv", csv.as_bytes())
            .map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>())?;
        Ok(pack::parse_file("p", "p.toml", &toml).unwrap())
    }

    #[test]
    fn excel_semicolons_with_a_byte_order_mark() {
        let pack = import("\u{feff}ID;Frage;Antwort;Link;Schlagworte\nwertstoffhof;Wann hat der Wertstoffhof offen?;Mo–Sa.;https://awm.de;abfall, wertstoff\n").unwrap();
        let a = &pack.answers[0];
        assert_eq!(a.id, "wertstoffhof");
        assert_eq!(a.link.as_deref(), Some("https://awm.de"));
        assert_eq!(a.tags, ["abfall", "wertstoff"]);
    }

    #[test]
    fn commas_quotes_and_line_breaks_in_cells() {
        let pack = import(
            "id,questions,answer\nx,\"Frage eins?\nFrage zwei, mit Komma | Frage drei\",\"Zeile 1\n\n- Punkt\"\n",
        )
        .unwrap();
        let a = &pack.answers[0];
        assert_eq!(a.questions.len(), 3);
        assert_eq!(a.questions[1].text, "Frage zwei, mit Komma");
        assert_eq!(a.answer, "Zeile 1\n\n- Punkt");
    }

    #[test]
    fn columns_in_any_order_and_several_question_columns() {
        let pack = import("Antwort;Frage 2;ID;Frage 1\nText;zweite;a;erste\n").unwrap();
        let questions: Vec<&str> = pack.answers[0]
            .questions
            .iter()
            .map(|q| q.text.as_str())
            .collect();
        assert_eq!(questions, ["zweite", "erste"]);
    }

    #[test]
    fn german_and_iso_dates() {
        let pack =
            import("id;Frage;Antwort;gültig ab;gültig bis\na;q;x;1.12.2026;2027-01-06\n").unwrap();
        assert_eq!(
            pack.answers[0].valid_from.unwrap().to_string(),
            "2026-12-01"
        );
        assert_eq!(
            pack.answers[0].valid_until.unwrap().to_string(),
            "2027-01-06"
        );
    }

    #[test]
    fn mistakes_name_their_line_and_column() {
        let e = import("id;Frage;Antwort;gültig bis\na;q;;31.02.2026\na;r;x;\n").unwrap_err();
        assert_eq!(
            e,
            [
                "a.csv:2:1: column \"gültig bis\": \"31.02.2026\" is not a date (write 24.12.2026 or 2026-12-24)",
                "a.csv:2:1: column \"Antwort\" is empty",
                "a.csv:3:1: duplicate id \"a\": already used in line 2",
            ]
        );
    }

    #[test]
    fn unknown_and_missing_columns_are_named() {
        let e = import("id;Fragen;Bemerkung\na;q;x\n").unwrap_err();
        assert!(
            e[0].starts_with("a.csv:1:1: unknown column \"Bemerkung\""),
            "{e:?}"
        );
        assert!(e[1].contains("the column \"Antwort\" is missing"), "{e:?}");
    }

    #[test]
    fn a_broken_link_in_an_answer_names_its_row() {
        let e = import("id;Frage;Antwort\na;q;ok\nb;r;[AWM](https://awm.de\n").unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("a.csv:3:1: Markdown link without closing"),
            "{e:?}"
        );
    }

    #[test]
    fn a_file_saved_in_windows_1252_is_refused_clearly() {
        let e = to_pack("a.csv", b"id;Frage;Antwort\na;M\xfcll;x\n").unwrap_err();
        assert!(
            e[0].to_string().starts_with("a.csv:2:4: file is not UTF-8"),
            "{e:?}"
        );
    }

    #[test]
    fn empty_rows_are_skipped() {
        let pack = import("id;Frage;Antwort\n;;\na;q;x\n;;\n").unwrap();
        assert_eq!(pack.answers.len(), 1);
    }
}
