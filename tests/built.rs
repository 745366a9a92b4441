//! A built index (`sophia build`, `--built`): the same answers as the index built in RAM,
//! clear errors for stale or damaged folders, and a build that never leaves half a folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, OnceLock};

use sophia::config::Config;
use sophia::content::{Catalog, PackLibrary};
use sophia::dialog::ContextCodec;
use sophia::server::ContentSource;
use sophia::{ChatRequest, Engine, ReplyKind, Snapshot};

/// Questions of many kinds: services, aspects, typos, offices, small talk, fallbacks.
const QUESTIONS: [&str; 10] = [
    "Was kostet ein Reisepass?",
    "mein perso ist abgelaufen was muss ich jetzt machen",
    "reisepass beantrgaen termin",
    "wie lange dauert ein neuer pass",
    "kinderausweis fur meine tochter 5 jahre",
    "Wo ist das Bürgerbüro Pasing?",
    "Hund anmelden",
    "Hallo, wer bist du?",
    "Wie wird das Wetter morgen?",
    "Führerschein umschreiben ausländisch",
];

fn sophia(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sophia"))
        .args(args)
        .env_remove("SOPHIA_CONTENT")
        .env_remove("SOPHIA_BUILT")
        .env_remove("SOPHIA_CONFIG")
        .env_remove("SOPHIA_PACKS")
        .output()
        .unwrap()
}

/// A fresh build of the shipped content through the CLI, in its own temp folder.
fn build_shipped() -> (tempfile::TempDir, PathBuf, Output) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("built");
    let output = sophia(&["build", "--out", out.to_str().unwrap()]);
    (dir, out, output)
}

/// One build shared by the tests that only read it.
fn shared() -> &'static Path {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, out) = BUILT.get_or_init(|| {
        let (dir, out, output) = build_shipped();
        assert!(output.status.success(), "{output:?}");
        (dir, out)
    });
    out
}

fn engines() -> (Engine, Engine) {
    let codec = ContextCodec::new(b"built-test");
    let fresh = Snapshot::build(
        Catalog::shipped(),
        &PackLibrary::shipped(),
        Config::shipped(),
    )
    .unwrap();
    let built = Snapshot::from_built(shared(), &PackLibrary::shipped(), Config::shipped()).unwrap();
    (
        Engine::new(Arc::new(fresh), codec.clone()),
        Engine::new(Arc::new(built), codec),
    )
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_build_prints_a_summary_and_no_progress_off_a_terminal() {
    let (_dir, out, output) = build_shipped();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("built ")
            && stdout.contains(&format!(
                " services, {} offices, index ",
                Catalog::shipped().offices().len()
            ))
            && stdout.trim_end().ends_with(&format!("→ {}", out.display())),
        "{stdout}"
    );
    assert!(!stderr(&output).contains("indexing"), "{}", stderr(&output));
    for file in [
        "manifest.toml",
        "catalog.bin",
        "texts.bin",
        "lexicon.bin",
        "dictionary.fst",
    ] {
        assert!(out.join(file).is_file(), "{file}");
    }
}

#[test]
fn answers_from_a_built_folder_are_those_of_the_ram_index() {
    let (fresh, built) = engines();
    for question in QUESTIONS {
        let request = ChatRequest::new(question);
        let (a, b) = (fresh.respond(&request), built.respond(&request));
        let ids = |r: &sophia::Reply| r.sources.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        assert_eq!(a.kind, b.kind, "{question}");
        assert_eq!(ids(&a), ids(&b), "{question}");
        assert_eq!(a.text, b.text, "{question}");
    }
}

#[test]
fn the_content_version_is_the_same_either_way_so_contexts_stay_valid() {
    let (fresh, built) = engines();
    assert_eq!(fresh.snapshot().version(), built.snapshot().version());
    // A conversation begun on a replica that indexed in RAM goes on on one started built.
    let first = fresh.respond(&ChatRequest::new("Reisepass beantragen"));
    assert_eq!(first.sources[0].title, "Reisepass");
    let follow_up = ChatRequest {
        context: Some(first.context.clone()),
        ..ChatRequest::new("und was kostet das?")
    };
    let reply = built.respond(&follow_up);
    assert_eq!(reply.kind, ReplyKind::Aspect, "{}", reply.text);
    assert_eq!(reply.sources[0].title, "Reisepass");
}

#[test]
fn ask_answers_from_the_built_folder() {
    let output = sophia(&[
        "--built",
        shared().to_str().unwrap(),
        "ask",
        "Was kostet ein Reisepass?",
    ]);
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("Reisepass"));
}

