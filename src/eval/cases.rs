//! Single labelled citizen questions.
//!
//! A question set is a TOML file of `[[case]]` tables with `q` (the question), `expect`
//! (the service ids that are right answers, `office:ID` for an office; empty when no
//! service is right), `tags` and optionally `location` (sent as the request's location).
//! Cases tagged `location` ask where to go: they count as answered with an office address
//! when the right service is answered with at least one office.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::dialog::{ChatRequest, Engine, ReplyKind};
use crate::nlu::Aspect;

/// One labelled question.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The question as a citizen wrote it.
    pub q: String,
    /// The right service ids; empty when Sophia should say it does not know.
    pub expect: Vec<String>,
    /// Tags for per-tag figures.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The citizen's location sent with the question (postcode, place, ARS, "lat,lon").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    case: Vec<Case>,
}

/// Parses a question set; `file` names it in errors.
///
/// ```
/// let cases = sophia::eval::parse_cases("x.toml", "[[case]]\nq = \"perso weg\"\nexpect = [\"1076889\"]\n").unwrap();
/// assert_eq!(cases[0].q, "perso weg");
/// ```
pub fn parse_cases(file: &str, text: &str) -> Result<Vec<Case>, String> {
    let parsed: CaseFile =
        toml::from_str(text).map_err(|e| format!("{file}: {}", e.to_string().trim_end()))?;
    Ok(parsed.case)
}

/// How Sophia answered one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "answer", content = "ids", rename_all = "lowercase")]
pub enum Outcome {
    /// Answered with one service (or aspect of it).
    Direct(String),
    /// Offered these services as choices.
    Clarify(Vec<String>),
    /// Said it does not know (or made small talk).
    Fallback,
}

/// The result of one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// The case.
    pub case: Case,
    /// What Sophia did.
    pub outcome: Outcome,
    /// The top three ranked services, regardless of the decision.
    pub top3: Vec<String>,
    /// The part of the service the answer gave.
    pub aspect: Option<Aspect>,
    /// How many offices the answer named.
    pub offices: usize,
}

impl CaseResult {
    /// Out-of-scope question: right when Sophia does not name a service.
    pub fn out_of_scope(&self) -> bool {
        self.case.expect.is_empty()
    }

    /// Answered directly with a right service (or, out of scope, did not answer).
    pub fn top1(&self) -> bool {
        match &self.outcome {
            Outcome::Direct(id) => self.case.expect.contains(id),
            Outcome::Fallback => self.out_of_scope(),
            Outcome::Clarify(_) => false,
        }
    }

    /// Right, or a clarify that offers a right service.
    pub fn right_or_clarified(&self) -> bool {
        match &self.outcome {
            Outcome::Clarify(ids) => ids.iter().any(|id| self.case.expect.contains(id)),
            _ => self.top1(),
        }
    }

    /// A right service among the first three ranked (out of scope: not answered directly).
    pub fn top3_hit(&self) -> bool {
        if self.out_of_scope() {
            return !matches!(self.outcome, Outcome::Direct(_));
        }
        self.top3.iter().any(|id| self.case.expect.contains(id))
    }

    /// The aspect the case asks for: its one aspect tag, if it has exactly one.
    pub fn asked_aspect(&self) -> Option<Aspect> {
        let aspects: Vec<Aspect> = Aspect::ALL
            .into_iter()
            .filter(|a| self.case.tags.iter().any(|t| t == a.as_str()))
            .collect();
        match aspects.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// Named a wrong service as the answer.
    pub fn wrong(&self) -> bool {
        matches!(&self.outcome, Outcome::Direct(id) if !self.case.expect.contains(id))
    }
}

/// What an answerer did with one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// The decision.
    pub outcome: Outcome,
    /// The top three ranked service ids.
    pub top3: Vec<String>,
    /// The part of the service given, if any.
    pub aspect: Option<Aspect>,
    /// How many offices the answer named.
    pub offices: usize,
}

/// Something that answers questions for evaluation: Sophia, or a baseline.
pub trait Answerer {
    /// What is answered for `question`, asked from `location` when given.
    fn answer(&self, question: &str, location: Option<&str>) -> Answered;
}

impl Answerer for Engine {
    fn answer(&self, question: &str, location: Option<&str>) -> Answered {
        let reply = self.respond(&ChatRequest {
            location: location.map(str::to_string),
            ..ChatRequest::new(question)
        });
        let first = || {
            reply
                .sources
                .first()
                .map(|s| s.id.clone())
                .unwrap_or_default()
        };
        let outcome = match reply.kind {
            ReplyKind::Office => Outcome::Direct(format!("office:{}", first())),
            ReplyKind::Service | ReplyKind::Aspect | ReplyKind::Custom => Outcome::Direct(first()),
            ReplyKind::Clarify => {
                Outcome::Clarify(reply.sources.iter().map(|s| s.id.clone()).collect())
            }
            ReplyKind::Smalltalk | ReplyKind::Fallback => Outcome::Fallback,
        };
        let top3 = self
            .rank(question)
            .into_iter()
            .take(3)
            .map(|c| c.id)
            .collect();
        Answered {
            outcome,
            top3,
            aspect: reply.aspect,
            offices: reply.offices.len(),
        }
    }
}

