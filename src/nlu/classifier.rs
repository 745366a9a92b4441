//! The intent classifier: multinomial logistic regression over hashed [`Features`], trained
//! at start-up from `intents/*.toml` (example utterances per intent, as data).
//!
//! Deterministic: the training order comes from a seeded RNG, so the same files always give
//! the same model. Probabilities are the softmax of the linear scores; their calibration is
//! not measured yet (that needs a held-out set of small talk), so the engine uses them only
//! with thresholds from the configuration and lets retrieval overrule them.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::features::{DIMENSIONS, Features, Featurizer};

/// The intent of a search for a service: the default.
pub const SERVICE_SEARCH: &str = "service_search";
/// The intent of questions no administration answers.
pub const OFF_TOPIC: &str = "off_topic";
/// The intent of asking for a human.
pub const HUMAN_HANDOFF: &str = "human_handoff";
/// The small-talk intents.
pub const SMALL_TALK: [&str; 11] = [
    "greeting",
    "goodbye",
    "thanks",
    "bot_identity",
    "how_are_you",
    "capabilities",
    "joke",
    "insult",
    "human_handoff",
    "affirm",
    "deny",
];

/// The shipped intent files (name, text).
pub const SHIPPED_INTENTS: &[(&str, &str)] = &[
    (
        "intents/service_search.toml",
        include_str!("../../intents/service_search.toml"),
    ),
    (
        "intents/off_topic.toml",
        include_str!("../../intents/off_topic.toml"),
    ),
    (
        "intents/greeting.toml",
        include_str!("../../intents/greeting.toml"),
    ),
    (
        "intents/goodbye.toml",
        include_str!("../../intents/goodbye.toml"),
    ),
    (
        "intents/thanks.toml",
        include_str!("../../intents/thanks.toml"),
    ),
    (
        "intents/bot_identity.toml",
        include_str!("../../intents/bot_identity.toml"),
    ),
    (
        "intents/how_are_you.toml",
        include_str!("../../intents/how_are_you.toml"),
    ),
    (
        "intents/capabilities.toml",
        include_str!("../../intents/capabilities.toml"),
    ),
    ("intents/joke.toml", include_str!("../../intents/joke.toml")),
    (
        "intents/insult.toml",
        include_str!("../../intents/insult.toml"),
    ),
    (
        "intents/human_handoff.toml",
        include_str!("../../intents/human_handoff.toml"),
    ),
    (
        "intents/affirm.toml",
        include_str!("../../intents/affirm.toml"),
    ),
    ("intents/deny.toml", include_str!("../../intents/deny.toml")),
];

/// Passes over the training examples.
const EPOCHS: usize = 60;
/// Initial learning rate.
const LEARNING_RATE: f32 = 2.0;
/// L2 regularisation strength.
const L2: f32 = 1e-5;
/// Fewest examples an intent needs.
pub const MIN_EXAMPLES: usize = 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IntentFile {
    intent: String,
    examples: Vec<String>,
}

/// An intent with its probability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentGuess {
    /// Intent name.
    pub name: String,
    /// Probability between 0 and 1.
    pub probability: f32,
}

/// A trained intent classifier.
#[derive(Clone)]
pub struct IntentClassifier {
    labels: Vec<String>,
    /// Per feature dimension, one weight per label (only dimensions seen in training).
    weights: Weights,
    bias: Vec<f32>,
    featurizer: Featurizer,
}

impl std::fmt::Debug for IntentClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntentClassifier")
            .field("labels", &self.labels)
            .field("features", &self.weights.rows())
            .finish()
    }
}

impl IntentClassifier {
    /// The classifier trained on the shipped intent files.
    ///
    /// ```
    /// let c = sophia::nlu::IntentClassifier::shipped();
    /// assert_eq!(c.classify("Hallo!").name, "greeting");
    /// assert_eq!(c.classify("Was kostet ein Reisepass?").name, "service_search");
    /// ```
    pub fn shipped() -> Self {
        Self::train(SHIPPED_INTENTS).expect("the shipped intents are valid; a test guards them")
    }

