//! Which pages may call the API: CORS for the union of all tenants' origins, and the check
//! that a request's `Origin` is allowed for the tenant it names.
//!
//! CORS alone only stops a browser from reading a reply; the per-tenant check refuses the
//! request itself (403), so a page of one portal cannot chat in another portal's name.
//! Requests without `Origin` (curl, servers, same-origin `GET`s) are not browsers' cross-site
//! requests and pass; so does a page served by Sophia itself (its `Origin` names the host the
//! request was sent to, as for the demo page or a portal proxying Sophia with its `Host`).

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::ApiError;
use super::reload::LiveEngine;
use crate::config::{Config, Tenant};

/// How long browsers may cache a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// CORS for every origin some tenant of the configuration being served allows (read on each
/// request, so a reload can add or remove origins). No credentials: the API uses no cookies.
pub fn cors_layer(engine: LiveEngine) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            let engine = engine.current();
            let config = &engine.snapshot().config;
            origin
                .to_str()
                .is_ok_and(|origin| config.allows_origin(origin))
        }))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(PREFLIGHT_MAX_AGE)
}

/// Checks the request's `Origin` against `tenant`'s origins, or, without a tenant, against
/// every tenant's.
///
/// ```
/// use axum::http::HeaderMap;
/// use sophia::config::Config;
/// use sophia::server::check_origin;
/// let config = Config::shipped();
/// let hessen = config.tenant("land-hessen");
/// let mut headers = HeaderMap::new();
/// assert!(check_origin(&headers, &config, hessen).is_ok()); // no Origin: curl, a server
/// headers.insert("origin", "https://www.hessen.de".parse().unwrap());
/// assert!(check_origin(&headers, &config, hessen).is_ok());
/// assert!(check_origin(&headers, &config, config.tenant("muenchen")).is_err());
/// ```
pub fn check_origin(
    headers: &HeaderMap,
    config: &Config,
    tenant: Option<&Tenant>,
) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("(not text)");
    if is_same_origin(origin, headers) {
        return Ok(());
    }
    let allowed = match tenant {
        Some(tenant) => tenant.origins.iter().any(|o| o == origin),
        None => config.allows_origin(origin),
    };
    if allowed {
        return Ok(());
    }
    Err(ApiError::forbidden(
        "origin_not_allowed",
        match tenant {
            Some(tenant) => format!(
                "origin {origin:?} is not allowed for tenant `{}`: add it to the tenant's `origins` in sophia.toml",
                tenant.id
            ),
            None => format!(
                "origin {origin:?} is not allowed for any tenant: add it to a tenant's `origins` in sophia.toml"
            ),
        },
    ))
}

/// True when `origin` names the host the request was sent to (`Host`).
fn is_same_origin(origin: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    authority.is_some_and(|authority| authority.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn a_page_of_the_same_host_is_allowed() {
        let config = Config::shipped();
        let h = headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(check_origin(&h, &config, config.tenant("kreis-basis")).is_ok());
        let h = headers(&[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(check_origin(&h, &config, config.tenant("kreis-basis")).is_err());
    }

    #[test]
    fn the_error_names_origin_and_tenant() {
        let config = Config::shipped();
        let h = headers(&[("origin", "https://www.hessen.de")]);
        let error = check_origin(&h, &config, config.tenant("muenchen")).unwrap_err();
        assert_eq!(error.status, axum::http::StatusCode::FORBIDDEN);
        assert!(
            error.message.contains("\"https://www.hessen.de\"")
                && error.message.contains("`muenchen`"),
            "{}",
            error.message
        );
        let h = headers(&[("origin", "null")]);
        assert!(check_origin(&h, &config, None).is_err());
    }
}