#[test]
fn a_wrong_analyzer_version_is_refused_naming_the_folder() {
    let (_dir, out, output) = build_shipped();
    assert!(output.status.success());
    let manifest = out.join("manifest.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let current = format!("analyzer = {}", sophia::text::ANALYZER_VERSION);
    std::fs::write(&manifest, text.replace(&current, "analyzer = 1")).unwrap();
    let output = sophia(&["--built", out.to_str().unwrap(), "ask", "Reisepass"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains(&out.display().to_string())
            && err.contains("analyzer version 1")
            && err.contains("run `sophia build` again"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// Builds the shipped content, cuts the file `name` of the folder in half and asks from it:
/// the command must fail naming that file as damaged. Returns the folder (kept alive by the
/// temporary directory).
fn ask_with_half_of(name: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, out, output) = build_shipped();
    assert!(output.status.success());
    let file = out.join(name);
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let output = sophia(&["--built", out.to_str().unwrap(), "ask", "Reisepass"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains(&file.display().to_string()) && err.contains("damaged"),
        "{err}"
    );
    (dir, out)
}

#[test]
fn a_truncated_catalogue_is_named() {
    let (_dir, out) = ask_with_half_of("catalog.bin");
    let err = Snapshot::from_built(&out, &PackLibrary::shipped(), Config::shipped())
        .unwrap_err()
        .to_string();
    assert!(err.contains("catalog.bin"), "{err}");
}

#[test]
fn a_truncated_texts_file_is_named() {
    ask_with_half_of("texts.bin");
}

#[test]
fn built_and_content_together_are_refused() {
    let output = sophia(&[
        "--built",
        shared().to_str().unwrap(),
        "--content",
        "index/muenchen",
        "ask",
        "Reisepass",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("--built") && err.contains("cannot be used with") && err.contains("--content"),
        "{err}"
    );
}

#[test]
fn a_failed_build_leaves_no_out_folder() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    std::fs::write(content.join("services.json"), "{\"data\": [\n  {,}\n]}").unwrap();
    let out = dir.path().join("built");
    let output = sophia(&[
        "--content",
        content.to_str().unwrap(),
        "build",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("services.json:2:"), "{output:?}");
    assert!(!out.exists());
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}"); // only the content folder
}

#[test]
fn a_reload_over_a_built_folder_keeps_the_catalogue_and_its_options() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string("sophia.toml").unwrap();
    let config = dir.path().join("sophia.toml");
    std::fs::write(&config, &shipped).unwrap();
    let source = ContentSource {
        config: Some(config.clone()),
        built: Some(shared().to_path_buf()),
        ..Default::default()
    };
    let snapshot = source.build().unwrap();
    let (reloaded, rebuilt) = source.rebuild(&snapshot, None).unwrap();
    assert!(!rebuilt);
    assert_eq!(reloaded.version(), snapshot.version());
    assert!(Arc::ptr_eq(&reloaded.catalog, &snapshot.catalog));
    // Other boosts need another build: the running content stays.
    let boosted = shipped.replacen("name = 3.0", "name = 3.5", 1);
    assert_ne!(boosted, shipped);
    std::fs::write(&config, boosted).unwrap();
    let err = source.rebuild(&snapshot, None).unwrap_err();
    assert!(
        err.contains("sophia build") && err.contains(&shared().display().to_string()),
        "{err}"
    );
}

#[test]
fn build_synthetic_writes_the_scale_catalogue_and_refuses_content_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("synthetic");
    let output = sophia(&["build", "--synthetic", "2", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("synthetic catalogue of 2 authorities"),
        "{stdout}"
    );
    let manifest = sophia::search::persist::Manifest::read(&out).unwrap();
    let (catalog, _) = sophia::content::synthetic::catalogue(2, 1);
    assert_eq!(manifest.content, catalog.version());
    assert_eq!(manifest.counts.services, catalog.services().len() as u64);
    let output = sophia(&[
        "--content",
        "index/muenchen",
        "build",
        "--synthetic",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let err = stderr(&output);
    assert!(
        err.contains("--synthetic cannot be used with --content"),
        "{err}"
    );
}

#[test]
fn texts_damaged_after_opening_answer_without_them_never_panic() {
    let (_dir, out, output) = build_shipped();
    assert!(output.status.success());
    // Every service's texts overwritten, the frame and the offsets intact: the folder
    // opens, and each answer finds its service's texts unreadable.
    let manifest = sophia::search::persist::Manifest::read(&out).unwrap();
    let path = out.join("texts.bin");
    let mut bytes = std::fs::read(&path).unwrap();
    let table = bytes.len() - 16 - 8 * (manifest.counts.services as usize + 1);
    bytes[8..table].fill(0xff);
    std::fs::write(&path, &bytes).unwrap();
    let snapshot = Snapshot::from_built(&out, &PackLibrary::shipped(), Config::shipped()).unwrap();
    let engine = Engine::new(Arc::new(snapshot), ContextCodec::new(b"damaged"));
    let reply = engine.respond(&ChatRequest::new("Was kostet ein Reisepass?"));
    assert_eq!(reply.sources[0].title, "Reisepass", "{}", reply.text);
    assert!(
        reply
            .text
            .contains("Die Beschreibung dieser Leistung kann ich gerade nicht anzeigen"),
        "{}",
        reply.text
    );
    for question in QUESTIONS {
        engine.respond(&ChatRequest::new(question));
    }
}
