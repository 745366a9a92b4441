//! The `sophia` command line: ask, eval, serve, report.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

/// `println!` that returns a failed write (a closed pipe: `sophia ask … | head`) as an error
/// of the command instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout(), $($arg)*)?
    };
}

mod build_command;

/// jemalloc instead of the system allocator: under a steady load glibc's per-thread arenas
/// kept growing (RSS +0.3 MB a minute in the soak, scripts/soak.sh); jemalloc returns
/// freed pages to the system after a short decay.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use sophia::config::ReviewTarget;
use sophia::dialog::ContextCodec;
use sophia::eval::{self, AlwaysTop1, Answerer};
use sophia::review::ReviewLog;
use sophia::review::report::{self, Filter};
use sophia::search::IndexOptions;
use sophia::server::{ContentSource, LiveEngine, Reloader};
use sophia::{ChatRequest, Engine, Snapshot};

/// Sophia, the citizen chatbot engine.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file (tenants, context key, thresholds); the shipped sophia.toml when
    /// not given.
    #[arg(long, env = "SOPHIA_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Folder with a DLDB export (services*.json, locations*.json) and/or XZuFi 2.2 files
    /// (*.xml); the shipped Munich catalogue when not given.
    #[arg(long, env = "SOPHIA_CONTENT", global = true)]
    content: Option<PathBuf>,
    /// Folder of content packs (one sub-folder per pack, named in the tenants' `packs`);
    /// the shipped packs when not given.
    #[arg(long, env = "SOPHIA_PACKS", global = true)]
    packs: Option<PathBuf>,
    /// Folder written by `sophia build`: its catalogue and index are used as they are,
    /// nothing is imported or indexed at start. Not together with --content.
    #[arg(long, env = "SOPHIA_BUILT", global = true, conflicts_with = "content")]
    built: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Answer one question.
    Ask {
        /// The question.
        question: String,
        /// Print the reply as JSON (as the HTTP API returns it).
        #[arg(long)]
        json: bool,
        /// Show each analysis step, the query, every candidate's score and matched terms
        /// (as JSON).
        #[arg(long, conflicts_with = "json")]
        explain: bool,
        /// The tenant to answer for.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Evaluate answer quality on labelled question sets (`[[case]]`) or conversation sets
    /// (`[[utterance]]`, `[[dialog]]`).
    Eval {
        /// Question files (TOML, `[[case]]` with q, expect, tags).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Measure the plain-BM25 baseline instead of Sophia: tantivy's default tokenizer,
        /// equal field weights, always the top-ranked service.
        #[arg(long)]
        baseline: bool,
        /// List every question not answered right.
        #[arg(long)]
        misses: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Print, per question, the ranking features the answer policy decides on (JSON
        /// lines), for tuning thresholds.
        #[arg(long, conflicts_with = "baseline")]
        features: bool,
    },
    /// Turn a spreadsheet (CSV as Excel saves it) of custom answers into a pack file.
    #[command(name = "import-csv")]
    ImportCsv {
        /// The CSV file: columns id, Frage (one or more), Antwort, and optionally link,
        /// tags, gültig ab, gültig bis.
        file: PathBuf,
        /// The pack file to write (`packs/NAME/answers.toml`); replaced when it exists.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check packs, synonyms, intents, small talk and configuration files before they go
    /// live: every mistake with file:line:column; exit code 1 on errors.
    Check {
        /// Files or folders (searched recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Import the catalogue (--content, or the shipped one) and write its index to a
    /// folder, once, for `serve`, `ask` and `eval` with --built: a large catalogue starts in
    /// a moment instead of being indexed at every start. The index options come from
    /// --config.
    Build {
        /// The folder to write; a previous build there is replaced, any other existing
        /// folder is refused. Written beside it and renamed at the end, so a failed build
        /// leaves nothing.
        #[arg(long)]
        out: PathBuf,
        /// Build the synthetic Germany-scale catalogue instead of --content: the shipped
        /// Munich services copied once per made-up authority (417 authorities ≈ 100,000
        /// services), for measuring memory, start-up and build time at scale.
        #[arg(long, value_name = "AUTHORITIES",
              value_parser = clap::value_parser!(u16).range(1..=sophia::content::synthetic::MAX_AUTHORITIES as i64))]
        synthetic: Option<u16>,
        /// The seed of the synthetic catalogue: the same seed, the same catalogue.
        #[arg(long, default_value_t = 1, requires = "synthetic")]
        seed: u64,
    },
    /// Run the HTTP server (API and demo page), with the admin endpoints on a separate
    /// listener. SIGHUP or `POST /admin/reload` reloads the content; with --built it
    /// reloads packs and configuration only and keeps the built catalogue (run `sophia
    /// build` and restart for a new catalogue).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "SOPHIA_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Address of the admin listener (`POST /admin/reload`, `GET /health`); keep it
        /// on loopback or an internal network.
        #[arg(long, env = "SOPHIA_ADMIN_ADDR", default_value = "127.0.0.1:9090")]
        admin_addr: String,
    },
    /// Reports for editors from the review log (`[review] log` in sophia.toml).
    Report {
        #[command(subcommand)]
        report: ReportCommand,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Unanswered questions (fallbacks and answers marked not helpful), grouped by what they
    /// ask, most frequent first, with the nearest existing answer.
    Unanswered {
        /// Only this tenant's questions.
        #[arg(long)]
        tenant: Option<String>,
        /// Only questions from this day (UTC) on: YYYY-MM-DD.
        #[arg(long, value_parser = report::parse_since)]
        since: Option<time::Date>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Review logs (JSON lines).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // The reader went away (`sophia eval … | head`): nothing more to say.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// True when `error` is a write to standard output whose reader has gone.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli) -> Result<ExitCode> {
    let serving = matches!(cli.command, Command::Serve { .. });
    sophia::server::init_logging(serving);
    // Reports read only the review logs: no content to load.
    if let Command::Report { report } = &cli.command {
        return run_report(report);
    }
    let source = ContentSource {
        config: cli.config.clone(),
        content: cli.content.clone(),
        packs: cli.packs.clone(),
        built: cli.built.clone(),
    };
    let config = source.config().map_err(anyhow::Error::msg)?;
    if let Command::Build {
        out,
        synthetic,
        seed,
    } = &cli.command
    {
        anyhow::ensure!(
            source.built.is_none(),
            "build writes a folder from --content; --built names one to read"
        );
        // (clap cannot make a subcommand's option conflict with a global one.)
        anyhow::ensure!(
            synthetic.is_none() || source.content.is_none(),
            "--synthetic cannot be used with --content: the synthetic catalogue is made from the shipped one"
        );
        let catalog = match synthetic {
            Some(authorities) => {
                let started = std::time::Instant::now();
                let (catalog, _) =
                    sophia::content::synthetic::catalogue(usize::from(*authorities), *seed);
                outln!(
                    "synthetic catalogue of {authorities} authorities: {} services, {} offices, generated in {:.1} s",
                    catalog.services().len(),
                    catalog.offices().len(),
                    started.elapsed().as_secs_f64()
                );
                catalog
            }
            None => source.catalog().map_err(anyhow::Error::msg)?,
        };
        build_command::run(&catalog, &config, out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let library = source.packs().map_err(anyhow::Error::msg)?;
    let catalog = match &source.built {
        Some(_) => None,
        None => Some(source.catalog().map_err(anyhow::Error::msg)?),
    };
    if let Some(catalog) = &catalog
        && !catalog.services().iter().any(|s| s.citizen_facing)
    {
        tracing::warn!(
            "the catalogue holds no service a citizen can be offered: every question will fall back"
        );
    }
    // The snapshot from --built, or indexed from the catalogue with `options`.
    let snapshot = |library: &sophia::content::PackLibrary,
                    config: sophia::config::Config,
                    catalog: Option<sophia::content::Catalog>,
                    options: Option<IndexOptions>|
     -> Result<Snapshot> {
        Ok(match (&source.built, catalog, options) {
            (Some(dir), _, None) => Snapshot::from_built(dir, library, config)?,
            (Some(_), _, Some(_)) => {
                anyhow::bail!("--baseline indexes the catalogue anew: give --content, not --built")
            }
            (None, Some(catalog), Some(options)) => {
                Snapshot::build_with(catalog, library, config, options)?
            }
            (None, Some(catalog), None) => Snapshot::build(catalog, library, config)?,
            (None, None, _) => unreachable!("the catalogue is read unless --built is given"),
        })
    };

    match cli.command {
        Command::Ask {
            question,
            json,
            explain,
            tenant,
        } => {
            if let Some(id) = &tenant
                && config.tenant(id).is_none()
            {
                anyhow::bail!("--tenant: no tenant `{id}` is configured");
            }
            let engine = Engine::new(
                Arc::new(snapshot(&library, config, catalog, None)?),
                ContextCodec::random(),
            );
            if explain {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&engine.explain(&question))?
                );
                return Ok(ExitCode::SUCCESS);
            }
            let request = ChatRequest {
                message: question,
                tenant,
                ..Default::default()
            };
            let reply = engine.respond(&request);
            if json {
                outln!("{}", serde_json::to_string_pretty(&reply)?);
            } else {
                outln!("{}", reply.text);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            files,
            baseline,
            misses,
            json,
            features,
        } => {
            let options = baseline.then(IndexOptions::plain_bm25);
            let snapshot = snapshot(&library, config, catalog, options)?;
            let engine = Engine::new(Arc::new(snapshot), ContextCodec::random());
            let baseline_answerer = AlwaysTop1(&engine);
            let answerer: &dyn Answerer = if baseline {
                &baseline_answerer
            } else {
                &engine
            };
            for file in files {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("{}: cannot read", file.display()))?;
                let name = file.display().to_string();
                if eval::conversation::is_conversation_set(&text) {
                    let set =
                        eval::conversation::parse(&name, &text).map_err(anyhow::Error::msg)?;
                    let report = eval::conversation::run(&engine, &set);
                    if json {
                        outln!("{}", serde_json::to_string_pretty(&report)?);
                    } else {
                        outln!("== {name}");
                        outln!("{}", report.render(misses));
                    }
                    continue;
                }
                let cases = eval::parse_cases(&name, &text).map_err(anyhow::Error::msg)?;
                if features {
                    for case in &cases {
                        let explanation = engine.explain(&case.q);
                        let line = serde_json::json!({"case": case, "explanation": explanation});
                        outln!("{line}");
                    }
                    continue;
                }
                let results = eval::run(answerer, &cases);
                let report = eval::Report::new(&results);
                if json {
                    outln!("{}", serde_json::to_string_pretty(&report)?);
                } else {
                    let catalog = &engine.snapshot().catalog;
                    let title = |id: &str| match (catalog.service(id), id.strip_prefix("office:")) {
                        (Some(s), _) => format!("{} ({id})", s.name),
                        (None, Some(office)) => match catalog.office(office) {
                            Some(o) => format!("{} ({id})", o.name),
                            None => format!("unknown office {office}"),
                        },
                        (None, None) => format!("unknown id {id}"),
                    };
                    outln!("== {}", file.display());
                    outln!("{}", report.render(misses, &title));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::ImportCsv { file, out } => {
            let name = file.display().to_string();
            let bytes = std::fs::read(&file).with_context(|| format!("{name}: cannot read"))?;
            let toml = match sophia::content::csv_import::to_pack(&name, &bytes) {
                Ok(toml) => toml,
                Err(errors) => {
                    for error in &errors {
                        outln!("error: {error}");
                    }
                    outln!("{} errors; nothing written", errors.len());
                    return Ok(ExitCode::FAILURE);
                }
            };
            let answers = toml.lines().filter(|l| *l == "[[answer]]").count();
            // Written beside the target and renamed: a reader never sees half a file.
            let partial = out.with_extension("toml.partial");
            std::fs::write(&partial, toml)
                .with_context(|| format!("{}: cannot write", partial.display()))?;
            std::fs::rename(&partial, &out)
                .with_context(|| format!("{}: cannot write", out.display()))?;
            outln!("{answers} answers written to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { paths } => {
            let catalog = match catalog {
                Some(catalog) => catalog,
                None => source.catalog().map_err(anyhow::Error::msg)?,
            };
            let findings = sophia::check::check(&paths, &catalog);
            for finding in &findings {
                outln!("{finding}");
            }
            let errors = findings
                .iter()
                .filter(|f| f.severity == sophia::check::Severity::Error)
                .count();
            let warnings = findings.len() - errors;
            outln!("{errors} errors, {warnings} warnings");
            Ok(if errors == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Serve { addr, admin_addr } => {
            let key = std::env::var("SOPHIA_CONTEXT_KEY")
                .ok()
                .or_else(|| config.context.key.clone());
            let codec = match key {
                Some(key) if !key.is_empty() => ContextCodec::new(key.as_bytes()),
                _ => {
                    tracing::warn!(
                        "no context key configured (SOPHIA_CONTEXT_KEY or [context] key): using a random one; replicas will not share conversations"
                    );
                    ContextCodec::random()
                }
            };
            let review = ReviewLog::from_config(&config.review)?.map(Arc::new);
            match config.review.target() {
                ReviewTarget::Off => tracing::info!("review of unanswered questions: off"),
                ReviewTarget::Stdout => {
                    tracing::info!("review of unanswered questions: to stdout (redacted)")
                }
                ReviewTarget::File(path) => tracing::info!(
                    "review of unanswered questions: to {} (redacted, kept {} days)",
                    path.display(),
                    config.review.retention_days()
                ),
            }
            let snapshot = snapshot(&library, config, catalog, None)?;
            let engine = Engine::new(Arc::new(snapshot), codec.clone());
            let reloader = Arc::new(Reloader::new(source, LiveEngine::new(engine), codec));
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(sophia::server::serve(reloader, &addr, &admin_addr, review))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { .. } | Command::Build { .. } => {
            unreachable!("reports and builds are made before content is loaded")
        }
    }
}

fn run_report(command: &ReportCommand) -> Result<ExitCode> {
    match command {
        ReportCommand::Unanswered {
            tenant,
            since,
            json,
            files,
        } => {
            let filter = Filter {
                tenant: tenant.clone(),
                since: *since,
            };
            let report = report::unanswered(files, &filter)?;
            for bad in &report.bad_lines {
                eprintln!("warning: skipped {bad}");
            }
            if *json {
                outln!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                write!(std::io::stdout(), "{}", report.render())?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
