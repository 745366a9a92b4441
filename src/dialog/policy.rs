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

/// Confidence of the best hit: its coverage of the question, lowered when the runner-up is
/// close. Between 0 and 1.
pub fn confidence(hits: &[Hit]) -> f32 {
    let Some(best) = hits.first() else {
        return 0.0;
    };
    let lead = margin(best.score, hits.get(1).map(|h| h.score));
    let separation = (lead / 0.3).min(1.0);
    (best.coverage * (0.5 + 0.5 * separation)).clamp(0.0, 1.0)
}

/// Decides what to do with a ranking.
pub fn decide(hits: &[Hit], thresholds: &Thresholds) -> Decision {
    let confidence = confidence(hits);
    let Some(best) = hits.first() else {
        return Decision::Fallback { confidence };
    };
    if best.coverage < thresholds.min_coverage
        || best.title_coverage < thresholds.min_title_coverage
    {
        return Decision::Fallback { confidence };
    }
    let close: Vec<usize> = hits
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, h)| {
            h.coverage >= thresholds.min_coverage
                && margin(best.score, Some(h.score)) < thresholds.clarify_margin
        })
        .map(|(i, _)| i)
        .take(thresholds.max_choices - 1)
        .collect();
    if close.is_empty() && confidence >= thresholds.direct_confidence {
        return Decision::Direct { confidence };
    }
    let mut choices = vec![0];
    choices.extend(close);
    if choices.len() == 1 {
        // Unsure, but nothing close: offer the next plausible services as well.
        choices.extend(
            hits.iter()
                .enumerate()
                .skip(1)
                .filter(|(_, h)| h.coverage >= thresholds.min_coverage)
                .map(|(i, _)| i)
                .take(thresholds.max_choices - 1),
        );
    }
    if choices.len() == 1 {
        return Decision::Direct { confidence };
    }
    Decision::Clarify {
        choices,
        confidence,
    }
}
