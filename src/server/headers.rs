//! Security headers on every response, and never a cookie.

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;

/// The Content-Security-Policy of every response: scripts, styles and requests only from
/// Sophia's own origin, no inline script or style, no plugins, no framing. It fits the JSON
/// API (which loads nothing) and the demo page (which loads `/widget/sophia.js`,
/// `/demo/demo.js` and `/demo/demo.css` from its own origin).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The headers set on every response.
///
/// ```
/// let names: Vec<_> = sophia::server::SECURITY_HEADERS.iter().map(|(name, _)| *name).collect();
/// assert!(names.contains(&"x-content-type-options"));
/// ```
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
];

/// Response mapper: sets the security headers (replacing any a handler set) and removes
/// `Set-Cookie`, so no response ever sets a cookie.
pub async fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    headers.remove(header::SET_COOKIE);
    response
}
