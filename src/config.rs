//! `sophia.toml`: tenants, the context key and the answer thresholds.
//!
//! The repository's `sophia.toml` is compiled in as the default, so Sophia runs without any
//! file; `--config PATH` (or `SOPHIA_CONFIG`) replaces it.

use std::path::Path;

use serde::Deserialize;

use crate::search::FieldBoosts;

mod server;
mod tenant;

pub use server::{RateLimit, ServerConfig};
pub use tenant::{
    MIN_CONTRAST, Skills, Tenant, Theme, check_ars, contrast, is_http_url, is_origin, parse_colour,
};

/// The configuration shipped with Sophia (the repository's `sophia.toml`).
pub const SHIPPED_CONFIG: &str = include_str!("../sophia.toml");

/// Everything an operator configures.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The tenant used when a request names none.
    pub default_tenant: String,
    /// Conversation context protection.
    #[serde(default)]
    pub context: ContextConfig,
    /// When to answer, ask back or admit not knowing.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Field boosts of the catalogue search.
    #[serde(default)]
    pub boosts: FieldBoosts,
    /// The admin listener (content reload).
    #[serde(default)]
    pub admin: AdminConfig,

    /// Review of unanswered questions (off unless configured).
    #[serde(default)]
    pub review: ReviewConfig,
    /// Trusted proxies and the rate limit of the public listener.
    #[serde(default)]
    pub server: ServerConfig,
    /// The portals Sophia answers for.
    #[serde(rename = "tenant")]
    pub tenants: Vec<Tenant>,
}

/// The admin listener's access.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// Bearer token for `POST /admin/reload`, for any tenant. The environment variable
    /// `SOPHIA_ADMIN_TOKEN` overrides it. At least 16 characters.
    #[serde(default)]
    pub token: Option<String>,
}

/// Shortest admin token accepted.
pub const MIN_TOKEN_CHARS: usize = 16;

/// Review of unanswered questions (`[review]`): where the redacted records go and how long
/// they are kept; see [`crate::review`].
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {
    /// `"stdout"`, a file path (relative to the working directory), or `"off"`; absent is off.
    pub log: Option<String>,
    /// Records older than this many days are dropped from a file log (1 to 3650).
    pub retention_days: i64,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            log: None,
            retention_days: 30,
        }
    }
}

/// Where review records go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewTarget {
    /// Nowhere: review is switched off.
    Off,
    /// Standard output, one JSON line a record (retention is the log collector's job).
    Stdout,
    /// A file, appended to; records older than the retention are dropped.
    File(std::path::PathBuf),
}

impl ReviewConfig {
    /// Where the records go.
    ///
    /// ```
    /// use sophia::config::{ReviewConfig, ReviewTarget};
    /// let config = ReviewConfig { log: Some("stdout".into()), ..Default::default() };
    /// assert_eq!(config.target(), ReviewTarget::Stdout);
    /// assert_eq!(ReviewConfig::default().target(), ReviewTarget::Off);
    /// ```
    pub fn target(&self) -> ReviewTarget {
        match self.log.as_deref().map(str::trim) {
            None | Some("off") => ReviewTarget::Off,
            Some("stdout") => ReviewTarget::Stdout,
            Some(path) => ReviewTarget::File(path.into()),
        }
    }

    /// The retention in days, checked when the configuration was loaded.
    pub fn retention_days(&self) -> u32 {
        u32::try_from(self.retention_days).unwrap_or(1)
    }
}

/// Conversation context protection.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ContextConfig {
    /// The key that signs the conversation context; every replica must share it. The
    /// environment variable `SOPHIA_CONTEXT_KEY` overrides it. When neither is set, a single
    /// node generates a random key at start (contexts then do not survive a restart).
    #[serde(default)]
    pub key: Option<String>,
}

