//! `sophia check`: validates the files editors and operators write, before they go live.
//!
//! Each path is a file or a folder (searched recursively). Files are recognised by what
//! they hold: `*.txt` are synonym files; TOML files with `[[answer]]` or `[[service]]`
//! tables are pack files (the pack is named after their folder); files with `examples` are
//! intents, with `responses` small talk, with `follow_up_words` aspect cues, and with
//! `[[tenant]]` the configuration. Every mistake is reported with `file:line:column`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::content::{Catalog, Origin, Pack, PackLibrary, pack};
use crate::dialog::{ContextCodec, Snapshot};
use crate::nlu::{AspectDetector, IntentClassifier};
use crate::text::Synonyms;
use crate::{ChatRequest, Engine, ReplyKind};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The content cannot go live.
    Error,
    /// The content works, but probably not as meant.
    Warning,
}

/// One thing `sophia check` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Where (`file:line:column: `) and what.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}", self.message)
    }
}

/// What kind of content file a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pack,
    Intent,
    SmallTalk,
    Aspects,
    Config,
    Synonyms,
}

/// Checks every file under `paths` against `catalog` (pack questions must name its
/// services; custom answers that would take over a question the catalogue answers today
/// are warned about). Findings come in path order.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("sophia-check-doc-{}", std::process::id()));
/// std::fs::create_dir_all(dir.join("lokal")).unwrap();
/// std::fs::write(dir.join("lokal/a.toml"), "[[answer]]\nid = \"a\"\nquestions = []\nanswer = \"x\"\n").unwrap();
/// let findings = sophia::check::check(&[dir.clone()], &sophia::content::Catalog::shipped());
/// assert!(findings[0].message.ends_with("lokal/a.toml:3:13: `questions` is empty: give at least one question"));
/// std::fs::remove_dir_all(dir).unwrap();
/// ```
pub fn check(paths: &[PathBuf], catalog: &Catalog) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        if let Err(message) = collect(path, &mut files) {
            findings.push(error(message));
        }
    }
    let mut packs: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut intents = Vec::new();
    let mut smalltalk = Vec::new();
    let mut configs = Vec::new();
    for path in &files {
        let file = path.display().to_string();
        let text = match std::fs::read(path) {
            Ok(bytes) => match pack::decode(&file, bytes) {
                Ok(text) => text,
                Err(e) => {
                    findings.push(error(e.to_string()));
                    continue;
                }
            },
            Err(e) => {
                findings.push(error(format!("{file}: cannot read: {e}")));
                continue;
            }
        };
        match kind(path, &text) {
            Ok(Kind::Synonyms) => {
                if let Err(errors) = Synonyms::parse(&file, &text) {
                    findings.extend(errors.iter().map(|e| error(e.to_string())));
                }
            }
            Ok(Kind::Pack) => {
                let name = path
                    .parent()
                    .and_then(Path::file_name)
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                packs.entry(name).or_default().push((file, text));
            }
            Ok(Kind::Intent) => intents.push((file, text)),
            Ok(Kind::SmallTalk) => smalltalk.push((file, text)),
            Ok(Kind::Aspects) => {
                if let Err(e) = AspectDetector::parse(&file, &text) {
                    findings.push(error(e));
                }
            }
            Ok(Kind::Config) => configs.push((file, text)),
            Err(message) => findings.push(error(message)),
        }
    }
    let mut library = PackLibrary::shipped();
    let mut checked = Vec::new();
    for (name, files) in &packs {
        let sources: Vec<(&str, &str)> = files
            .iter()
            .map(|(f, t)| (f.as_str(), t.as_str()))
            .collect();
        match pack::parse_files(name, &sources) {
            Ok(pack) => checked.push(pack),
            Err(errors) => findings.extend(errors.iter().map(|e| error(e.to_string()))),
        }
    }
    for pack in &checked {
        findings.extend(unknown_services(pack, catalog));
    }
    findings.extend(shadowed(&checked, catalog));
    let shipped: Vec<Pack> = library
        .names()
        .filter(|n| checked.iter().all(|p| p.name != *n))
        .filter_map(|n| library.get(n).cloned())
        .collect();
    library = PackLibrary::from_packs(shipped.into_iter().chain(checked));
    findings.extend(check_intents(&intents));
    if !smalltalk.is_empty() {
        let sources: Vec<(&str, &str)> = smalltalk
            .iter()
            .map(|(f, t)| (f.as_str(), t.as_str()))
            .collect();
        if let Err(e) = crate::dialog::smalltalk::SmallTalk::parse(&sources) {
            findings.push(error(e));
        }
    }
    for (file, text) in &configs {
        match Config::parse(file, text) {
            Ok(config) => {
                for tenant in &config.tenants {
                    for name in &tenant.packs {
                        if library.get(name).is_none() {
                            findings.push(error(format!(
                                "{file}: tenant `{}` uses pack `{name}`, which does not exist (packs: {})",
                                tenant.id,
                                library.names().collect::<Vec<_>>().join(", ")
                            )));
                        }
                    }
                }
            }
            Err(e) => findings.push(error(e.to_string())),
        }
    }
    findings
}