/// A search engine without dialogue: searches the whole question in the snapshot's index,
/// scoped to the default tenant's region, and always answers with the best-ranked service, never saying "I don't know". With an
/// index built by [`crate::search::IndexOptions::plain_bm25`] this is the plain-BM25
/// baseline.
#[derive(Debug)]
pub struct AlwaysTop1<'a>(pub &'a Engine);

impl Answerer for AlwaysTop1<'_> {
    fn answer(&self, question: &str, _location: Option<&str>) -> Answered {
        let snapshot = self.0.snapshot();
        // Scoped like Sophia's answers: the default tenant's region.
        let region = snapshot.config.default_tenant().region.as_deref();
        let query = snapshot.index.analyze(question, &Default::default());
        let ranked: Vec<String> = snapshot
            .index
            .search_scoped(&query, &crate::geo::Scope::new([region]), 3)
            .iter()
            .filter_map(|h| snapshot.catalog.service_at(h.ordinal))
            .map(|s| s.id.clone())
            .collect();
        let outcome = match ranked.first() {
            Some(id) => Outcome::Direct(id.clone()),
            None => Outcome::Fallback,
        };
        Answered {
            outcome,
            top3: ranked.into_iter().take(3).collect(),
            aspect: None,
            offices: 0,
        }
    }
}

/// Runs every case.
pub fn run(answerer: &dyn Answerer, cases: &[Case]) -> Vec<CaseResult> {
    cases
        .iter()
        .map(|case| {
            let answered = answerer.answer(&case.q, case.location.as_deref());
            CaseResult {
                case: case.clone(),
                outcome: answered.outcome,
                top3: answered.top3,
                aspect: answered.aspect,
                offices: answered.offices,
            }
        })
        .collect()
}

/// The figures of a set of results, as fractions between 0 and 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Scores {
    /// Number of cases.
    pub cases: usize,
    /// Answered directly with a right service (out of scope: fell back).
    pub top1: f64,
    /// Right, or a clarify offering a right service.
    pub right_or_clarified: f64,
    /// A right service among the top three ranked.
    pub top3: f64,
    /// Named a wrong service.
    pub wrong: f64,
    /// Asked back.
    pub clarify: f64,
    /// Said it does not know.
    pub fallback: f64,
}

impl Scores {
    /// The figures of `results`.
    pub fn of<'a>(results: impl IntoIterator<Item = &'a CaseResult>) -> Scores {
        let mut s = Scores::default();
        let mut counts = [0usize; 6];
        for r in results {
            s.cases += 1;
            for (count, hit) in counts.iter_mut().zip([
                r.top1(),
                r.right_or_clarified(),
                r.top3_hit(),
                r.wrong(),
                matches!(r.outcome, Outcome::Clarify(_)),
                matches!(r.outcome, Outcome::Fallback),
            ]) {
                *count += usize::from(hit);
            }
        }
        let n = s.cases.max(1) as f64;
        s.top1 = counts[0] as f64 / n;
        s.right_or_clarified = counts[1] as f64 / n;
        s.top3 = counts[2] as f64 / n;
        s.wrong = counts[3] as f64 / n;
        s.clarify = counts[4] as f64 / n;
        s.fallback = counts[5] as f64 / n;
        s
    }
}

/// Overall and per-tag figures.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// All cases.
    pub overall: Scores,
    /// Of the cases asking for one part (one aspect tag): answered directly with the right
    /// service and that part.
    pub aspect_accuracy: f64,
    /// Number of cases asking for one part.
    pub aspect_cases: usize,
    /// Of the cases tagged `location`: answered with the right service and an office.
    pub office_address: f64,
    /// Number of cases tagged `location`.
    pub location_cases: usize,
    /// Per tag.
    pub by_tag: BTreeMap<String, Scores>,
    /// The cases not answered right at top-1.
    pub misses: Vec<CaseResult>,
}

