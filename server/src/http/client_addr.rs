//! The address a request comes from: the TCP peer, or — when the peer is a
//! trusted reverse proxy (`auth.trusted_proxies`) — the right-most
//! `X-Forwarded-For` entry that is not itself a trusted proxy. Entries left
//! of that one were written by the client and prove nothing.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use http::HeaderMap;
use http::request::Parts;
use ipnet::IpNet;

/// The client of `parts`; `0.0.0.0` for an in-process request without a peer.
pub fn of(parts: &Parts, trusted: &[IpNet]) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    client_ip(peer, &parts.headers, trusted)
}

pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for value in headers.get_all("x-forwarded-for").iter().rev() {
        let Ok(text) = value.to_str() else {
            return client;
        };
        for entry in text.rsplit(',') {
            let Some(ip) = parse(entry.trim()) else {
                // Garbage: the last trusted hop is all that is known.
                return client;
            };
            client = ip;
            if !is_trusted(&ip) {
                return ip;
            }
        }
    }
    client
}

/// `1.2.3.4`, `2001:db8::1`, or either with a port (`[2001:db8::1]:80`).
fn parse(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", v.parse().unwrap());
        }
        map
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let outsider: IpAddr = "192.0.2.9".parse().unwrap();
        let h = headers(&["6.6.6.6, 198.51.100.7, 10.0.0.3"]);
        assert_eq!(
            client_ip(outsider, &h, &trusted),
            outsider,
            "untrusted peer"
        );
        assert_eq!(
            client_ip(proxy, &h, &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap(),
            "right-most untrusted entry, not the spoofable left one"
        );
        let split = headers(&["6.6.6.6", "198.51.100.8:4000"]);
        assert_eq!(
            client_ip(proxy, &split, &trusted),
            "198.51.100.8".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(proxy, &headers(&[]), &trusted), proxy);
        assert_eq!(
            client_ip(proxy, &headers(&["6.6.6.6, junk"]), &trusted),
            proxy,
            "garbage stops the walk"
        );
    }
}