fn error(message: String) -> Finding {
    Finding {
        severity: Severity::Error,
        message,
    }
}

/// Every file under `path`, in name order.
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    if path.is_file() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    let entries =
        std::fs::read_dir(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|x| x == "toml" || x == "txt") {
            files.push(path);
        }
    }
    Ok(())
}

/// Recognises a content file by its extension and top-level keys.
fn kind(path: &Path, text: &str) -> Result<Kind, String> {
    let file = path.display();
    if path.extension().is_some_and(|x| x == "txt") {
        return Ok(Kind::Synonyms);
    }
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let origin = Origin::at(
            &file.to_string(),
            text,
            e.span().map_or(0, |span| span.start),
        );
        format!("{origin}: {}", e.message().trim())
    })?;
    let has = |key: &str| table.contains_key(key);
    Ok(if has("answer") || has("service") {
        Kind::Pack
    } else if has("examples") {
        Kind::Intent
    } else if has("responses") {
        Kind::SmallTalk
    } else if has("follow_up_words") {
        Kind::Aspects
    } else if has("tenant") || has("default_tenant") {
        Kind::Config
    } else {
        return Err(format!(
            "{file}: not a Sophia content file: expected [[answer]] or [[service]] tables (a pack), \
             `examples` (an intent), `responses` (small talk), `follow_up_words` (aspect cues) \
             or [[tenant]] (sophia.toml)"
        ));
    })
}

/// Intent files train together; one file alone is checked on its own.
fn check_intents(intents: &[(String, String)]) -> Vec<Finding> {
    if intents.is_empty() {
        return Vec::new();
    }
    let mut sources: Vec<(&str, &str)> = intents
        .iter()
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    // A single file is checked beside the shipped intents (training needs two).
    let shipped = crate::nlu::SHIPPED_INTENTS;
    if let [(only, _)] = sources[..] {
        let name = |p: &str| Path::new(p).file_name().map(|n| n.to_owned());
        let own = name(only);
        sources.extend(shipped.iter().copied().filter(|(f, _)| name(f) != own));
    }
    match IntentClassifier::train(&sources) {
        Ok(_) => Vec::new(),
        Err(e) => vec![error(e)],
    }
}

/// Pack questions for services the catalogue lacks.
fn unknown_services(pack: &Pack, catalog: &Catalog) -> Vec<Finding> {
    pack.services
        .iter()
        .filter(|s| catalog.ordinal(&s.service_id).is_none())
        .map(|s| {
            error(format!(
                "{}: service {:?} is not in the catalogue (or not shown to citizens)",
                s.origin, s.service_id
            ))
        })
        .collect()
}

