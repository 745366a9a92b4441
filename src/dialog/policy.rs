//! The answer policy: answer directly, ask "Meinten Sie ...?", or admit not knowing.
//!
//! Decided on the final ranking, not on an intermediate score: how much of the question the
//! best service covers, and how far it is ahead of the runner-up.

use serde::Serialize;

use crate::config::Thresholds;
use crate::search::Hit;

/// What to do with a ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "decision", rename_all = "lowercase")]
pub enum Decision {
    /// Answer with `hits[0]`.
    Direct {
        /// Confidence in the answer.
        confidence: f32,
    },
    /// Offer these hits (indices into the ranking) as choices.
    Clarify {
        /// Indices into the ranking, best first.
        choices: Vec<usize>,
        /// Confidence in the best choice.
        confidence: f32,
    },
    /// Nothing matches well enough.
    Fallback {
        /// Confidence in the best hit, if any.
        confidence: f32,
    },
}

impl Decision {
    /// The confidence of the decision's answer.
    pub fn confidence(&self) -> f32 {
        match self {
            Decision::Direct { confidence }
            | Decision::Clarify { confidence, .. }
            | Decision::Fallback { confidence } => *confidence,
        }
    }
}

/// The relative lead of the best score over the runner-up: 1.0 without a runner-up.
///
/// ```
/// assert_eq!(sophia::dialog::policy::margin(10.0, Some(7.5)), 0.25);
/// assert_eq!(sophia::dialog::policy::margin(10.0, None), 1.0);
/// ```
pub fn margin(best: f32, runner_up: Option<f32>) -> f32 {
    match runner_up {
        Some(second) if best > 0.0 => ((best - second) / best).clamp(0.0, 1.0),
        _ => 1.0,
    }
}

/// Confidence of the best hit: how much of the question it covers, in all fields and in
/// its name and keywords alone, lowered when the runner-up is close. Between 0 and 1; not
/// a calibrated probability.
pub fn confidence(hits: &[Hit]) -> f32 {
    let Some(best) = hits.first() else {
        return 0.0;
    };
    let lead = margin(best.score, hits.get(1).map(|h| h.score));
    let separation = (lead / 0.3).min(1.0);
    let evidence = 0.5 * best.coverage + 0.5 * best.title_coverage;
    (evidence * (0.5 + 0.5 * separation)).clamp(0.0, 1.0)
}

/// The share of the question a service must cover beyond its name and keywords for the
/// `dominant_lead` floor: words of the story are found in its description. A service lifted
/// by an editors' question has both coverages set to the question's recall
/// ([`crate::search::fuse`]), so this floor does not apply to it.
const STORY_SHARE: f32 = 0.02;

