//! The client's address: the peer's, or, when the peer is a trusted reverse proxy, the one
//! its `Forwarded` / `X-Forwarded-For` header names.
//!
//! A client can write any `X-Forwarded-For` it likes, so the header is believed only from
//! the proxies configured in `[server] trusted_proxies`, and only as far as the chain of
//! trusted proxies reaches: the list is read from the right (the hop nearest to Sophia), every
//! trusted proxy is skipped, and the first address that is not a trusted proxy is the client.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The client's address as seen through `trusted` proxies; `peer` is the address of the
/// TCP connection.
///
/// ```
/// use axum::http::HeaderMap;
/// use sophia::server::client_addr;
/// let trusted = ["10.0.0.0/8".parse().unwrap()];
/// let mut headers = HeaderMap::new();
/// headers.insert("x-forwarded-for", "203.0.113.9, 10.0.0.5".parse().unwrap());
/// // Through the trusted proxy 10.0.0.1: the client the proxies name.
/// assert_eq!(client_addr("10.0.0.1".parse().unwrap(), &headers, &trusted), "203.0.113.9".parse::<std::net::IpAddr>().unwrap());
/// // From anyone else the header is ignored.
/// assert_eq!(client_addr("198.51.100.7".parse().unwrap(), &headers, &trusted), "198.51.100.7".parse::<std::net::IpAddr>().unwrap());
/// ```
pub fn client_addr(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |addr: &IpAddr| trusted.iter().any(|net| net.contains(addr));
    let peer = canonical(peer);
    if !is_trusted(&peer) {
        return peer;
    }
    // `Forwarded` (RFC 7239) wins over the older `X-Forwarded-For` when a proxy sends both.
    let hops = if headers.contains_key("forwarded") {
        forwarded_for(headers)
    } else {
        x_forwarded_for(headers)
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            // A hop the proxy could not name ("unknown", an obfuscated name, garbage): the
            // last address known is the best there is.
            None => return client,
            Some(addr) => {
                client = canonical(*addr);
                if !is_trusted(&client) {
                    return client;
                }
            }
        }
    }
    client
}

/// An IPv4 address mapped into IPv6 (`::ffff:192.0.2.1`, as dual-stack sockets report
/// them) as the IPv4 address, so one client has one key and IPv4 CIDRs match it.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

/// The addresses of `X-Forwarded-For`, in order, over all its header lines.
fn x_forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("garbage").split(','))
        .map(|hop| parse_node(hop.trim()))
        .collect()
}

/// The `for=` addresses of `Forwarded`, in order, over all its header lines.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("forwarded")
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("for=garbage").split(','))
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, value)| parse_node(value.trim().trim_matches('"')))
        })
        .collect()
}

/// An address with or without port: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(addr) = node.parse::<IpAddr>() {
        return Some(addr);
    }
    if let Ok(addr) = node.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    node.strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn trusted() -> Vec<IpNet> {
        vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()]
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let h = headers(&[("x-forwarded-for", "1.2.3.4"), ("forwarded", "for=5.6.7.8")]);
        assert_eq!(
            client_addr(ip("198.51.100.1"), &h, &trusted()),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn a_spoofed_entry_left_of_the_real_client_is_ignored() {
        // The client sent "X-Forwarded-For: 1.1.1.1"; the trusted proxy appended its peer.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9")]);
        assert_eq!(
            client_addr(ip("10.0.0.2"), &h, &trusted()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn chains_of_trusted_proxies_are_followed() {
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-for", "10.1.1.1"),
        ]);
        assert_eq!(
            client_addr(ip("10.0.0.2"), &h, &trusted()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn forwarded_is_read_with_ports_quotes_and_ipv6() {
        let h = headers(&[(
            "forwarded",
            "for=\"[2001:db8:cafe::17]:4711\";proto=https, For=10.2.2.2",
        )]);
        assert_eq!(
            client_addr(ip("::1"), &h, &trusted()),
            ip("2001:db8:cafe::17")
        );
        let h = headers(&[("forwarded", "for=192.0.2.60:1234;by=10.0.0.1")]);
        assert_eq!(
            client_addr(ip("10.0.0.1"), &h, &trusted()),
            ip("192.0.2.60")
        );
    }

    #[test]
    fn an_unknown_hop_stops_at_the_last_known_address() {
        let h = headers(&[("forwarded", "for=203.0.113.9, for=unknown")]);
        assert_eq!(client_addr(ip("10.0.0.1"), &h, &trusted()), ip("10.0.0.1"));
        let h = headers(&[("x-forwarded-for", "203.0.113.9, _hidden, 10.3.3.3")]);
        assert_eq!(client_addr(ip("10.0.0.1"), &h, &trusted()), ip("10.3.3.3"));
    }

    #[test]
    fn a_trusted_peer_without_header_is_the_client() {
        assert_eq!(
            client_addr(ip("10.0.0.1"), &HeaderMap::new(), &trusted()),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn ipv4_mapped_ipv6_peers_match_ipv4_networks() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            client_addr(ip("::ffff:10.0.0.1"), &h, &trusted()),
            ip("203.0.113.9")
        );
    }
}