/// The thresholds of the answer policy; `docs/THRESHOLDS.md` says how they were chosen.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Below this share of the question's (weighted) words found in the best service, Sophia
    /// says it does not know.
    pub min_coverage: f32,
    /// The coverage floor instead of `min_coverage` when the best service leads the
    /// runner-up by at least `clear_lead` ([`crate::dialog::policy::margin`]): a long
    /// message with much context ("meine Eltern aus Indien wollen uns besuchen und die
    /// Botschaft verlangt eine Verpflichtungserklärung") that is clearly about one service.
    pub min_coverage_clear_lead: f32,
    /// The lead over the runner-up from which `min_coverage_clear_lead` applies.
    pub clear_lead: f32,
    /// The coverage floor when the best service leads the runner-up by at least
    /// `dominant_lead` and its description holds words of the message beyond its name and
    /// keywords ([`crate::dialog::policy::decide`]): a message that names one service and
    /// tells much of the story around it, with nothing else in sight.
    pub min_coverage_dominant_lead: f32,
    /// The lead over the runner-up from which `min_coverage_dominant_lead` applies.
    pub dominant_lead: f32,
    /// Below this share of the question's words found in the best service's name or
    /// keywords, Sophia says it does not know (matches in descriptions alone are weak).
    pub min_title_coverage: f32,
    /// A runner-up whose score is within this fraction of the best one is offered as a
    /// choice instead of answering directly.
    pub clarify_margin: f32,
    /// Below this confidence (coverage and lead over the runner-up, see
    /// [`crate::dialog::policy::confidence`]) Sophia does not answer directly but asks
    /// "Meinten Sie ...?" with the best candidates; 0 answers every covered question
    /// directly.
    pub min_confidence: f32,
    /// Near-duplicate variants of the best service ("bis zu 5 / bis zu 20 Dokumente")
    /// scoring at least this share of its score are offered as choices when the question
    /// names no variant.
    pub near_duplicate_score: f32,
    /// ... and covering at least this share of the best service's title coverage (the
    /// question's words in its name and keywords).
    pub near_duplicate_title_coverage: f32,
    /// From this probability of a small-talk or off-topic intent on, Sophia answers with
    /// small talk (unless the question clearly names a service).
    pub small_talk: f32,
    /// In a conversation about a service, asking for a human or the off-topic intent needs
    /// at least this probability (besides `small_talk` or `off_topic`): a question that only
    /// leans to asking for a human ("kann das jemand von euch prüfen?") stays with the
    /// service. Thanks, goodbyes and the other small talk keep `small_talk`.
    pub small_talk_in_conversation: f32,
    /// From this probability of the off-topic intent on, Sophia says the question is
    /// outside what the administration answers (unless the search names a service).
    pub off_topic: f32,
    /// At most this many choices in a "Meinten Sie ...?".
    pub max_choices: usize,
    /// From this similarity of the message to one of its questions on, an editors' custom
    /// answer is given, before any service description.
    pub custom_answer: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            min_coverage: 0.4,
            min_coverage_clear_lead: 0.35,
            clear_lead: 0.4,
            min_coverage_dominant_lead: 0.3,
            dominant_lead: 0.7,
            min_title_coverage: 0.05,
            clarify_margin: 0.06,
            min_confidence: 0.0,
            near_duplicate_score: 0.85,
            near_duplicate_title_coverage: 0.8,
            small_talk: 0.3,
            small_talk_in_conversation: 0.6,
            off_topic: 0.7,
            max_choices: 3,
            custom_answer: 0.6,
        }
    }
}