    /// Trains on intent files given as (name, text); every error names its file.
    pub fn train(files: &[(&str, &str)]) -> Result<Self, String> {
        let featurizer = Featurizer::default();
        let mut labels: Vec<String> = Vec::new();
        let mut examples: Vec<(Features, usize)> = Vec::new();
        for (file, text) in files {
            let parsed: IntentFile = toml::from_str(text)
                .map_err(|e| format!("{file}: {}", e.to_string().trim_end()))?;
            if parsed.examples.len() < MIN_EXAMPLES {
                return Err(format!(
                    "{file}: intent `{}` has {} examples; at least {MIN_EXAMPLES} are needed",
                    parsed.intent,
                    parsed.examples.len()
                ));
            }
            if labels.contains(&parsed.intent) {
                return Err(format!(
                    "{file}: intent `{}` is defined twice",
                    parsed.intent
                ));
            }
            let label = labels.len();
            labels.push(parsed.intent);
            for example in &parsed.examples {
                examples.push((featurizer.features(example), label));
            }
        }
        if labels.len() < 2 {
            return Err("at least two intents are needed to train a classifier".to_string());
        }
        let (weights, bias) = fit(&examples, labels.len());
        Ok(IntentClassifier {
            labels,
            weights,
            bias,
            featurizer,
        })
    }

    /// Every intent with its probability, most likely first.
    pub fn probabilities(&self, message: &str) -> Vec<IntentGuess> {
        let features = self.featurizer.features(message);
        let probabilities = softmax(&scores(&self.weights, &self.bias, &features));
        let mut guesses: Vec<IntentGuess> = self
            .labels
            .iter()
            .zip(probabilities)
            .map(|(name, probability)| IntentGuess {
                name: name.clone(),
                probability,
            })
            .collect();
        guesses.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        guesses
    }

    /// The most likely intent.
    pub fn classify(&self, message: &str) -> IntentGuess {
        self.probabilities(message)
            .into_iter()
            .next()
            .expect("a trained classifier has intents")
    }

    /// How much more the analysed word `word` ([`crate::text::intent_analyzer`]) speaks
    /// for intent `intent` than for `other`, by its own word feature's weights: positive
    /// when the word typifies `intent`. Zero for a word or an intent never seen.
    ///
    /// ```
    /// let c = sophia::nlu::IntentClassifier::shipped();
    /// assert!(c.leaning("mensch", "human_handoff", "service_search") > 0.0);
    /// assert!(c.leaning("reisepass", "human_handoff", "service_search") < 0.0);
    /// ```
    pub fn leaning(&self, word: &str, intent: &str, other: &str) -> f32 {
        let index = |name: &str| self.labels.iter().position(|l| l == name);
        let (Some(intent), Some(other)) = (index(intent), index(other)) else {
            return 0.0;
        };
        self.weights
            .row(self.featurizer.word_dimension(word))
            .map_or(0.0, |row| row[intent] - row[other])
    }

    /// The intent names, in training order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }
}

/// Linear scores of every label.
fn scores(weights: &Weights, bias: &[f32], features: &Features) -> Vec<f32> {
    let mut scores = bias.to_vec();
    for &(dim, value) in &features.0 {
        if let Some(w) = weights.row(dim) {
            for (s, w) in scores.iter_mut().zip(w) {
                *s += w * value;
            }
        }
    }
    scores
}

