//! Prometheus metrics with a `tenant` label: requests, latency, answers by kind, fallbacks.
//!
//! Each [`Metrics`] owns its own recorder (no global recorder is installed), so routers in
//! one process, such as parallel tests, count apart. `sophia serve` shares one between the
//! public listener, which counts, and the admin listener, which serves `GET /metrics`.
//!
//! | metric | labels |
//! | --- | --- |
//! | `sophia_http_requests_total` | `tenant`, `endpoint`, `status` |
//! | `sophia_http_request_duration_seconds` (histogram) | `tenant`, `endpoint` |
//! | `sophia_answers_total` | `tenant`, `kind` |
//! | `sophia_fallbacks_total` | `tenant`, `intent` |
//! | `sophia_feedback_total` | `tenant`, `helpful` |
//! | `sophia_rate_limited_total` | none |
//!
//! `tenant` is a configured tenant id, `unknown` for a tenant that does not exist and `none`
//! for requests about no tenant (health, the widget script): request data never becomes a
//! label value, so a client cannot grow the label set.
//!
//! The exporter keeps histogram samples raw until they are drained into their buckets;
//! without a scrape of `GET /metrics` they would pile up, one sample a request, for as long
//! as the server runs. They are drained every [`UPKEEP_EVERY`] requests, scraped or not.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics::{Recorder, counter, histogram, with_local_recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use crate::dialog::{Reply, ReplyKind};

/// Latency buckets (seconds): answers take about a millisecond, the timeout is 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Requests between two drains of the raw histogram samples into their buckets.
const UPKEEP_EVERY: u64 = 1024;

/// The tenant a response was about, set by the handlers for the request metrics.
#[derive(Debug, Clone)]
pub struct TenantLabel(pub String);

/// The metrics of one server.
///
/// ```
/// let metrics = sophia::server::Metrics::new();
/// assert!(!metrics.render().contains("sophia_answers_total"));
/// ```
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
    /// Requests counted, for the upkeep.
    requests: Arc<AtomicU64>,
    /// Upkeeps run (observed by the tests).
    upkeeps: Arc<AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Empty metrics with their own recorder.
    pub fn new() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets(LATENCY_BUCKETS)
            .expect("the latency buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        Metrics {
            recorder: Arc::new(recorder),
            handle,
            requests: Arc::new(AtomicU64::new(0)),
            upkeeps: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Everything counted, in the Prometheus text format.
    pub fn render(&self) -> String {
        self.handle.render()
    }

    fn record(&self, f: impl FnOnce()) {
        let recorder: &dyn Recorder = &*self.recorder;
        with_local_recorder(recorder, f);
    }

    /// Counts one answer of `tenant`.
    pub fn answer(&self, tenant: &str, reply: &Reply) {
        let kind = kind_label(reply.kind);
        let tenant = tenant.to_string();
        self.record(|| {
            counter!("sophia_answers_total", "tenant" => tenant.clone(), "kind" => kind)
                .increment(1);
            if reply.kind == ReplyKind::Fallback {
                counter!(
                    "sophia_fallbacks_total",
                    "tenant" => tenant,
                    "intent" => reply.intent.name.clone()
                )
                .increment(1);
            }
        });
    }

    /// Counts one feedback.
    pub fn feedback(&self, tenant: &str, helpful: bool) {
        let tenant = tenant.to_string();
        self.record(|| {
            counter!(
                "sophia_feedback_total",
                "tenant" => tenant,
                "helpful" => if helpful { "true" } else { "false" }
            )
            .increment(1);
        });
    }

    /// Counts one request refused by the rate limit.
    pub fn rate_limited(&self) {
        self.record(|| counter!("sophia_rate_limited_total").increment(1));
    }

    fn request(&self, tenant: String, endpoint: String, status: u16, seconds: f64) {
        self.record(|| {
            counter!(
                "sophia_http_requests_total",
                "tenant" => tenant.clone(),
                "endpoint" => endpoint.clone(),
                "status" => status.to_string()
            )
            .increment(1);
            histogram!(
                "sophia_http_request_duration_seconds",
                "tenant" => tenant,
                "endpoint" => endpoint
            )
            .record(seconds);
        });
        if self.requests.fetch_add(1, Ordering::Relaxed) % UPKEEP_EVERY == UPKEEP_EVERY - 1 {
            self.handle.run_upkeep();
            self.upkeeps.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The `kind` label of a reply kind (as in the API).
fn kind_label(kind: ReplyKind) -> &'static str {
    match kind {
        ReplyKind::Service => "service",
        ReplyKind::Aspect => "aspect",
        ReplyKind::Clarify => "clarify",
        ReplyKind::Smalltalk => "smalltalk",
        ReplyKind::Custom => "custom",
        ReplyKind::Office => "office",
        ReplyKind::Fallback => "fallback",
    }
}

/// Middleware: counts every request and its latency by tenant, endpoint and status.
pub async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    // The route pattern, never the raw path: unknown paths share one label.
    let endpoint = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    let tenant = response
        .extensions()
        .get::<TenantLabel>()
        .map_or_else(|| "none".to_string(), |t| t.0.clone());
    metrics.request(
        tenant,
        endpoint,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics` over `metrics`, to merge into a router (the admin listener's, in `sophia
/// serve`).
///
/// ```
/// let metrics = sophia::server::Metrics::new();
/// let app = sophia::server::metrics_router(metrics);
/// # let _ = app;
/// ```
pub fn metrics_router(metrics: Metrics) -> Router {
    Router::new().route(
        "/metrics",
        get(|State(metrics): State<Metrics>| async move {
            (
                [(
                    header::CONTENT_TYPE,
                    "text/plain; version=0.0.4; charset=utf-8",
                )],
                metrics.render(),
            )
                .into_response()
        })
        .with_state(metrics),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_metrics_count_apart() {
        let (a, b) = (Metrics::new(), Metrics::new());
        a.feedback("muenchen", true);
        assert!(
            a.render()
                .contains("sophia_feedback_total{tenant=\"muenchen\",helpful=\"true\"} 1")
        );
        assert!(!b.render().contains("sophia_feedback_total"));
    }

    #[test]
    fn histogram_samples_are_drained_without_a_scrape() {
        let metrics = Metrics::new();
        let request = || metrics.request("muenchen".into(), "/api/v1/chat".into(), 200, 0.001);
        for _ in 0..UPKEEP_EVERY - 1 {
            request();
        }
        assert_eq!(metrics.upkeeps.load(Ordering::Relaxed), 0);
        request();
        assert_eq!(metrics.upkeeps.load(Ordering::Relaxed), 1);
        for _ in 0..UPKEEP_EVERY {
            request();
        }
        assert_eq!(metrics.upkeeps.load(Ordering::Relaxed), 2);
        // Nothing counted is lost by draining.
        let count = format!(
            "sophia_http_request_duration_seconds_count{{tenant=\"muenchen\",endpoint=\"/api/v1/chat\"}} {}",
            2 * UPKEEP_EVERY
        );
        assert!(metrics.render().contains(&count), "{}", metrics.render());
    }
}