/// Decides what to do with a ranking.
pub fn decide(hits: &[Hit], thresholds: &Thresholds) -> Decision {
    let confidence = confidence(hits);
    let Some(best) = hits.first() else {
        return Decision::Fallback { confidence };
    };
    let lead = margin(best.score, hits.get(1).map(|h| h.score));
    let mut min_coverage = thresholds.min_coverage;
    if lead >= thresholds.clear_lead {
        min_coverage = min_coverage.min(thresholds.min_coverage_clear_lead);
    }
    // Far ahead, when its description also holds words of the story around its name
    // (one name word alone, "Oktoberfest" for a table in a beer tent, is not enough).
    if lead >= thresholds.dominant_lead && best.coverage >= best.title_coverage + STORY_SHARE {
        min_coverage = min_coverage.min(thresholds.min_coverage_dominant_lead);
    }
    if best.coverage <= min_coverage || best.title_coverage < thresholds.min_title_coverage {
        return Decision::Fallback { confidence };
    }
    // Unsure: every covered runner-up is a choice, however far behind.
    let unsure = confidence < thresholds.min_confidence;
    let close: Vec<usize> = hits
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, h)| {
            h.coverage > thresholds.min_coverage
                && (unsure || margin(best.score, Some(h.score)) < thresholds.clarify_margin)
        })
        .map(|(i, _)| i)
        .take(thresholds.max_choices - 1)
        .collect();
    if close.is_empty() && !unsure {
        return Decision::Direct { confidence };
    }
    let mut choices = vec![0];
    choices.extend(close);
    Decision::Clarify {
        choices,
        confidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(score: f32, coverage: f32, title_coverage: f32) -> Hit {
        Hit {
            ordinal: 0,
            score,
            matched: Vec::new(),
            coverage,
            title_coverage,
        }
    }

    fn thresholds() -> Thresholds {
        Thresholds::default()
    }

    #[test]
    fn nothing_found_falls_back() {
        assert!(matches!(
            decide(&[], &thresholds()),
            Decision::Fallback { .. }
        ));
    }

    #[test]
    fn below_min_confidence_the_candidates_are_offered_as_choices() {
        // Covered, but weakly and with a runner-up far behind: direct by default.
        let hits = [hit(10.0, 0.5, 0.2), hit(5.0, 0.45, 0.2), hit(4.0, 0.1, 0.1)];
        let unsure = Thresholds {
            min_confidence: 0.5,
            ..thresholds()
        };
        assert!(confidence(&hits) < 0.5);
        assert!(matches!(
            decide(&hits, &thresholds()),
            Decision::Direct { .. }
        ));
        // Unsure: every covered candidate is a choice, the uncovered one is not.
        match decide(&hits, &unsure) {
            Decision::Clarify { choices, .. } => assert_eq!(choices, [0, 1]),
            other => panic!("expected a clarify, got {other:?}"),
        }
        // Alone, it is offered as the one choice ("Meinten Sie ...?").
        match decide(&hits[..1], &unsure) {
            Decision::Clarify { choices, .. } => assert_eq!(choices, [0]),
            other => panic!("expected a clarify, got {other:?}"),
        }
    }

    #[test]
    fn a_clear_lead_needs_less_coverage() {
        let t = thresholds();
        assert!(t.min_coverage_clear_lead < t.min_coverage);
        let coverage = (t.min_coverage + t.min_coverage_clear_lead) / 2.0;
        // Far ahead of the runner-up: answered despite the lower coverage.
        let ahead = [
            hit(10.0, coverage, 0.3),
            hit(10.0 * (1.0 - t.clear_lead), 0.2, 0.1),
        ];
        assert!(matches!(decide(&ahead, &t), Decision::Direct { .. }));
        // Alone: the lead is full.
        assert!(matches!(decide(&ahead[..1], &t), Decision::Direct { .. }));
        // A close runner-up: the usual floor.
        let close = [hit(10.0, coverage, 0.3), hit(9.0, 0.2, 0.1)];
        assert!(matches!(decide(&close, &t), Decision::Fallback { .. }));
        // Below the lower floor even a clear lead falls back.
        let thin = [
            hit(10.0, t.min_coverage_clear_lead - 0.01, 0.3),
            hit(10.0 * (1.0 - t.clear_lead) - 0.1, 0.2, 0.1),
        ];
        assert!(matches!(decide(&thin, &t), Decision::Fallback { .. }));
        // Below the lowest floor even a dominant lead does.
        let thinnest = [hit(10.0, t.min_coverage_dominant_lead - 0.01, 0.1)];
        assert!(matches!(decide(&thinnest, &t), Decision::Fallback { .. }));
    }

    #[test]
    fn a_dominant_lead_with_the_story_in_the_description_needs_still_less() {
        let t = thresholds();
        assert!(t.min_coverage_dominant_lead < t.min_coverage_clear_lead);
        let coverage = (t.min_coverage_dominant_lead + t.min_coverage_clear_lead) / 2.0;
        // Runners-up a little behind the lead thresholds, not on them.
        let runner_up = hit(10.0 * (1.0 - t.dominant_lead) - 0.1, 0.2, 0.1);
        // The name covers part, the description more words of the story: answered.
        let story = [hit(10.0, coverage, coverage / 2.0), runner_up.clone()];
        assert!(matches!(decide(&story, &t), Decision::Direct { .. }));
        // One name word alone ("Oktoberfest" for a table in a beer tent): not enough.
        let name_only = [hit(10.0, coverage, coverage), runner_up.clone()];
        assert!(matches!(decide(&name_only, &t), Decision::Fallback { .. }));
        // Only a clear lead, not a dominant one: the clear-lead floor.
        let clear = [
            hit(10.0, coverage, coverage / 2.0),
            hit(10.0 * (1.0 - t.clear_lead) - 0.1, 0.2, 0.1),
        ];
        assert!(matches!(decide(&clear, &t), Decision::Fallback { .. }));
    }

    #[test]
    fn a_question_mostly_not_covered_falls_back() {
        let hits = [hit(10.0, 0.1, 0.1)];
        assert!(matches!(
            decide(&hits, &thresholds()),
            Decision::Fallback { .. }
        ));
    }

    #[test]
    fn a_match_in_descriptions_only_falls_back() {
        let hits = [hit(10.0, 0.9, 0.0)];
        assert!(matches!(
            decide(&hits, &thresholds()),
            Decision::Fallback { .. }
        ));
    }

    #[test]
    fn a_clear_leader_is_answered_directly() {
        let hits = [hit(20.0, 0.9, 0.8), hit(10.0, 0.5, 0.5)];
        assert!(matches!(
            decide(&hits, &thresholds()),
            Decision::Direct { .. }
        ));
    }

    #[test]
    fn a_tie_is_a_clarify_with_the_tied_choices() {
        let hits = [hit(20.0, 0.9, 0.8), hit(19.9, 0.9, 0.8), hit(5.0, 0.5, 0.5)];
        match decide(&hits, &thresholds()) {
            Decision::Clarify { choices, .. } => assert_eq!(choices, vec![0, 1]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn confidence_rises_with_coverage_and_lead() {
        let strong = confidence(&[hit(20.0, 1.0, 1.0), hit(5.0, 0.2, 0.2)]);
        let close = confidence(&[hit(20.0, 1.0, 1.0), hit(19.0, 1.0, 1.0)]);
        let weak = confidence(&[hit(20.0, 0.3, 0.1), hit(5.0, 0.2, 0.2)]);
        assert!(strong > close && strong > weak, "{strong} {close} {weak}");
        assert!((0.0..=1.0).contains(&strong));
    }
}
