//! The client's address behind trusted reverse proxies (`NITE_TRUSTED_PROXIES`). Per-client limits and analytics
//! key on the client's address; behind a load balancer every connection comes from the balancer, so without this
//! every shopper would share one key (and one sign-in limit). When the connection's peer is a trusted proxy, the
//! client is the right-most address of `X-Forwarded-For` that is not itself a trusted proxy; a peer that is not
//! trusted is the client, whatever headers it sends (they are trivially forged).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// An address range: an address and a prefix length (`10.0.0.0/8`, `fd00::/8`, or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    /// Parses `address/prefix` or a single address.
    pub fn parse(text: &str) -> Option<IpRange> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, p.parse::<u8>().ok()?),
            None => {
                let a = text.parse::<IpAddr>().ok()?;
                (a, if a.is_ipv4() { 32 } else { 128 })
            }
        };
        let max = if address.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(IpRange { network: address, prefix })
    }

    /// Whether `ip` is in the range (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The client's address for a connection from `peer` with these `X-Forwarded-For` values (oldest first).
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpRange]) -> IpAddr {
    if !trusted.iter().any(|r| r.contains(peer)) {
        return peer;
    }
    let hops = forwarded_for.iter().flat_map(|v| v.split(',')).map(str::trim).rev();
    let mut client = peer;
    for hop in hops {
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        client = ip;
        if !trusted.iter().any(|r| r.contains(ip)) {
            break;
        }
    }
    client
}

/// Middleware: replaces the connection's peer address by the client's (see the module) when trusted proxies are set.
pub(crate) async fn forwarded_client(
    State(trusted): State<Arc<Vec<IpRange>>>,
    mut request: Request,
    next: Next,
) -> Response {
    if !trusted.is_empty()
        && let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>().copied()
    {
        let values: Vec<&str> =
            request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        let client = client_address(peer.ip(), &values, &trusted);
        request.extensions_mut().insert(ConnectInfo(SocketAddr::new(client, 0)));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_parse_and_contain() {
        let lan = IpRange::parse("10.0.0.0/8").unwrap();
        assert!(lan.contains(ip("10.1.2.3")) && !lan.contains(ip("11.0.0.1")));
        assert!(lan.contains(ip("::ffff:10.9.9.9")), "IPv4-mapped");
        let one = IpRange::parse("192.0.2.7").unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6 = IpRange::parse("fd00::/8").unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        assert!(IpRange::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        for bad in ["10.0.0.0/33", "nowhere", "10.0.0.0/x", "::/129"] {
            assert_eq!(IpRange::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        let trusted = [IpRange::parse("10.0.0.0/8").unwrap()];
        // Behind one trusted proxy.
        assert_eq!(client_address(ip("10.0.0.2"), &["203.0.113.7"], &trusted), ip("203.0.113.7"));
        // A forged entry on the left does not matter: the proxy appended the real peer on the right.
        assert_eq!(client_address(ip("10.0.0.2"), &["1.2.3.4, 203.0.113.7"], &trusted), ip("203.0.113.7"));
        // Two trusted proxies in a row, over two header lines.
        assert_eq!(client_address(ip("10.0.0.2"), &["198.51.100.1", "10.0.0.9"], &trusted), ip("198.51.100.1"));
        // An untrusted peer is the client, whatever it claims.
        assert_eq!(client_address(ip("203.0.113.9"), &["1.2.3.4"], &trusted), ip("203.0.113.9"));
        // No header, or garbage: the proxy itself (or the last good hop).
        assert_eq!(client_address(ip("10.0.0.2"), &[], &trusted), ip("10.0.0.2"));
        assert_eq!(client_address(ip("10.0.0.2"), &["garbage"], &trusted), ip("10.0.0.2"));
        // Nothing trusted: headers are ignored.
        assert_eq!(client_address(ip("10.0.0.2"), &["203.0.113.7"], &[]), ip("10.0.0.2"));
    }
}
