//! Answer quality must not fall below the recorded floor. Raise the floor when quality
//! improves; never lower it to make a change pass.

use sophia::Engine;
use sophia::eval::{self, Report, Scores};

fn scores(engine: &Engine, file: &str, text: &str) -> Scores {
    let cases = eval::parse_cases(file, text).unwrap();
    Report::new(&eval::run(engine, &cases)).overall
}

#[test]
fn dev_and_held_out_stay_above_the_floor() {
    let engine = Engine::shipped();
    let dev = scores(&engine, "dev.toml", include_str!("eval/dev.toml"));
    let held_out = scores(&engine, "heldout.toml", include_str!("eval/heldout.toml"));
    // Floors: a little under the figures measured when they were set (see README).
    assert!(dev.cases >= 400 && held_out.cases >= 100);
    for (name, s, top1, wrong) in [("dev", dev, 0.55, 0.25), ("held-out", held_out, 0.55, 0.25)] {
        assert!(
            s.top1 >= top1,
            "{name}: top-1 {:.3} fell below {top1}",
            s.top1
        );
        assert!(
            s.wrong <= wrong,
            "{name}: wrong {:.3} rose above {wrong}",
            s.wrong
        );
    }
}

#[test]
fn every_label_names_a_citizen_facing_service() {
    let engine = Engine::shipped();
    let catalog = &engine.snapshot().catalog;
    for (file, text) in [
        ("dev.toml", include_str!("eval/dev.toml")),
        ("heldout.toml", include_str!("eval/heldout.toml")),
    ] {
        for case in eval::parse_cases(file, text).unwrap() {
            for id in &case.expect {
                let service = catalog.service(id);
                assert!(
                    service.is_some_and(|s| s.citizen_facing),
                    "{file}: {:?} expects {id}, which is not a citizen-facing service",
                    case.q
                );
            }
        }
    }
}
