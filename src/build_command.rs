//! `sophia build`: the catalogue's index written to a folder, with progress on a terminal.

use std::io::{IsTerminal, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use sophia::config::Config;
use sophia::content::Catalog;
use sophia::search::{BuildStep, IndexOptions, persist};

/// Builds `catalog` into `out` with the index options of `config`, showing progress when
/// stderr is a terminal, and prints a one-line summary.
pub fn run(catalog: &Catalog, config: &Config, out: &Path) -> Result<()> {
    let started = Instant::now();
    let options = IndexOptions {
        boosts: config.boosts,
        ..IndexOptions::default()
    };
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg:10} [{bar:40}] {pos}/{len} services ({eta})")
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut progress = |step: BuildStep, done: u64, total: u64| {
        let message = match step {
            BuildStep::Analysing => "analysing",
            BuildStep::Indexing => "indexing",
        };
        if bar.message() != message {
            bar.set_message(message);
            bar.reset();
        }
        bar.set_length(total);
        bar.set_position(done);
    };
    let built = persist::build(catalog, options, out, &mut progress);
    bar.finish_and_clear();
    let manifest = built?;
    outln!(
        "built {} services, {} offices, index {:.1} MB in {:.1} s → {}",
        manifest.counts.indexed,
        manifest.counts.offices,
        manifest.counts.index_bytes as f64 / 1_000_000.0,
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}