/// A configuration that cannot be used, naming the file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("{file}: cannot read: {error}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        error: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("{file}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The values do not fit together.
    #[error("{file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// The shipped configuration.
    ///
    /// ```
    /// let config = sophia::config::Config::shipped();
    /// assert_eq!(config.default_tenant, "muenchen");
    /// assert!(config.tenant("muenchen").unwrap().contact.contains("115"));
    /// ```
    pub fn shipped() -> Config {
        Self::parse("sophia.toml (built in)", SHIPPED_CONFIG)
            .expect("the shipped sophia.toml is valid; a test guards it")
    }

    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Io {
            file: file.clone(),
            error,
        })?;
        Self::parse(&file, &text)
    }

    /// Parses and checks a configuration; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        config.check(file)?;
        Ok(config)
    }

    fn check(&self, file: &str) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            file: file.to_string(),
            message,
        };
        if self.tenants.is_empty() {
            return Err(invalid("at least one [[tenant]] is required".into()));
        }
        for (i, tenant) in self.tenants.iter().enumerate() {
            if tenant.id.trim().is_empty() {
                return Err(invalid(format!("tenant[{i}].id is empty")));
            }
            if self.tenants[..i].iter().any(|t| t.id == tenant.id) {
                return Err(invalid(format!("tenant id `{}` appears twice", tenant.id)));
            }
            tenant.check().map_err(invalid)?;
        }
        self.server.check().map_err(invalid)?;
        for (who, token) in self.admin_tokens(|_| None) {
            if token.chars().count() < MIN_TOKEN_CHARS {
                return Err(invalid(format!(
                    "the admin token of {who} is shorter than {MIN_TOKEN_CHARS} characters"
                )));
            }
        }
        if self.tenant(&self.default_tenant).is_none() {
            return Err(invalid(format!(
                "default_tenant `{}` is not one of the [[tenant]] ids",
                self.default_tenant
            )));
        }
        let t = &self.thresholds;
        for (name, value) in [
            ("min_coverage", t.min_coverage),
            ("min_coverage_clear_lead", t.min_coverage_clear_lead),
            ("clear_lead", t.clear_lead),
            ("min_coverage_dominant_lead", t.min_coverage_dominant_lead),
            ("dominant_lead", t.dominant_lead),
            ("min_title_coverage", t.min_title_coverage),
            ("clarify_margin", t.clarify_margin),
            ("min_confidence", t.min_confidence),
            ("near_duplicate_score", t.near_duplicate_score),
            (
                "near_duplicate_title_coverage",
                t.near_duplicate_title_coverage,
            ),
            ("small_talk", t.small_talk),
            ("small_talk_in_conversation", t.small_talk_in_conversation),
            ("off_topic", t.off_topic),
            ("custom_answer", t.custom_answer),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(invalid(format!(
                    "thresholds.{name} must be between 0 and 1, found {value}"
                )));
            }
        }
        for (name, value) in [
            ("name", self.boosts.name),
            ("keywords", self.boosts.keywords),
            ("body", self.boosts.body),
        ] {
            if !value.is_finite() || value < 0.0 {
                return Err(invalid(format!(
                    "boosts.{name} must be a number of 0 or more, found {value}"
                )));
            }
        }
        if let Some(log) = &self.review.log
            && log.trim().is_empty()
        {
            return Err(invalid(
                "review.log must be \"stdout\", \"off\" or a file path, found an empty string"
                    .into(),
            ));
        }
        if !(1..=3650).contains(&self.review.retention_days) {
            return Err(invalid(format!(
                "review.retention_days must be between 1 and 3650, found {}",
                self.review.retention_days
            )));
        }
        if !(2..=5).contains(&t.max_choices) {
            return Err(invalid(format!(
                "thresholds.max_choices must be between 2 and 5, found {}",
                t.max_choices
            )));
        }
        Ok(())
    }

    /// A tenant by id.
    pub fn tenant(&self, id: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.id == id)
    }

    /// Every admin token with whom it belongs to (`"global"` or a tenant id); the
    /// environment overrides the file.
    ///
    /// ```
    /// let config = sophia::config::Config::shipped();
    /// // The shipped configuration holds no token: the admin endpoint refuses everyone.
    /// assert!(config.admin_tokens(|_| None).is_empty());
    /// let tokens = config.admin_tokens(|name| (name == "SOPHIA_ADMIN_TOKEN_MUENCHEN").then(|| "x".repeat(20)));
    /// assert_eq!(tokens, [("muenchen".to_string(), "x".repeat(20))]);
    /// ```
    pub fn admin_tokens(&self, env: impl Fn(&str) -> Option<String>) -> Vec<(String, String)> {
        let mut tokens = Vec::new();
        if let Some(token) = env("SOPHIA_ADMIN_TOKEN").or_else(|| self.admin.token.clone()) {
            tokens.push(("global".to_string(), token));
        }
        for tenant in &self.tenants {
            let name = format!(
                "SOPHIA_ADMIN_TOKEN_{}",
                tenant.id.to_uppercase().replace('-', "_")
            );
            if let Some(token) = env(&name).or_else(|| tenant.admin_token.clone()) {
                tokens.push((tenant.id.clone(), token));
            }
        }
        tokens.retain(|(_, token)| !token.is_empty());
        tokens
    }

    /// True when some tenant allows pages of `origin` (CORS, and chats naming no tenant).
    ///
    /// ```
    /// let config = sophia::config::Config::shipped();
    /// assert!(config.allows_origin("https://www.hessen.de"));
    /// assert!(!config.allows_origin("https://evil.example"));
    /// ```
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.tenants
            .iter()
            .any(|t| t.origins.iter().any(|o| o == origin))
    }

    /// The default tenant.
    pub fn default_tenant(&self) -> &Tenant {
        self.tenant(&self.default_tenant)
            .expect("checked when the configuration was loaded")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_config_is_valid() {
        let c = Config::shipped();
        assert!(!c.tenants.is_empty());
        assert_eq!(c.default_tenant().id, "muenchen");
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let err = Config::parse(
            "x.toml",
            "default_tenant = \"a\"\nfoo = 1\n[[tenant]]\nid = \"a\"\nname = \"A\"\ncontact = \"115\"\ncontact_url = \"https://a.de\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("x.toml:") && err.contains("line 2") && err.contains("foo"),
            "{err}"
        );
    }

    #[test]
    fn a_default_tenant_that_does_not_exist_is_rejected() {
        let err = Config::parse(
            "x.toml",
            "default_tenant = \"b\"\n[[tenant]]\nid = \"a\"\nname = \"A\"\ncontact = \"115\"\ncontact_url = \"https://a.de\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("default_tenant `b`"), "{err}");
    }

    #[test]
    fn boosts_must_be_finite_and_not_negative() {
        for value in ["nan", "-5.0", "inf"] {
            let err = Config::parse(
                "x.toml",
                &format!("default_tenant = \"a\"\n[boosts]\nname = {value}\n[[tenant]]\nid = \"a\"\nname = \"A\"\ncontact = \"115\"\ncontact_url = \"https://a.de\"\n"),
            )
            .unwrap_err()
            .to_string();
            assert!(err.contains("boosts.name"), "{value}: {err}");
        }
    }

    fn with_review(review: &str) -> Result<Config, ConfigError> {
        Config::parse(
            "x.toml",
            &format!(
                "default_tenant = \"a\"\n[review]\n{review}\n[[tenant]]\nid = \"a\"\nname = \"A\"\ncontact = \"115\"\ncontact_url = \"https://a.de\"\n"
            ),
        )
    }

    #[test]
    fn review_is_off_unless_configured() {
        assert_eq!(Config::shipped().review.target(), ReviewTarget::Off);
        let c = with_review("log = \"off\"").unwrap();
        assert_eq!(c.review.target(), ReviewTarget::Off);
        assert_eq!(c.review.retention_days(), 30);
        let c = with_review("log = \"stdout\"\nretention_days = 7").unwrap();
        assert_eq!(c.review.target(), ReviewTarget::Stdout);
        assert_eq!(c.review.retention_days(), 7);
        let c = with_review("log = \"/var/log/sophia/review.jsonl\"").unwrap();
        assert_eq!(
            c.review.target(),
            ReviewTarget::File("/var/log/sophia/review.jsonl".into())
        );
    }

    #[test]
    fn bad_review_settings_are_named() {
        for (review, expected) in [
            (
                "retention_days = 0",
                "review.retention_days must be between 1 and 3650, found 0",
            ),
            ("retention_days = 3651", "found 3651"),
            ("retention_days = -5", "found -5"),
            ("log = \"  \"", "review.log must be"),
            ("log = 3", "log"),
            ("keep = true", "unknown field `keep`"),
        ] {
            let err = with_review(review).unwrap_err().to_string();
            assert!(
                err.starts_with("x.toml:") && err.contains(expected),
                "{review}: {err}"
            );
        }
    }

    #[test]
    fn thresholds_out_of_range_are_rejected() {
        let err = Config::parse(
            "x.toml",
            "default_tenant = \"a\"\n[thresholds]\nmin_coverage = 3.0\n[[tenant]]\nid = \"a\"\nname = \"A\"\ncontact = \"115\"\ncontact_url = \"https://a.de\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("thresholds.min_coverage"), "{err}");
    }
}
