//! Which address a request comes from, where that can be known.
//!
//! Directly exposed, the connection's peer is the client. Behind a reverse proxy the peer is the
//! proxy, and the client's address is only in a header the proxy sets; a header from anybody else
//! is a lie waiting to happen. So the operator says which case applies
//! (`FRONTDESK_CLIENT_ADDRESS`): unset, the address is unknown and nothing is limited by it.

use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;

use crate::listener::PeerAddr;

/// Where the client's address comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ClientAddress {
    /// Not known (the default): limits apply per account only.
    #[default]
    Unknown,
    /// The connection's peer (the server is exposed directly).
    Peer,
    /// `X-Forwarded-For` as set by these proxies: the right-most address not of a trusted
    /// proxy. A request not coming from one of them counts by its peer address.
    Forwarded(Vec<IpAddr>),
}

impl FromStr for ClientAddress {
    type Err = String;

    /// `peer`, or `forwarded:` and a comma-separated list of the proxies' addresses.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "" | "unknown" => Ok(Self::Unknown),
            "peer" => Ok(Self::Peer),
            other => {
                let list = other
                    .strip_prefix("forwarded:")
                    .ok_or_else(|| format!("`{other}`: expected `peer`, `unknown` or `forwarded:<proxy address>,…`"))?;
                let proxies = list
                    .split(',')
                    .map(|a| a.trim().parse::<IpAddr>().map_err(|e| format!("`{a}`: {e}")))
                    .collect::<Result<Vec<_>, _>>()?;
                if proxies.is_empty() {
                    return Err("`forwarded:` needs at least one proxy address".to_owned());
                }
                Ok(Self::Forwarded(proxies))
            }
        }
    }
}

impl ClientAddress {
    /// The client's address for a request, if it can be known.
    pub fn of(&self, peer: Option<&PeerAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer.map(|p| p.0.ip());
        match self {
            Self::Unknown => None,
            Self::Peer => peer,
            Self::Forwarded(proxies) => {
                let peer = peer?;
                if !proxies.contains(&peer) {
                    return Some(peer);
                }
                let forwarded = headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(','))
                    .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                    .collect::<Vec<_>>();
                // Each proxy appends the address it saw: the right-most one not of our own
                // proxies is the first hop we did not set up ourselves.
                forwarded.into_iter().rev().find(|a| !proxies.contains(a)).or(Some(peer))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::*;

    fn peer(ip: &str) -> PeerAddr {
        PeerAddr(SocketAddr::new(ip.parse().unwrap(), 40000))
    }

    #[test]
    fn only_a_trusted_proxy_is_believed() {
        let mode: ClientAddress = "forwarded:10.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9".parse().unwrap());
        assert_eq!(mode.of(Some(&peer("10.0.0.1")), &headers), Some("203.0.113.9".parse().unwrap()));
        assert_eq!(mode.of(Some(&peer("198.51.100.2")), &headers), Some("198.51.100.2".parse().unwrap()));
        assert_eq!(ClientAddress::Unknown.of(Some(&peer("10.0.0.1")), &headers), None);
        assert_eq!(ClientAddress::Peer.of(Some(&peer("10.0.0.1")), &headers), Some("10.0.0.1".parse().unwrap()));
        assert!("forwarded:".parse::<ClientAddress>().is_err());
        assert!("nonsense".parse::<ClientAddress>().is_err());
    }
}
