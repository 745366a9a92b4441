//! `[[tenant]]`: a portal that embeds Sophia, and the checks of its fields.
//!
//! Every mistake names the tenant and the field (`tenant `kreis`: region must be ...`).

use serde::Deserialize;

/// A portal that embeds Sophia.
///
/// ```
/// let config = sophia::config::Config::shipped();
/// let kreis = config.tenant("kreis-basis").unwrap();
/// assert_eq!(kreis.skills, sophia::config::Skills::Basic);
/// assert_eq!(kreis.region.as_deref(), Some("065340000000"));
/// ```
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// Identifier used in requests (`"tenant": "muenchen"`): lower-case letters, digits and
    /// `-`, at most 40 characters.
    pub id: String,
    /// Display name ("Landeshauptstadt München"), shown in the chat's header.
    pub name: String,
    /// The first message the chat shows when opened (plain text); the widget's own greeting
    /// when not set.
    #[serde(default)]
    pub greeting: Option<String>,
    /// What Sophia says when it cannot help: the 115 hotline and the portal's contact page.
    pub contact: String,
    /// The portal's contact page.
    pub contact_url: String,
    /// The origins (`https://www.portal.de`, scheme, host and port only) whose pages may
    /// call the API for this tenant from the browser. A request without `Origin` (curl, a
    /// server) and a page served by Sophia itself (same host) need no entry.
    #[serde(default)]
    pub origins: Vec<String>,
    /// The content packs this tenant answers from besides the catalogue, shared packs first,
    /// its own last (a later pack's answer wins over an earlier one's).
    #[serde(default)]
    pub packs: Vec<String>,
    /// The portal's region as Amtlicher Regionalschlüssel (12 digits, the first two the
    /// Land: `06` Hessen, `09` Bayern). Not used for answering yet: every tenant answers from
    /// the whole catalogue.
    #[serde(default)]
    pub region: Option<String>,
    /// What the tenant answers: `"full"` (the default) or `"basic"`.
    #[serde(default)]
    pub skills: Skills,
    /// The chat's colours.
    #[serde(default)]
    pub theme: Theme,
    /// The portal's Datenschutz page, linked in the chat's header: an `http(s)` URL, a path
    /// (`/datenschutz`) or a place on the page (`#datenschutz`).
    #[serde(default)]
    pub privacy_url: Option<String>,
    /// The portal's Barrierefreiheit page (the accessibility statement), linked in the chat's
    /// header; the same forms as `privacy_url`.
    #[serde(default)]
    pub accessibility_url: Option<String>,
    /// This tenant's editors' bearer token for `POST /admin/reload`. The environment
    /// variable `SOPHIA_ADMIN_TOKEN_<ID>` (id upper-cased, `-` as `_`) overrides it.
    #[serde(default)]
    pub admin_token: Option<String>,
}

/// What a tenant answers.
///
/// ```
/// use sophia::config::Skills;
/// assert!(Skills::Full.small_talk() && Skills::Full.custom_answers());
/// assert!(!Skills::Basic.small_talk() && !Skills::Basic.custom_answers());
/// ```
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Skills {
    /// Service descriptions, small talk and the editors' custom answers of its packs.
    #[default]
    Full,
    /// Service descriptions only. Greetings, thanks, jokes and other small talk get one
    /// short, service-oriented answer; custom answers of its packs are never given (their
    /// citizens' questions for services and their synonyms still help find services).
    Basic,
}

impl Skills {
    /// Whether small talk is answered as such.
    pub fn small_talk(self) -> bool {
        self == Skills::Full
    }

    /// Whether the editors' custom answers are given.
    pub fn custom_answers(self) -> bool {
        self == Skills::Full
    }

    /// The name used in `sophia.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Skills::Full => "full",
            Skills::Basic => "basic",
        }
    }
}

/// The chat's colours (`#rrggbb` or `#rgb`); the text colour must keep a contrast of at least
/// 4.5:1 on the accent (WCAG 2.1 AA).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Theme {
    /// Launcher, header, send button and the citizen's bubbles.
    pub accent: String,
    /// Text and icons on the accent colour.
    pub accent_text: String,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            accent: "#005a9c".into(),
            accent_text: "#ffffff".into(),
        }
    }
}

/// Longest tenant id.
const MAX_ID_CHARS: usize = 40;
/// Longest display name.
const MAX_NAME_CHARS: usize = 120;
/// Longest greeting.
const MAX_GREETING_CHARS: usize = 1000;
/// Lowest contrast of text on the accent colour (WCAG 2.1 AA, normal text).
pub const MIN_CONTRAST: f64 = 4.5;

