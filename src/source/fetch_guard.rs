//! The crawler's guard against server-side request forgery: which
//! addresses are not public, and the resolver that drops them, so that a
//! source's host name (or a redirect's) cannot lead the crawler into the
//! internal network unless the source allows it.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::error::Error as StdError;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Whether an address is not publicly routable, so the crawler must not connect to it:
/// unspecified, loopback, RFC 1918 private, CGNAT (100.64/10), link-local (incl. cloud
/// metadata 169.254.169.254), multicast, broadcast and reserved IPv4 ranges, documentation
/// and benchmarking ranges; IPv6 loopback/unspecified, unique-local fc00::/7, link-local,
/// site-local, multicast, documentation; IPv6 forms embedding IPv4 (mapped `::ffff:a.b.c.d`,
/// compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) by their IPv4 address.
pub fn is_private(addr: IpAddr) -> bool {
    let v6 = match addr {
        IpAddr::V4(v4) => return is_private_v4(v4),
        IpAddr::V6(v6) => v6,
    };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return is_private_v4(v4);
    }
    let segments = v6.segments();
    let embedded =
        |high: u16, low: u16| is_private_v4(Ipv4Addr::from(u32::from(high) << 16 | u32::from(low)));
    match segments {
        [0, 0, 0, 0, 0, 0, ..] => true, // ::/96: unspecified, loopback, IPv4-compatible
        [0x64, 0xff9b, 0, 0, 0, 0, high, low] => embedded(high, low),
        [0x2002, high, low, ..] => embedded(high, low),
        [0x2001, 0x0db8, ..] => true, // documentation
        [first, ..] => {
            (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // deprecated site-local fec0::/10
                || (first & 0xff00) == 0xff00 // multicast
        }
    }
}

fn is_private_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    v4.is_private()
        || v4.is_loopback()
        || v4.is_link_local()
        || v4.is_multicast()
        || v4.is_documentation()
        || a == 0 // "this network", incl. 0.0.0.0
        || a >= 240 // reserved 240/4 and broadcast
        || (a == 100 && (b & 0xc0) == 64) // CGNAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b & 0xfe) == 18) // benchmarking 198.18/15
}

/// The resolver's refusal, found again in reqwest's error chain by [`classify`].
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to non-public addresses, e.g. {addr}")]
pub(super) struct PrivateResolution {
    pub(super) host: String,
    pub(super) addr: IpAddr,
}

/// Resolves with tokio (the system resolver) and drops non-public addresses, so a name that
/// points at an internal address — or is re-pointed there after a first check (DNS
/// rebinding) — is refused at connect time: reqwest connects only to what this returns.
/// A name with public and private addresses keeps only the public ones.
#[derive(Debug)]
pub(super) struct GuardedResolver {
    pub(super) allow_private: bool,
    /// Tests only: `(name, address, checked)` answered without DNS; `checked: false` skips
    /// the filter so a loopback test server can play a public host.
    #[cfg(test)]
    pub(super) static_hosts: Vec<(&'static str, IpAddr, bool)>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allow_private = self.allow_private;
        #[cfg(test)]
        if let Some(&(_, addr, checked)) = self.static_hosts.iter().find(|entry| entry.0 == host) {
            let addrs = vec![SocketAddr::new(addr, 0)];
            return Box::pin(async move { keep_public(host, addrs, allow_private || !checked) });
        }
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            keep_public(host, addrs, allow_private)
        })
    }
}

fn keep_public(
    host: String,
    addrs: Vec<SocketAddr>,
    allow_private: bool,
) -> Result<Addrs, Box<dyn StdError + Send + Sync>> {
    if allow_private {
        return Ok(Box::new(addrs.into_iter()));
    }
    let (public, private): (Vec<_>, Vec<_>) =
        addrs.into_iter().partition(|addr| !is_private(addr.ip()));
    match private.first().filter(|_| public.is_empty()) {
        Some(refused) => Err(Box::new(PrivateResolution {
            host,
            addr: refused.ip(),
        })),
        None => Ok(Box::new(public.into_iter())),
    }
}