impl Report {
    /// Summarises `results`.
    pub fn new(results: &[CaseResult]) -> Report {
        let mut tags: BTreeMap<String, Vec<&CaseResult>> = BTreeMap::new();
        for r in results {
            for tag in &r.case.tags {
                tags.entry(tag.clone()).or_default().push(r);
            }
        }
        let asking: Vec<&CaseResult> = results
            .iter()
            .filter(|r| r.asked_aspect().is_some())
            .collect();
        let aspect_right = asking
            .iter()
            .filter(|r| r.top1() && r.aspect == r.asked_aspect())
            .count();
        let location: Vec<&CaseResult> = results
            .iter()
            .filter(|r| r.case.tags.iter().any(|t| t == "location"))
            .collect();
        let with_office = location
            .iter()
            .filter(|r| r.top1() && r.offices > 0)
            .count();
        Report {
            office_address: with_office as f64 / location.len().max(1) as f64,
            location_cases: location.len(),
            aspect_accuracy: aspect_right as f64 / asking.len().max(1) as f64,
            aspect_cases: asking.len(),
            overall: Scores::of(results),
            by_tag: tags
                .into_iter()
                .map(|(tag, rs)| (tag, Scores::of(rs)))
                .collect(),
            misses: results.iter().filter(|r| !r.top1()).cloned().collect(),
        }
    }

    /// The report as a table, with the misses listed when `misses` is true.
    pub fn render(&self, misses: bool, title_of: &dyn Fn(&str) -> String) -> String {
        let mut out = String::new();
        let header = format!(
            "{:<16} {:>5} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8}\n",
            "", "n", "top1", "right+c", "top3", "wrong", "clarify", "fallback"
        );
        out.push_str(&header);
        let row = |out: &mut String, name: &str, s: &Scores| {
            let _ = writeln!(
                out,
                "{:<16} {:>5} {:>6.1}% {:>6.1}% {:>6.1}% {:>6.1}% {:>6.1}% {:>7.1}%",
                name,
                s.cases,
                s.top1 * 100.0,
                s.right_or_clarified * 100.0,
                s.top3 * 100.0,
                s.wrong * 100.0,
                s.clarify * 100.0,
                s.fallback * 100.0
            );
        };
        row(&mut out, "overall", &self.overall);
        for (tag, s) in &self.by_tag {
            row(&mut out, tag, s);
        }
        let _ = writeln!(
            out,
            "\naspect answers right (right service and part): {:.1}% of {}",
            self.aspect_accuracy * 100.0,
            self.aspect_cases
        );
        if self.location_cases > 0 {
            let _ = writeln!(
                out,
                "location questions answered with an office address: {:.1}% of {}",
                self.office_address * 100.0,
                self.location_cases
            );
        }
        if misses && !self.misses.is_empty() {
            let _ = writeln!(out, "\nmisses ({}):", self.misses.len());
            for m in &self.misses {
                let expected: Vec<String> = m.case.expect.iter().map(|id| title_of(id)).collect();
                let got = match &m.outcome {
                    Outcome::Direct(id) => format!("answered {}", title_of(id)),
                    Outcome::Clarify(ids) => format!(
                        "clarify [{}]",
                        ids.iter()
                            .map(|id| title_of(id))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    ),
                    Outcome::Fallback => "fallback".to_string(),
                };
                let expected = if expected.is_empty() {
                    "(out of scope)".to_string()
                } else {
                    expected.join(" | ")
                };
                let _ = writeln!(out, "- {:?}\n    want {expected}\n    got  {got}", m.case.q);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(expect: &[&str], outcome: Outcome) -> CaseResult {
        CaseResult {
            case: Case {
                q: "q".into(),
                expect: expect.iter().map(|s| s.to_string()).collect(),
                tags: vec!["t".into()],
                location: None,
            },
            outcome,
            top3: vec!["b".into(), "a".into()],
            aspect: None,
            offices: 0,
        }
    }

    #[test]
    fn scores_count_each_outcome_once() {
        let results = vec![
            result(&["a"], Outcome::Direct("a".into())),
            result(&["a"], Outcome::Direct("x".into())),
            result(&["a"], Outcome::Clarify(vec!["x".into(), "a".into()])),
            result(&[], Outcome::Fallback),
        ];
        let s = Scores::of(&results);
        assert_eq!(s.cases, 4);
        assert_eq!(s.top1, 0.5);
        assert_eq!(s.right_or_clarified, 0.75);
        assert_eq!(s.wrong, 0.25);
        assert_eq!(s.clarify, 0.25);
        assert_eq!(s.fallback, 0.25);
        assert_eq!(s.top3, 1.0);
    }

    #[test]
    fn out_of_scope_answered_with_a_service_is_wrong() {
        let r = result(&[], Outcome::Direct("a".into()));
        assert!(r.wrong() && !r.top1() && !r.top3_hit());
    }

    #[test]
    fn unknown_keys_in_a_case_file_are_errors() {
        let err = parse_cases("e.toml", "[[case]]\nq = \"x\"\nexpected = []\n").unwrap_err();
        assert!(
            err.starts_with("e.toml:") && err.contains("expected"),
            "{err}"
        );
    }
}