impl Tenant {
    /// Checks every field; the error names the tenant and the field.
    ///
    /// ```
    /// let mut tenant = sophia::config::Config::shipped().default_tenant().clone();
    /// assert!(tenant.check().is_ok());
    /// tenant.region = Some("0916200".into());
    /// let error = tenant.check().unwrap_err();
    /// assert!(error.starts_with("tenant `muenchen`: region"), "{error}");
    /// ```
    pub fn check(&self) -> Result<(), String> {
        let id = &self.id;
        if id.is_empty()
            || id.chars().count() > MAX_ID_CHARS
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || id.starts_with('-')
        {
            return Err(format!(
                "tenant `{id}`: id must be 1 to {MAX_ID_CHARS} lower-case letters, digits or `-` (not first)"
            ));
        }
        let field = |name: &str, problem: String| format!("tenant `{id}`: {name} {problem}");
        text(&self.name, MAX_NAME_CHARS).map_err(|p| field("name", p))?;
        text(&self.contact, MAX_GREETING_CHARS).map_err(|p| field("contact", p))?;
        if let Some(greeting) = &self.greeting {
            text(greeting, MAX_GREETING_CHARS).map_err(|p| field("greeting", p))?;
        }
        if !is_http_url(&self.contact_url) {
            return Err(field(
                "contact_url",
                format!(
                    "must be an http(s) URL, found {:?}",
                    self.contact_url.as_str()
                ),
            ));
        }
        for (name, url) in [
            ("privacy_url", &self.privacy_url),
            ("accessibility_url", &self.accessibility_url),
        ] {
            if let Some(url) = url
                && !is_page_link(url)
            {
                return Err(field(
                    name,
                    format!(
                        "must be an http(s) URL, a path starting with `/` or a `#place`, found {url:?}"
                    ),
                ));
            }
        }
        for (i, origin) in self.origins.iter().enumerate() {
            if !is_origin(origin) {
                return Err(field(
                    &format!("origins[{i}]"),
                    format!(
                        "must be an origin like \"https://www.portal.de\" (scheme, lower-case host, optional port; no path, no `/` at the end, no `*`), found {origin:?}"
                    ),
                ));
            }
            if self.origins[..i].contains(origin) {
                return Err(field(
                    &format!("origins[{i}]"),
                    format!("{origin:?} appears twice"),
                ));
            }
        }
        if let Some(region) = &self.region {
            check_ars(region).map_err(|p| field("region", p))?;
        }
        let accent = parse_colour(&self.theme.accent).map_err(|p| field("theme.accent", p))?;
        let accent_text =
            parse_colour(&self.theme.accent_text).map_err(|p| field("theme.accent_text", p))?;
        let ratio = contrast(accent, accent_text);
        if ratio < MIN_CONTRAST {
            return Err(field(
                "theme.accent_text",
                format!(
                    "{} on {} has a contrast of {ratio:.2}:1; at least {MIN_CONTRAST}:1 is required (WCAG 2.1 AA)",
                    self.theme.accent_text, self.theme.accent
                ),
            ));
        }
        Ok(())
    }
}

fn text(value: &str, max: usize) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("is empty".into());
    }
    let chars = value.chars().count();
    if chars > max {
        return Err(format!("has {chars} characters; at most {max} are allowed"));
    }
    Ok(())
}

/// An absolute `http` or `https` URL with a host and no spaces or quotes.
///
/// ```
/// use sophia::config::is_http_url;
/// assert!(is_http_url("https://www.hessen.de/kontakt"));
/// assert!(!is_http_url("javascript:alert(1)"));
/// assert!(!is_http_url("https:///pfad"));
/// ```
pub fn is_http_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty() && is_clean(url)
}

/// A link to a portal page: an `http(s)` URL, a path (`/datenschutz`) or a place on the
/// page (`#datenschutz`).
fn is_page_link(url: &str) -> bool {
    is_http_url(url)
        || (url.starts_with('/') && !url.starts_with("//") && url.len() > 1 && is_clean(url))
        || (url.starts_with('#') && url.len() > 1 && is_clean(url))
}

fn is_clean(url: &str) -> bool {
    !url.chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\'))
}

/// A serialised origin as browsers send it in `Origin`: `scheme://host[:port]`, lower case,
/// nothing after.
///
/// ```
/// use sophia::config::is_origin;
/// assert!(is_origin("https://www.hessen.de"));
/// assert!(is_origin("http://localhost:8080"));
/// assert!(!is_origin("https://www.hessen.de/"));
/// assert!(!is_origin("https://*.hessen.de"));
/// assert!(!is_origin("https://WWW.hessen.de"));
/// ```
pub fn is_origin(origin: &str) -> bool {
    let Some(authority) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, port) = match authority.rsplit_once(':') {
        // An IPv6 literal is in brackets: "[::1]:8080" or "[::1]".
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (authority, None),
    };
    let host_ok = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        v6.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    host_ok && port_ok
}

