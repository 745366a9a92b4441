//! The HTTP server: the chat API, health, and the demo page, around the engine.
//!
//! Every response carries the security headers ([`SECURITY_HEADERS`]) and no cookie; CORS
//! allows the tenants' origins and the chat refuses an origin its tenant does not allow
//! (403); the API is rate-limited per client (429 with `Retry-After`); requests are counted
//! in [`Metrics`], served as `GET /metrics` on the admin listener.

mod admin;
mod api;
mod client_addr;
mod demo;
mod error;
mod headers;
mod listener;
mod metrics;
mod origin;
mod rate_limit;
mod reload;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::middleware::{from_fn_with_state, map_response};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use admin::admin_router;
pub use client_addr::client_addr;
pub use demo::{escape as escape_html, render_page};
pub use error::ApiError;
pub use headers::{CONTENT_SECURITY_POLICY, SECURITY_HEADERS};
pub use listener::{MAX_HEAD_BYTES, MAX_HEADERS, serve_http};
pub use metrics::{Metrics, TenantLabel, metrics_router};
pub use origin::{check_origin, cors_layer};
pub use rate_limit::RateLimiter;
pub use reload::{ContentSource, LiveEngine, Reloaded, Reloader};

use crate::dialog::Engine;
use crate::review::ReviewLog;

/// Largest request body accepted (bytes).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Longest time a request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

const WIDGET_JS: &str = include_str!("../../widget/sophia.js");

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The engine answering (swapped by reloads).
    pub engine: LiveEngine,
    /// Where unanswered questions are recorded for review, if anywhere.
    pub review: Option<Arc<ReviewLog>>,
    /// What is counted for `GET /metrics`.
    pub metrics: Metrics,
    /// Answers computed at once (see [`answering_limit`]); more wait for a permit.
    pub answering: Arc<tokio::sync::Semaphore>,
}

/// How many answers are computed at once: twice the cores. Answering is CPU-bound, so more
/// at once only adds threads to the blocking pool (each with its stack and allocator
/// caches: memory that grew under sustained load) without answering sooner; requests over
/// it wait, within the request timeout.
pub fn answering_limit() -> usize {
    2 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl AppState {
    /// The state over `engine`, with fresh metrics.
    pub fn new(engine: LiveEngine, review: Option<Arc<ReviewLog>>) -> AppState {
        AppState {
            engine,
            review,
            metrics: Metrics::new(),
            answering: Arc::new(tokio::sync::Semaphore::new(answering_limit())),
        }
    }
}

/// The router with every endpoint, without a review log.
///
/// ```
/// let app = sophia::server::router(sophia::Engine::shipped());
/// # let _ = app;
/// ```
pub fn router(engine: Engine) -> Router {
    live_router(LiveEngine::new(engine), None)
}

/// The router with every endpoint, recording unanswered questions to `review`.
///
/// ```
/// use std::sync::Arc;
/// use sophia::review::ReviewLog;
/// let app = sophia::server::router_with_review(
///     sophia::Engine::shipped(),
///     Some(Arc::new(ReviewLog::stdout())),
/// );
/// # let _ = app;
/// ```
pub fn router_with_review(engine: Engine, review: Option<Arc<ReviewLog>>) -> Router {
    live_router(LiveEngine::new(engine), review)
}

/// The router over an engine that reloads may swap, recording unanswered questions to
/// `review`, if given.
pub fn live_router(engine: LiveEngine, review: Option<Arc<ReviewLog>>) -> Router {
    public_router(AppState::new(engine, review))
}

/// The public router over `state`: the API, health, the demo page and the widget, with
/// CORS, the origin check, the rate limit (its own, living as long as the router), the
/// security headers and the metrics. The rate limit and trusted proxies are read from the
/// configuration now; a reload does not change them. The rate limit keys on the peer
/// address: serve the router with `into_make_service_with_connect_info::<SocketAddr>()`.
///
/// ```
/// use sophia::server::{AppState, LiveEngine, public_router};
/// let state = AppState::new(LiveEngine::new(sophia::Engine::shipped()), None);
/// let metrics = state.metrics.clone(); // for the admin listener's GET /metrics
/// let app = public_router(state);
/// # let _ = (app, metrics);
/// ```
pub fn public_router(state: AppState) -> Router {
    let server = state.engine.current().snapshot().config.server.clone();
    let limiter = RateLimiter::new(&server).expect("checked when the configuration was loaded");
    let api = Router::new()
        .route("/api/v1/chat", post(api::chat))
        .route("/api/v1/feedback", post(api::feedback))
        .layer(from_fn_with_state(
            (limiter, state.metrics.clone()),
            rate_limit::limit,
        ));
    Router::new()
        .merge(api)
        .route("/health", get(api::health))
        .route("/", get(demo::page))
        .route("/demo/demo.css", get(demo::css))
        .route("/demo/demo.js", get(demo::script))
        .route("/demo/theme.css", get(demo::theme))
        .route(
            "/widget/sophia.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    WIDGET_JS,
                )
            }),
        )
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(map_response(json_errors))
        .layer(from_fn_with_state(state.metrics.clone(), metrics::track))
        .layer(cors_layer(state.engine.clone()))
        .layer(map_response(headers::secure))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Gives every error a JSON body: layers and the router answer some (405, 408) without one.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let empty = response
        .headers()
        .get(header::CONTENT_LENGTH)
        .is_some_and(|l| l == "0")
        || response.headers().get(header::CONTENT_TYPE).is_none();
    if (status.is_client_error() || status.is_server_error()) && empty {
        return ApiError::from_status(status).into_response();
    }
    response
}

