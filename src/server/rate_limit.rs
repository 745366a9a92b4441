//! The per-client rate limit of the API (governor's GCRA, keyed by client address).
//!
//! Over the limit a request is answered `429 Too Many Requests` with `Retry-After` (whole
//! seconds) and the JSON error body. The client is the peer address, or the address a
//! trusted proxy names (see [`client_addr`](super::client_addr)). The peer address comes
//! from axum's `ConnectInfo`: serve the router with
//! `into_make_service_with_connect_info::<SocketAddr>()` (as `sophia serve` does); a request
//! without it (the router called in-process, as in tests) is not limited.
//!
//! An IPv6 client is limited by its /64 network: one household or host usually holds a
//! whole /64 and could otherwise give every request a fresh address.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use ipnet::IpNet;

use super::ApiError;
use super::client_addr::client_addr;
use super::metrics::Metrics;
use crate::config::ServerConfig;

/// How often (in requests) clients that are back to a full burst are forgotten.
const FORGET_EVERY: u64 = 4096;

/// The rate limiter of one router: its state lives as long as the router.
///
/// ```
/// let config = sophia::config::ServerConfig::default();
/// let limiter = sophia::server::RateLimiter::new(&config).unwrap();
/// # let _ = limiter;
/// ```
#[derive(Clone)]
pub struct RateLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    trusted: Arc<Vec<IpNet>>,
    requests: Arc<AtomicU64>,
}

impl RateLimiter {
    /// A limiter with the rate, burst and trusted proxies of `[server]`.
    pub fn new(config: &ServerConfig) -> Result<RateLimiter, String> {
        config.check()?;
        let per_minute = NonZeroU32::new(config.rate_limit.per_minute)
            .ok_or("server.rate_limit.per_minute must be at least 1")?;
        let burst = NonZeroU32::new(config.rate_limit.burst)
            .ok_or("server.rate_limit.burst must be at least 1")?;
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        Ok(RateLimiter {
            limiter: Arc::new(DefaultKeyedRateLimiter::keyed(quota)),
            trusted: Arc::new(config.trusted_proxies()?),
            requests: Arc::new(AtomicU64::new(0)),
        })
    }

    /// The client of `request`, or `None` for a request that did not come over a socket
    /// (the router called in-process, as tests do): there is no client to limit.
    fn client(&self, request: &Request) -> Option<IpAddr> {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()?
            .0
            .ip();
        Some(client_addr(peer, request.headers(), &self.trusted))
    }

    /// `Ok` when `client` may send a request now, else how many whole seconds to wait.
    fn check(&self, client: &IpAddr) -> Result<(), u64> {
        if self.requests.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter
            .check_key(&limit_key(*client))
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
            })
    }
}

/// Middleware: answers 429 with `Retry-After` when the client is over its limit.
pub async fn limit(
    State((limiter, metrics)): State<(RateLimiter, Metrics)>,
    request: Request,
    next: Next,
) -> Response {
    let Some(client) = limiter.client(&request) else {
        return next.run(request).await;
    };
    match limiter.check(&client) {
        Ok(()) => next.run(request).await,
        Err(seconds) => {
            let seconds = seconds.max(1);
            metrics.rate_limited();
            let mut response = ApiError::too_many_requests(format!(
                "too many requests from this address; try again in {seconds} s"
            ))
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
    }
}

/// The key a client is limited under: its IPv4 address (also when mapped into IPv6), or
/// its IPv6 /64 network.
fn limit_key(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RateLimit;

    fn one_at_a_time() -> RateLimiter {
        let config = ServerConfig {
            rate_limit: RateLimit {
                per_minute: 1,
                burst: 1,
            },
            ..ServerConfig::default()
        };
        RateLimiter::new(&config).unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_addresses_of_one_ipv6_64_share_a_budget() {
        let limiter = one_at_a_time();
        assert!(limiter.check(&ip("2001:db8:1:2::1")).is_ok());
        // Another address of the same /64: no fresh budget.
        assert!(
            limiter
                .check(&ip("2001:db8:1:2:ffff:ffff:ffff:ffff"))
                .is_err()
        );
        // The next /64 is another client.
        assert!(limiter.check(&ip("2001:db8:1:3::1")).is_ok());
    }

    #[test]
    fn ipv4_clients_are_limited_by_address_also_when_mapped() {
        let limiter = one_at_a_time();
        assert!(limiter.check(&ip("192.0.2.1")).is_ok());
        assert!(limiter.check(&ip("::ffff:192.0.2.1")).is_err());
        assert!(limiter.check(&ip("192.0.2.2")).is_ok());
    }
}
