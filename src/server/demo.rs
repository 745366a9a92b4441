//! The demo portal page (`GET /?tenant=ID`) and its static files: the widget embedded with
//! one script tag whose `data-*` settings come from the chosen tenant's configuration.
//!
//! The page (`widget/demo.html`) is a template: each `{{name}}` is replaced by an
//! HTML-escaped value. It has no inline script or style, so it works under the strict CSP
//! every response carries; its styles are `/demo/demo.css` and `/demo/theme.css?tenant=ID`
//! (the tenant's colours), its script `/demo/demo.js`.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::metrics::TenantLabel;
use crate::config::{Config, Skills, Tenant};

const TEMPLATE: &str = include_str!("../../widget/demo.html");
const DEMO_CSS: &str = include_str!("../../widget/demo/demo.css");
const DEMO_JS: &str = include_str!("../../widget/demo/demo.js");

/// The query of the demo page.
#[derive(Debug, Deserialize)]
pub struct DemoQuery {
    /// The tenant to show; the default tenant when absent.
    tenant: Option<String>,
}

/// `GET /`: the demo page for `?tenant=ID` (the default tenant without it); an unknown
/// tenant is a 404 page.
pub async fn page(State(state): State<AppState>, Query(query): Query<DemoQuery>) -> Response {
    let engine = state.engine.current();
    let config = &engine.snapshot().config;
    match tenant(config, query.tenant.as_deref()) {
        Some(tenant) => {
            let mut response = Html(render_page(config, tenant)).into_response();
            response
                .extensions_mut()
                .insert(TenantLabel(tenant.id.clone()));
            response
        }
        None => {
            let mut response = (
                StatusCode::NOT_FOUND,
                Html(render_unknown(
                    config,
                    query.tenant.as_deref().unwrap_or_default(),
                )),
            )
                .into_response();
            response
                .extensions_mut()
                .insert(TenantLabel("unknown".into()));
            response
        }
    }
}

/// `GET /demo/theme.css?tenant=ID`: the tenant's colours as CSS custom properties, for the
/// demo page and the widget (`--sophia-primary`, `--sophia-on-primary`).
pub async fn theme(State(state): State<AppState>, Query(query): Query<DemoQuery>) -> Response {
    let engine = state.engine.current();
    let config = &engine.snapshot().config;
    let Some(tenant) = tenant(config, query.tenant.as_deref()) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
            "/* unknown tenant */\n",
        )
            .into_response();
    };
    // The colours were checked to be #rgb or #rrggbb when the configuration was loaded.
    let (accent, text) = (&tenant.theme.accent, &tenant.theme.accent_text);
    let css = format!(
        ":root {{ --portal-accent: {accent}; --portal-accent-text: {text}; }}\nsophia-chat {{ --sophia-primary: {accent}; --sophia-on-primary: {text}; }}\n"
    );
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], css).into_response()
}

/// `GET /demo/demo.css`.
pub async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        DEMO_CSS,
    )
        .into_response()
}

/// `GET /demo/demo.js`.
pub async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        DEMO_JS,
    )
        .into_response()
}

fn tenant<'a>(config: &'a Config, id: Option<&str>) -> Option<&'a Tenant> {
    match id {
        None => Some(config.default_tenant()),
        Some(id) => config.tenant(id),
    }
}