fn softmax(scores: &[f32]) -> Vec<f32> {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = scores.iter().map(|s| (s - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    exp.into_iter().map(|e| e / sum).collect()
}

/// The model's weights: per feature dimension seen in training one row of a weight per
/// label. Rows are found through a table over all [`DIMENSIONS`] (1 MiB), so scoring a
/// message costs no hashing.
#[derive(Clone)]
struct Weights {
    labels: usize,
    /// Per dimension its row, [`NO_ROW`] for a dimension never seen.
    row_of: Vec<u32>,
    /// The rows one after another, `labels` weights each.
    values: Vec<f32>,
}

/// A dimension of [`Weights::row_of`] without a row.
const NO_ROW: u32 = u32::MAX;

impl Weights {
    fn new(labels: usize) -> Self {
        Weights {
            labels,
            row_of: vec![NO_ROW; DIMENSIONS],
            values: Vec::new(),
        }
    }

    /// Number of dimensions with weights.
    fn rows(&self) -> usize {
        self.values.len() / self.labels.max(1)
    }

    fn row(&self, dim: u32) -> Option<&[f32]> {
        let row = *self.row_of.get(dim as usize)?;
        (row != NO_ROW).then(|| {
            let start = row as usize * self.labels;
            &self.values[start..start + self.labels]
        })
    }

    /// The row of `dim`, added with zero weights when new.
    fn row_mut(&mut self, dim: u32) -> &mut [f32] {
        if self.row_of[dim as usize] == NO_ROW {
            self.row_of[dim as usize] = self.rows() as u32;
            self.values.resize(self.values.len() + self.labels, 0.0);
        }
        let start = self.row_of[dim as usize] as usize * self.labels;
        &mut self.values[start..start + self.labels]
    }
}

/// Stochastic gradient descent on the cross-entropy with L2 regularisation.
fn fit(examples: &[(Features, usize)], labels: usize) -> (Weights, Vec<f32>) {
    let mut weights = Weights::new(labels);
    let mut bias = vec![0.0; labels];
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = StdRng::seed_from_u64(0x50_70_68_69_61);
    let mut step = 0usize;
    for _ in 0..EPOCHS {
        order.shuffle(&mut rng);
        for &i in &order {
            let (features, label) = &examples[i];
            step += 1;
            let rate = LEARNING_RATE / (1.0 + step as f32 / examples.len() as f32);
            let probabilities = softmax(&scores(&weights, &bias, features));
            for (k, p) in probabilities.iter().enumerate() {
                let gradient = p - if k == *label { 1.0 } else { 0.0 };
                bias[k] -= rate * gradient;
                for &(dim, value) in &features.0 {
                    let w = weights.row_mut(dim);
                    w[k] -= rate * (gradient * value + L2 * w[k]);
                }
            }
        }
    }
    (weights, bias)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_intent_is_learned() {
        let c = IntentClassifier::shipped();
        let mut expected: Vec<&str> = SMALL_TALK.to_vec();
        expected.push(SERVICE_SEARCH);
        expected.push(OFF_TOPIC);
        for name in expected {
            assert!(c.labels().iter().any(|l| l == name), "{name} missing");
        }
    }

    #[test]
    fn unseen_messages_are_classified_like_citizens_mean_them() {
        let c = IntentClassifier::shipped();
        for (message, intent) in [
            ("grüß gott miteinander", "greeting"),
            ("servus", "greeting"),
            ("tschau bis bald", "goodbye"),
            ("merci vielmals", "thanks"),
            (
                "bist du ein echter mensch oder ein computer",
                "bot_identity",
            ),
            ("wie geht es ihnen heute", "how_are_you"),
            ("erzähl mir bitte einen witz", "joke"),
            (
                "kann ich bitte mit einem echten menschen reden",
                "human_handoff",
            ),
            ("wer wird deutscher meister im fussball", "off_topic"),
            ("welche aktien soll ich kaufen", "off_topic"),
            ("ich brauche einen neuen reisepass", "service_search"),
            ("wo melde ich mein auto um", "service_search"),
            ("hundesteuer anmelden", "service_search"),
        ] {
            let guess = c.classify(message);
            assert_eq!(guess.name, intent, "{message}: {guess:?}");
        }
    }

    #[test]
    fn probabilities_sum_to_one_and_are_sorted() {
        let c = IntentClassifier::shipped();
        let p = c.probabilities("hallo wie gehts");
        let sum: f32 = p.iter().map(|g| g.probability).sum();
        assert!((sum - 1.0).abs() < 1e-3);
        assert!(p.windows(2).all(|w| w[0].probability >= w[1].probability));
    }

    #[test]
    fn training_is_deterministic() {
        let a = IntentClassifier::shipped().probabilities("kann ich dich was fragen");
        let b = IntentClassifier::shipped().probabilities("kann ich dich was fragen");
        assert_eq!(a, b);
    }

    #[test]
    fn the_model_fits_its_own_examples_confidently() {
        let c = IntentClassifier::shipped();
        let (mut right, mut total, mut confidence) = (0, 0, 0.0);
        for (_, text) in SHIPPED_INTENTS {
            let file: IntentFile = toml::from_str(text).unwrap();
            for example in &file.examples {
                let guess = c.classify(example);
                total += 1;
                if guess.name == file.intent {
                    right += 1;
                    confidence += guess.probability;
                }
            }
        }
        assert!(right as f32 >= 0.97 * total as f32, "{right}/{total}");
        assert!(
            confidence / right as f32 >= 0.8,
            "mean probability {}",
            confidence / right as f32
        );
    }

    #[test]
    fn too_few_examples_name_the_file() {
        let err = IntentClassifier::train(&[
            ("a.toml", "intent = \"a\"\nexamples = [\"x\"]\n"),
            ("b.toml", "intent = \"b\"\nexamples = [\"y\"]\n"),
        ])
        .unwrap_err();
        assert!(
            err.starts_with("a.toml:") && err.contains("at least 20"),
            "{err}"
        );
    }
}
