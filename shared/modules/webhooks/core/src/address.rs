//! Which network addresses a webhook may be sent to. A URL is checked when it is registered,
//! and again on the addresses its host resolves to when a delivery is sent, because DNS can
//! point a public name at an internal address at any time.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Where an address leads, as far as webhooks care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Routable on the internet.
    Public,
    /// This machine: `127.0.0.0/8`, `::1`.
    Loopback,
    /// A private network: RFC 1918, unique local `fc00::/7`, carrier-grade NAT `100.64.0.0/10`.
    Private,
    /// Never a webhook receiver: unspecified, link-local (cloud metadata lives there),
    /// multicast, broadcast, documentation and other special-purpose ranges.
    Reserved,
}

/// Classifies `ip`, reading an IPv4 address embedded in an IPv6 one (mapped, compatible,
/// NAT64, 6to4) as that IPv4 address, so no IPv6 spelling reaches what IPv4 refuses.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        (127, _, _) => AddressClass::Loopback,
        (10, _, _) | (192, 168, _) => AddressClass::Private,
        (172, 16..=31, _) | (100, 64..=127, _) => AddressClass::Private,
        (0, _, _) | (169, 254, _) | (224..=255, _, _) => AddressClass::Reserved,
        (192, 0, 0) | (192, 0, 2) | (198, 18..=19, _) | (198, 51, 100) | (203, 0, 113) => {
            AddressClass::Reserved
        }
        _ => AddressClass::Public,
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if ip == Ipv6Addr::LOCALHOST {
        return AddressClass::Loopback;
    }
    if ip.is_unspecified() {
        return AddressClass::Reserved;
    }
    if let Some(v4) = embedded_v4(ip) {
        return classify_v4(v4);
    }
    let s = ip.segments();
    match s[0] {
        0xfc00..=0xfdff => AddressClass::Private,
        // Teredo and documentation, inside the global unicast block.
        0x2001 if s[1] == 0 || s[1] == 0x0db8 => AddressClass::Reserved,
        // Only 2000::/3 is allocated for global unicast; the rest (link-local, site-local,
        // multicast, discard, local-use NAT64...) is nobody's webhook receiver.
        0x2000..=0x3fff => AddressClass::Public,
        _ => AddressClass::Reserved,
    }
}

/// The IPv4 address an IPv6 one stands for, where the IPv6 form is a way of writing one.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (the deprecated compatible form).
        [0, 0, 0, 0, 0, 0xffff, _, _] | [0, 0, 0, 0, 0, 0, _, _] => Some(low),
        // The well-known NAT64 prefix, 64:ff9b::/96.
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        // 6to4, 2002:a.b.c.d::/48.
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(raw: &str) -> AddressClass {
        classify(raw.parse().unwrap_or_else(|e| panic!("{raw}: {e}")))
    }

    #[test]
    fn public_addresses_are_public() {
        for raw in ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "172.32.0.1"] {
            assert_eq!(class(raw), AddressClass::Public, "{raw}");
        }
    }

    #[test]
    fn loopback_and_private_ranges_are_told_apart() {
        for raw in ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"] {
            assert_eq!(class(raw), AddressClass::Loopback, "{raw}");
        }
        let private = [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "fc00::1",
            "fd12:3456::1",
            "::ffff:10.0.0.1",
            "::ffff:192.168.0.1",
        ];
        for raw in private {
            assert_eq!(class(raw), AddressClass::Private, "{raw}");
        }
    }

    #[test]
    fn special_purpose_ranges_are_reserved() {
        let reserved = [
            "0.0.0.0",
            "0.1.2.3",
            "169.254.169.254",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "192.0.2.1",
            "198.18.0.1",
            "::",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2001:0:4136:e378::1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:a9fe:a9fe::1",
            "100::1",
        ];
        for raw in reserved {
            assert_eq!(class(raw), AddressClass::Reserved, "{raw}");
        }
    }

    #[test]
    fn embedded_ipv4_is_read_in_every_spelling() {
        for raw in [
            "::ffff:7f00:1",
            "::7f00:1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
        ] {
            assert_eq!(class(raw), AddressClass::Loopback, "{raw}");
        }
        assert_eq!(class("64:ff9b::808:808"), AddressClass::Public);
    }
}