/// The demo page for `tenant`.
///
/// ```
/// let config = sophia::config::Config::shipped();
/// let page = sophia::server::render_page(&config, config.tenant("kreis-basis").unwrap());
/// assert!(page.contains(r#"data-tenant="kreis-basis""#));
/// assert!(page.contains(r##"data-color-primary="#3d3d3d""##));
/// ```
pub fn render_page(config: &Config, tenant: &Tenant) -> String {
    let links: Vec<String> = config
        .tenants
        .iter()
        .map(|t| {
            let current = if t.id == tenant.id {
                r#" aria-current="page""#
            } else {
                ""
            };
            format!(
                "        <li><a href=\"?tenant={}\"{current}>{}</a></li>",
                escape(&t.id),
                escape(&t.name)
            )
        })
        .collect();
    let skills = match tenant.skills {
        Skills::Full => "Vollversion (Leistungen, Small Talk und eigene Antworten der Redaktion)",
        Skills::Basic => "Basisversion (nur Leistungen)",
    };
    let origins = if tenant.origins.is_empty() {
        "keine (nur diese Seite)".to_string()
    } else {
        tenant.origins.join(", ")
    };
    let optional = |value: &Option<String>| value.clone().unwrap_or_default();
    let values = [
        ("tenant_links", links.join("\n")),
        ("tenant", escape(&tenant.id)),
        ("name", escape(&tenant.name)),
        ("greeting", escape(&optional(&tenant.greeting))),
        ("privacy_url", escape(&optional(&tenant.privacy_url))),
        (
            "accessibility_url",
            escape(&optional(&tenant.accessibility_url)),
        ),
        ("accent", escape(&tenant.theme.accent)),
        ("accent_text", escape(&tenant.theme.accent_text)),
        ("skills", escape(skills)),
        (
            "region",
            escape(tenant.region.as_deref().unwrap_or("nicht angegeben")),
        ),
        ("origins", escape(&origins)),
        ("contact", escape(&tenant.contact)),
    ];
    fill(TEMPLATE, &values)
}

/// The 404 page for an unknown `?tenant=`.
fn render_unknown(config: &Config, id: &str) -> String {
    let links: String = config
        .tenants
        .iter()
        .map(|t| {
            format!(
                "<li><a href=\"?tenant={}\">{}</a></li>",
                escape(&t.id),
                escape(&t.name)
            )
        })
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"de\">\n<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"demo/demo.css\"><title>Portal nicht gefunden</title></head>\n<body><main class=\"wrap\"><h1>Portal nicht gefunden</h1><p>Ein Portal (Mandant) <code>{}</code> ist nicht eingerichtet. Diese Beispielportale gibt es:</p><ul>{links}</ul></main></body>\n</html>\n",
        escape(id)
    )
}

/// Replaces each `{{name}}` of `template` by its value, in one pass (a value that contains
/// braces is not filled again); an unknown name stays as it is.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut page = String::with_capacity(template.len() + 4096);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        page.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = &after[..end];
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => page.push_str(value),
                    None => page.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                page.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    page.push_str(rest);
    page
}

/// Escapes text for HTML content and quoted attribute values.
///
/// ```
/// assert_eq!(sophia::server::escape_html(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
/// ```
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled_for_every_shipped_tenant() {
        let config = Config::shipped();
        for tenant in &config.tenants {
            let page = render_page(&config, tenant);
            assert!(!page.contains("{{"), "{}: {page}", tenant.id);
            assert!(page.contains(&format!("data-tenant=\"{}\"", tenant.id)));
            assert!(!page.contains("<style") && !page.contains("style="));
            // Every script is external.
            assert_eq!(
                page.matches("<script").count(),
                page.matches("<script src=").count()
            );
        }
    }

    #[test]
    fn filling_is_one_pass() {
        let values = [("a", "{{b}}".to_string()), ("b", "x".to_string())];
        assert_eq!(fill("1{{a}}2{{b}}3{{c}}", &values), "1{{b}}2x3{{c}}");
    }

    #[test]
    fn values_are_escaped() {
        let mut config = Config::shipped();
        config.tenants[0].name = "<b>\"Stadt\" & Land</b>".into();
        let page = render_page(&config, &config.tenants[0]);
        assert!(page.contains("data-title=\"&lt;b&gt;&quot;Stadt&quot; &amp; Land&lt;/b&gt;\""));
        assert!(!page.contains("<b>\"Stadt"));
        let unknown = render_unknown(&config, "<script>");
        assert!(unknown.contains("&lt;script&gt;") && !unknown.contains("<code><script>"));
    }
}