/// Serves the public API on `addr` and the admin endpoints (reload, health, `GET /metrics`)
/// on `admin_addr` until SIGTERM or Ctrl-C, finishing requests in flight. SIGHUP reloads
/// the content. Unanswered questions are recorded to `review`, if given. A client must send
/// each request's headers within `[server] header_timeout_ms` (see [`serve_http`]).
pub async fn serve(
    reloader: Arc<Reloader>,
    addr: &str,
    admin_addr: &str,
    review: Option<Arc<ReviewLog>>,
) -> std::io::Result<()> {
    let bind = |addr: &str| {
        let addr = addr.to_string();
        async move {
            tokio::net::TcpListener::bind(&addr)
                .await
                .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))
        }
    };
    let listener = bind(addr).await?;
    let admin = bind(admin_addr).await?;
    let engine = reloader.live().current();
    tracing::info!(
        "Sophia listening on http://{} (content {}, packs {}); admin on http://{}",
        listener.local_addr()?,
        engine.snapshot().version(),
        engine.snapshot().packs_version(),
        admin.local_addr()?,
    );
    if engine
        .snapshot()
        .config
        .admin_tokens(|name| std::env::var(name).ok())
        .is_empty()
    {
        tracing::warn!(
            "no admin token configured: POST /admin/reload refuses every request (SIGHUP still reloads)"
        );
    }
    let header_timeout = engine.snapshot().config.server.header_timeout();
    drop(engine);
    #[cfg(unix)]
    tokio::spawn(reload_on_hangup(Arc::clone(&reloader)));
    let state = AppState::new(reloader.live().clone(), review);
    let admin_app =
        admin_router(Arc::clone(&reloader)).merge(metrics_router(state.metrics.clone()));
    tokio::spawn(serve_http(
        admin,
        admin_app,
        header_timeout,
        std::future::pending(),
    ));
    serve_http(
        listener,
        public_router(state),
        header_timeout,
        shutdown_signal(),
    )
    .await;
    Ok(())
}

/// Reloads the content on every SIGHUP.
#[cfg(unix)]
async fn reload_on_hangup(reloader: Arc<Reloader>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else {
        tracing::warn!("cannot listen for SIGHUP: reload through POST /admin/reload");
        return;
    };
    while hangups.recv().await.is_some() {
        // The outcome is logged by the reloader.
        let _ = reloader.reload("SIGHUP").await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Sets up logging: `RUST_LOG` filters (default `info` when serving, `warn` otherwise);
/// `SOPHIA_LOG_FORMAT=json` writes JSON lines. Citizens' messages are logged only at
/// `debug` level.
pub fn init_logging(serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving {
        "info,tower_http=info"
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let json = std::env::var("SOPHIA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