pub use crate::geo::check_ars;

/// Parses `#rrggbb` or `#rgb` into red, green and blue.
///
/// ```
/// use sophia::config::parse_colour;
/// assert_eq!(parse_colour("#005a9c"), Ok((0x00, 0x5a, 0x9c)));
/// assert_eq!(parse_colour("#fff"), Ok((255, 255, 255)));
/// assert!(parse_colour("blue").is_err());
/// ```
pub fn parse_colour(colour: &str) -> Result<(u8, u8, u8), String> {
    let error = || format!("must be a colour like \"#005a9c\" or \"#fff\", found {colour:?}");
    let hex = colour.strip_prefix('#').ok_or_else(error)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(error());
    }
    let channel = |s: &str| u8::from_str_radix(s, 16).map_err(|_| error());
    match hex.len() {
        6 => Ok((
            channel(&hex[0..2])?,
            channel(&hex[2..4])?,
            channel(&hex[4..6])?,
        )),
        3 => {
            let short = |i: usize| channel(&hex[i..=i]).map(|v| v * 17);
            Ok((short(0)?, short(1)?, short(2)?))
        }
        _ => Err(error()),
    }
}

/// The WCAG 2.1 contrast ratio of two colours (1 to 21).
///
/// ```
/// use sophia::config::contrast;
/// assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
/// assert!(contrast((0x00, 0x5a, 0x9c), (255, 255, 255)) > 4.5);
/// ```
pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> Tenant {
        crate::config::Config::shipped().default_tenant().clone()
    }

    fn error(change: impl FnOnce(&mut Tenant)) -> String {
        let mut t = tenant();
        change(&mut t);
        t.check().unwrap_err()
    }

    #[test]
    fn every_field_is_checked_and_named() {
        for (message, field) in [
            (error(|t| t.id = "München".into()), "id must be"),
            (error(|t| t.name = " ".into()), "name is empty"),
            (
                error(|t| t.greeting = Some(String::new())),
                "greeting is empty",
            ),
            (
                error(|t| t.greeting = Some("x".repeat(1001))),
                "greeting has 1001 characters",
            ),
            (error(|t| t.contact = String::new()), "contact is empty"),
            (
                error(|t| t.contact_url = "kontakt.html".into()),
                "contact_url must be",
            ),
            (
                error(|t| t.privacy_url = Some("javascript:alert(1)".into())),
                "privacy_url must be",
            ),
            (
                error(|t| t.accessibility_url = Some("//evil.example".into())),
                "accessibility_url must be",
            ),
            (
                error(|t| t.origins = vec!["https://portal.de/".into()]),
                "origins[0] must be",
            ),
            (
                error(|t| t.origins = vec!["*".into()]),
                "origins[0] must be",
            ),
            (
                error(|t| t.origins = vec!["https://a.de".into(), "https://a.de".into()]),
                "origins[1] \"https://a.de\" appears twice",
            ),
            (
                error(|t| t.region = Some("0916200000000".into())),
                "region must be an Amtlicher Regionalschlüssel",
            ),
            (
                error(|t| t.region = Some("170000000000".into())),
                "region \"170000000000\" starts with \"17\"",
            ),
            (
                error(|t| t.theme.accent = "blue".into()),
                "theme.accent must be a colour",
            ),
            (
                error(|t| t.theme.accent_text = "#ffff".into()),
                "theme.accent_text must be a colour",
            ),
            (
                error(|t| t.theme.accent_text = "#6b7078".into()),
                "theme.accent_text #6b7078 on #005a9c has a contrast of",
            ),
        ] {
            assert!(
                message.starts_with("tenant `") && message.contains(field),
                "{field}: {message}"
            );
        }
    }

    #[test]
    fn ipv6_and_ports_are_origins() {
        assert!(is_origin("http://[::1]:8080"));
        assert!(is_origin("https://portal.de:8443"));
        assert!(!is_origin("https://portal.de:0"));
        assert!(!is_origin("https://portal.de:99999"));
        assert!(!is_origin("ftp://portal.de"));
        assert!(!is_origin("https://user@portal.de"));
    }

    #[test]
    fn page_links_may_be_paths_or_places() {
        assert!(is_page_link("/datenschutz"));
        assert!(is_page_link("#barrierefreiheit"));
        assert!(!is_page_link("/"));
        assert!(!is_page_link("/a b"));
        assert!(!is_page_link("/\"><script>"));
    }
}
