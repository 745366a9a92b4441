//! One ranking from two: the catalogue's BM25 hits and the pack questions' matches.
//!
//! BM25 scores have no fixed scale, so each catalogue score is taken relative to the best
//! one; a service's best pack question adds its similarity times a weight. A service found
//! only through a pack question joins the ranking, and a good question match counts as the
//! question being covered, as a match in the service's name would.

use std::collections::HashMap;

use super::catalog_index::Hit;
use super::pack_index::{PackHit, Target};

/// Merges catalogue `hits` with pack matches into one ranking, best first.
///
/// ```
/// use sophia::search::{fuse, Hit, PackHit, Target};
/// let hit = |ordinal, score| Hit { ordinal, score, matched: vec![], coverage: 0.5, title_coverage: 0.5 };
/// let pack = PackHit { target: Target::Service(7), question: "adresse sperren".into(),
///                      recall: 1.0, precision: 1.0, similarity: 1.0 };
/// let ranking = fuse(vec![hit(3, 10.0), hit(7, 6.0)], &[pack], 1.0);
/// assert_eq!(ranking[0].ordinal, 7);
/// assert_eq!(ranking[0].coverage, 1.0);
/// ```
pub fn fuse(hits: Vec<Hit>, pack: &[PackHit], weight: f32) -> Vec<Hit> {
    let best = hits.first().map_or(0.0, |h| h.score);
    let mut by_service: HashMap<usize, &PackHit> = HashMap::new();
    for hit in pack {
        if let Target::Service(ordinal) = hit.target {
            by_service.entry(ordinal).or_insert(hit);
        }
    }
    let mut fused: Vec<Hit> = hits
        .into_iter()
        .map(|mut hit| {
            let relative = if best > 0.0 { hit.score / best } else { 0.0 };
            hit.score = relative;
            if let Some(question) = by_service.remove(&hit.ordinal) {
                merge(&mut hit, question, weight);
            }
            hit
        })
        .collect();
    for (ordinal, question) in by_service {
        let mut hit = Hit {
            ordinal,
            score: 0.0,
            matched: Vec::new(),
            coverage: 0.0,
            title_coverage: 0.0,
        };
        merge(&mut hit, question, weight);
        fused.push(hit);
    }
    fused.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.ordinal.cmp(&b.ordinal)));
    fused
}

/// Pack question matches below this similarity add nothing: sharing one common word with
/// some question ("beantragen") says nothing about the service. Chosen on the dev set
/// (docs/THRESHOLDS.md).
pub const SIMILARITY_FLOOR: f32 = 0.3;
/// A question match counts as covering the message only when the message also covers at
/// least this share of the question: a long question holding every word of a short
/// message is not the same question.
pub const COVERING_PRECISION: f32 = 0.5;

fn merge(hit: &mut Hit, question: &PackHit, weight: f32) {
    let above_floor =
        ((question.similarity - SIMILARITY_FLOOR) / (1.0 - SIMILARITY_FLOOR)).max(0.0);
    hit.score += weight * above_floor;
    if question.precision >= COVERING_PRECISION {
        hit.coverage = hit.coverage.max(question.recall);
        hit.title_coverage = hit.title_coverage.max(question.recall);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(ordinal: usize, score: f32) -> Hit {
        Hit {
            ordinal,
            score,
            matched: Vec::new(),
            coverage: 0.6,
            title_coverage: 0.3,
        }
    }

    fn question(ordinal: usize, similarity: f32) -> PackHit {
        PackHit {
            target: Target::Service(ordinal),
            question: String::new(),
            recall: similarity,
            precision: similarity,
            similarity,
        }
    }

    #[test]
    fn without_pack_matches_the_order_stays() {
        let fused = fuse(vec![hit(1, 8.0), hit(2, 4.0)], &[], 1.0);
        assert_eq!(fused.iter().map(|h| h.ordinal).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(fused[0].score, 1.0);
        assert_eq!(fused[1].score, 0.5);
    }

    #[test]
    fn a_strong_question_match_lifts_a_service() {
        let fused = fuse(vec![hit(1, 8.0), hit(2, 6.0)], &[question(2, 0.8)], 1.0);
        assert_eq!(fused[0].ordinal, 2);
        assert_eq!(fused[0].coverage, 0.8);
    }

    #[test]
    fn a_service_found_only_by_its_questions_joins() {
        let fused = fuse(vec![hit(1, 8.0)], &[question(9, 0.65)], 1.0);
        assert_eq!(fused.len(), 2);
        assert_eq!(fused[1].ordinal, 9);
        assert!((fused[1].score - 0.5).abs() < 1e-6, "{fused:?}");
    }

    #[test]
    fn a_match_below_the_floor_adds_nothing() {
        let fused = fuse(vec![hit(1, 8.0), hit(2, 6.0)], &[question(2, 0.25)], 1.0);
        assert_eq!(fused[1].score, 0.75);
    }

    #[test]
    fn custom_answers_are_left_to_the_engine() {
        let answer = PackHit {
            target: Target::Answer(0),
            ..question(0, 1.0)
        };
        let fused = fuse(vec![hit(1, 8.0)], &[answer], 1.0);
        assert_eq!(fused.len(), 1);
    }

    #[test]
    fn weak_coverage_is_raised_but_never_lowered() {
        let fused = fuse(vec![hit(1, 8.0)], &[question(1, 0.2)], 1.0);
        assert_eq!(fused[0].coverage, 0.6);
        assert_eq!(fused[0].title_coverage, 0.3);
    }
}
