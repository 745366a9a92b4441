//! `[server]`: who may forward client addresses, the per-client rate limit, and how long a
//! client may take to send a request's headers.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;
use serde::Deserialize;

/// Settings of the public listener. They are read at start; changing them needs a restart.
///
/// ```
/// let server = sophia::config::Config::shipped().server;
/// assert!(server.trusted_proxies().unwrap().iter().any(|net| net.contains(&"127.0.0.1".parse::<std::net::IpAddr>().unwrap())));
/// assert!(server.rate_limit.per_minute > 0);
/// ```
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// The reverse proxies (CIDRs like `"10.0.0.0/8"`, or single addresses) whose
    /// `X-Forwarded-For` and `Forwarded` headers name the client. From any other peer these
    /// headers are ignored and the peer's address is the client.
    pub trusted_proxies: Vec<String>,
    /// The per-client rate limit of the API.
    pub rate_limit: RateLimit,
    /// Milliseconds a client may take to send a request's headers, counted from the
    /// moment the server waits for them (also on an idle kept-alive connection); then the
    /// connection is closed (100 to 300,000). Keeps slow-loris clients from holding
    /// connections for ever.
    pub header_timeout_ms: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            trusted_proxies: vec!["127.0.0.1/32".into(), "::1/128".into()],
            rate_limit: RateLimit::default(),
            header_timeout_ms: 10_000,
        }
    }
}

/// How many API requests one client (address) may send.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimit {
    /// Sustained requests a minute (1 to 60,000).
    pub per_minute: u32,
    /// Requests a client may send at once before the sustained rate applies (1 to 10,000).
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            per_minute: 60,
            burst: 20,
        }
    }
}

impl ServerConfig {
    /// The trusted proxies, parsed; the error names the entry.
    ///
    /// ```
    /// let mut server = sophia::config::ServerConfig::default();
    /// server.trusted_proxies = vec!["10.0.0.0/8".into(), "192.0.2.7".into()];
    /// assert_eq!(server.trusted_proxies().unwrap().len(), 2);
    /// server.trusted_proxies = vec!["10.0.0.0/33".into()];
    /// assert!(server.trusted_proxies().unwrap_err().contains("server.trusted_proxies[0]"));
    /// ```
    pub fn trusted_proxies(&self) -> Result<Vec<IpNet>, String> {
        self.trusted_proxies
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!(
                            "server.trusted_proxies[{i}] must be an address or a CIDR like \"10.0.0.0/8\" or \"fd00::/8\", found {entry:?}"
                        )
                    })
            })
            .collect()
    }

    /// How long a client may take to send a request's headers.
    ///
    /// ```
    /// let server = sophia::config::ServerConfig::default();
    /// assert_eq!(server.header_timeout(), std::time::Duration::from_secs(10));
    /// ```
    pub fn header_timeout(&self) -> Duration {
        Duration::from_millis(self.header_timeout_ms)
    }

    /// Checks every value; the error names the key.
    pub fn check(&self) -> Result<(), String> {
        self.trusted_proxies()?;
        if !(100..=300_000).contains(&self.header_timeout_ms) {
            return Err(format!(
                "server.header_timeout_ms must be between 100 and 300000, found {}",
                self.header_timeout_ms
            ));
        }
        let RateLimit { per_minute, burst } = self.rate_limit;
        if !(1..=60_000).contains(&per_minute) {
            return Err(format!(
                "server.rate_limit.per_minute must be between 1 and 60000, found {per_minute}"
            ));
        }
        if !(1..=10_000).contains(&burst) {
            return Err(format!(
                "server.rate_limit.burst must be between 1 and 10000, found {burst}"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_out_of_range_are_named() {
        let mut server = ServerConfig::default();
        server.rate_limit.per_minute = 0;
        assert!(server.check().unwrap_err().contains("per_minute"));
        server.rate_limit = RateLimit {
            per_minute: 10,
            burst: 0,
        };
        assert!(server.check().unwrap_err().contains("burst"));
        let server = ServerConfig {
            header_timeout_ms: 50,
            ..ServerConfig::default()
        };
        assert!(server.check().unwrap_err().contains("header_timeout_ms"));
    }
}