/// Custom-answer questions the catalogue answers today with a service: the custom answer
/// would take them over.
fn shadowed(packs: &[Pack], catalog: &Catalog) -> Vec<Finding> {
    if packs.iter().all(|p| p.answers.is_empty()) {
        return Vec::new();
    }
    let mut config = Config::shipped();
    for tenant in &mut config.tenants {
        tenant.packs.clear();
    }
    let Ok(snapshot) = Snapshot::build(catalog.clone(), &PackLibrary::default(), config) else {
        return Vec::new();
    };
    let engine = Engine::new(Arc::new(snapshot), ContextCodec::random());
    let mut findings = Vec::new();
    for answer in packs.iter().flat_map(|p| &p.answers) {
        for question in &answer.questions {
            let reply = engine.respond(&ChatRequest::new(&question.text));
            if matches!(reply.kind, ReplyKind::Service | ReplyKind::Aspect)
                && let Some(source) = reply.sources.first()
            {
                findings.push(Finding {
                    severity: Severity::Warning,
                    message: format!(
                        "{}: question {:?} is answered today by the service {:?} ({}); answer {:?} takes it over",
                        question.origin, question.text, source.title, source.id, answer.id
                    ),
                });
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Dir {
            let dir =
                std::env::temp_dir().join(format!("sophia-check-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Dir(dir)
        }

        fn write(&self, path: &str, text: impl AsRef<[u8]>) -> &Dir {
            let path = self.0.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
            self
        }

        fn check(&self) -> Vec<String> {
            let catalog = catalog();
            check(std::slice::from_ref(&self.0), catalog)
                .iter()
                .map(|f| f.to_string().replace(&format!("{}/", self.0.display()), ""))
                .collect()
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn catalog() -> &'static Catalog {
        static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        CATALOG.get_or_init(Catalog::shipped)
    }

    const ANSWER: &str = "[[answer]]\nid = \"a\"\nquestions = [\"Wann hat der Wertstoffhof offen?\"]\nanswer = \"Montag bis Samstag.\"\n";

    #[test]
    fn a_good_pack_passes() {
        assert_eq!(
            Dir::new("good").write("lokal/a.toml", ANSWER).check(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn the_shipped_content_passes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let paths: Vec<PathBuf> = ["packs", "intents", "smalltalk", "sophia.toml"]
            .iter()
            .map(|p| root.join(p))
            .collect();
        let errors: Vec<Finding> = check(&paths, catalog())
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn a_duplicate_id_is_an_error() {
        let found = Dir::new("dup")
            .write("lokal/a.toml", ANSWER)
            .write("lokal/b.toml", ANSWER.replace("Wann hat", "Wann öffnet"))
            .check();
        assert_eq!(
            found,
            ["error: lokal/b.toml:1:1: duplicate id \"a\": already used at lokal/a.toml:1:1"]
        );
    }

    #[test]
    fn a_question_of_another_answer_is_an_error() {
        let found = Dir::new("owner")
            .write("lokal/a.toml", ANSWER)
            .write("lokal/b.toml", ANSWER.replace("id = \"a\"", "id = \"b\""))
            .check();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("error: lokal/b.toml:3:14: question"),
            "{found:?}"
        );
    }

    #[test]
    fn an_empty_answer_an_invalid_date_and_a_broken_link_are_errors() {
        let found = Dir::new("fields")
            .write(
                "lokal/a.toml",
                "[[answer]]\nid = \"a\"\nquestions = [\"q\"]\nanswer = \"\"\nvalid_until = \"2026-13-01\"\n\
                 [[answer]]\nid = \"b\"\nquestions = [\"r\"]\nanswer = \"[AWM](https://awm.de\"\n",
            )
            .check();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("error: lokal/a.toml:4:10: `answer` is empty"));
        assert!(found[1].starts_with("error: lokal/a.toml:5:15: `valid_until` is not a date"));
        assert!(found[2].starts_with("error: lokal/a.toml:9:11: Markdown link without closing"));
    }

    #[test]
    fn an_unknown_key_is_an_error() {
        let found = Dir::new("key")
            .write("lokal/a.toml", format!("{ANSWER}titel = \"x\"\n"))
            .check();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("error: lokal/a.toml:5:1:"),
            "{found:?}"
        );
        assert!(found[0].contains("titel"), "{found:?}");
    }

    #[test]
    fn a_file_that_is_not_utf8_is_an_error() {
        let found = Dir::new("utf8")
            .write("lokal/a.toml", b"[[answer]]\nid = \"M\xfcll\"\n")
            .check();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("error: lokal/a.toml:2:8: file is not UTF-8"),
            "{found:?}"
        );
    }

    #[test]
    fn an_unknown_pack_in_a_tenant_is_an_error() {
        // Only the first tenant (muenchen) names the missing pack.
        let config = crate::config::SHIPPED_CONFIG.replacen(
            "packs = [\"muenchen\"]",
            "packs = [\"muenchen\", \"lokal\", \"fehlt\"]",
            1,
        );
        let found = Dir::new("tenant")
            .write("lokal/a.toml", ANSWER)
            .write("sophia.toml", config)
            .check();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("error: sophia.toml: tenant `muenchen` uses pack `fehlt`"),
            "{found:?}"
        );
    }

    #[test]
    fn a_service_the_catalogue_lacks_is_an_error() {
        let found = Dir::new("service")
            .write(
                "lokal/a.toml",
                "\n[[service]]\nid = \"4711\"\nquestions = [\"x\"]\n",
            )
            .check();
        assert_eq!(
            found,
            [
                "error: lokal/a.toml:2:1: service \"4711\" is not in the catalogue (or not shown to citizens)"
            ]
        );
    }

    #[test]
    fn a_broken_synonym_line_is_an_error() {
        let found = Dir::new("syn")
            .write(
                "synonyme.txt",
                "perso = personalausweis\nohne gleichheitszeichen\n",
            )
            .check();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("error: synonyme.txt:2:1:"),
            "{found:?}"
        );
    }

    #[test]
    fn an_intent_with_too_few_examples_is_an_error() {
        let found = Dir::new("intent")
            .write(
                "greeting.toml",
                "intent = \"greeting\"\nexamples = [\"hallo\"]\n",
            )
            .check();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("greeting.toml: intent `greeting` has 1 examples"),
            "{found:?}"
        );
    }

    #[test]
    fn an_unrecognised_file_is_an_error() {
        let found = Dir::new("other").write("notiz.toml", "x = 1\n").check();
        assert!(
            found[0].contains("notiz.toml: not a Sophia content file"),
            "{found:?}"
        );
    }

    #[test]
    fn a_custom_answer_shadowing_a_service_is_a_warning() {
        let found = Dir::new("shadow")
            .write(
                "lokal/a.toml",
                "[[answer]]\nid = \"ausweis\"\nquestions = [\"Personalausweis beantragen\"]\nanswer = \"Beim Bürgerbüro.\"\n",
            )
            .check();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("warning: lokal/a.toml:3:14: question \"Personalausweis beantragen\" is answered today by the service \"Personalausweis\""),
            "{found:?}"
        );
    }
}
