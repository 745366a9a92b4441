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
    // Floors: a little under the figures measured when they were set (see README). The
    // dev set grew by 113 fresh, harder questions in the eighth session, so its floors
    // were set again under the figures of the grown set; raised in the ninth.
    assert!(dev.cases >= 500 && held_out.cases >= 100);
    for (name, s, top1, right_or_clarified, wrong) in [
        ("dev", dev, 0.78, 0.83, 0.07),
        ("held-out", held_out, 0.85, 0.90, 0.05),
    ] {
        assert!(
            s.top1 >= top1,
            "{name}: top-1 {:.3} fell below {top1}",
            s.top1
        );
        assert!(
            s.right_or_clarified >= right_or_clarified,
            "{name}: right-or-clarified {:.3} fell below {right_or_clarified}",
            s.right_or_clarified
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
    for (file, text) in [
        (
            "conversation_dev.toml",
            include_str!("eval/conversation_dev.toml"),
        ),
        (
            "conversation_heldout.toml",
            include_str!("eval/conversation_heldout.toml"),
        ),
    ] {
        let set = sophia::eval::conversation::parse(file, text).unwrap();
        for dialog in &set.dialog {
            for turn in &dialog.turn {
                for id in &turn.expect {
                    assert!(
                        catalog.service(id).is_some_and(|s| s.citizen_facing),
                        "{file}: {:?} in {:?} expects {id}, which is not a citizen-facing \
                         service",
                        turn.q,
                        dialog.name
                    );
                }
            }
        }
    }
}

/// Dialogs of conversation_heldout.toml from before the ninth session (the first ones).
const EARLIER_HELD_OUT_DIALOGS: usize = 15;

#[test]
fn conversations_stay_above_the_floor() {
    use sophia::eval::conversation;
    let engine = Engine::shipped();
    // The dev set grew by 30 fresh dialogs and 110 single messages in the eighth session;
    // its turn floors were set again under the figures of the grown set. The held-out set
    // grew by 25 fresh dialogs (108 turns) and 40 single messages in the ninth session,
    // written blind to the system: far harder than the 15 dialogs before (about 39 % of
    // the new turns right when added), so its turn floors were set again under the
    // figures of the grown set, not lowered for a change.
    for (file, text, declined, turns, aspects) in [
        (
            "conversation_dev.toml",
            include_str!("eval/conversation_dev.toml"),
            0.93,
            0.72,
            0.71,
        ),
        (
            "conversation_heldout.toml",
            include_str!("eval/conversation_heldout.toml"),
            0.90,
            0.46,
            0.40,
        ),
    ] {
        let set = conversation::parse(file, text).unwrap();
        let s = conversation::run(&engine, &set).scores;
        if file == "conversation_heldout.toml" {
            // The 15 dialogs held out before the ninth session keep their own floor.
            let earlier = conversation::ConversationSet {
                utterance: Vec::new(),
                dialog: set.dialog[..EARLIER_HELD_OUT_DIALOGS].to_vec(),
            };
            let e = conversation::run(&engine, &earlier).scores;
            assert!(
                e.turn_accuracy >= 0.62,
                "{file}: the earlier dialogs' turns {:.3}",
                e.turn_accuracy
            );
        }
        assert!(
            s.small_talk >= 30 && s.out_of_scope >= 25 && s.dialogs >= 15,
            "{file}: too small"
        );
        // Floors: a little under the figures measured when they were set (README).
        assert!(
            s.small_talk_accuracy >= 0.92,
            "{file}: small talk {:.3}",
            s.small_talk_accuracy
        );
        assert!(
            s.declined >= declined,
            "{file}: declined {:.3} fell below {declined}",
            s.declined
        );
        assert!(
            s.turn_accuracy >= turns,
            "{file}: dialog turns {:.3}",
            s.turn_accuracy
        );
        assert!(
            s.aspect_accuracy >= aspects,
            "{file}: aspect answers {:.3}",
            s.aspect_accuracy
        );
    }
}

#[test]
fn location_questions_stay_above_the_floor() {
    let engine = Engine::shipped();
    let catalog = &engine.snapshot().catalog;
    for (file, text) in [
        ("location_dev.toml", include_str!("eval/location_dev.toml")),
        (
            "location_heldout.toml",
            include_str!("eval/location_heldout.toml"),
        ),
    ] {
        let cases = eval::parse_cases(file, text).unwrap();
        // Every label names a service with offices, or an office.
        for case in &cases {
            for id in &case.expect {
                let known = match id.strip_prefix("office:") {
                    Some(office) => catalog.office(office).is_some(),
                    None => catalog.service(id).is_some_and(|s| !s.offices.is_empty()),
                };
                assert!(known, "{file}: {:?} expects {id}", case.q);
            }
        }
        let report = Report::new(&eval::run(&engine, &cases));
        assert!(
            report.location_cases >= 30,
            "{file}: too few location questions"
        );
        // Floor: a little under the figures measured when it was set (README).
        assert!(
            report.office_address >= 0.88,
            "{file}: location questions answered with an office address {:.3} fell below 0.88",
            report.office_address
        );
        let offices = &report.by_tag["office"];
        assert!(
            offices.top1 >= 0.5,
            "{file}: office names answered with the office {:.3} fell below 0.5",
            offices.top1
        );
    }
}
