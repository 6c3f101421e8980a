package otterbot.skills.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

class AddressPolicyTest {
  final AddressPolicy strict = new AddressPolicy(List.of());

  static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal); // literals only: no name lookup
  }

  @Test
  void refusesEverySpecialPurposeRange() throws Exception {
    String[][] cases = {
        {"127.0.0.1", "loopback"}, {"127.255.0.9", "loopback"}, {"::1", "loopback"},
        {"169.254.169.254", "link-local"}, {"fe80::1", "link-local"},
        {"10.0.0.1", "private"}, {"172.16.0.1", "private"}, {"172.31.255.254", "private"}, {"192.168.1.1", "private"},
        {"100.64.0.1", "carrier-grade NAT"}, {"100.127.255.254", "carrier-grade NAT"},
        {"fc00::1", "unique local"}, {"fd12:3456::1", "unique local"},
        {"0.0.0.0", "unspecified"}, {"::", "unspecified"}, {"0.1.2.3", "this network"},
        {"224.0.0.1", "multicast"}, {"ff02::1", "multicast"},
        {"255.255.255.255", "broadcast"}, {"240.0.0.1", "reserved"},
        {"::ffff:127.0.0.1", "loopback"}, {"::ffff:10.0.0.1", "private"}, {"::ffff:169.254.169.254", "link-local"},
        {"64:ff9b::a00:1", "NAT64 address of a private"}, {"2002:a00:1::", "6to4 address of a private"},
        {"::10.0.0.1", "IPv4-compatible"}, {"fec0::1", "site-local"},
    };
    for (String[] c : cases) {
      String why = strict.refusal(ip(c[0]));
      assertNotNull(why, c[0] + " should be refused");
      assertTrue(why.contains(c[1]), c[0] + ": " + why);
    }
  }

  @Test
  void judgesAnIpv4MappedInet6AddressByTheEmbeddedAddress() throws Exception {
    // Java turns "::ffff:a.b.c.d" text into an Inet4Address; a resolver can still hand over the IPv6 form.
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 0, 0, 1};
    InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);
    assertTrue(v6 instanceof Inet6Address);
    assertEquals("an IPv4-mapped address of a private address", strict.refusal(v6));
    byte[] mappedPublic = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 93, (byte) 184, (byte) 216, 34};
    assertNull(strict.refusal(Inet6Address.getByAddress(null, mappedPublic, -1)));
  }

  @Test
  void letsOrdinaryAddressesThrough() throws Exception {
    for (String ok : List.of("93.184.216.34", "8.8.8.8", "172.15.255.255", "172.32.0.1", "100.63.255.255",
        "100.128.0.1", "192.169.0.1", "2606:50c0:8000::154", "64:ff9b::808:808")) {
      assertNull(strict.refusal(ip(ok)), ok);
    }
  }

  @Test
  void theAllowListOpensCidrBlocksAndSingleAddresses() throws Exception {
    AddressPolicy policy = new AddressPolicy(List.of("127.0.0.1/32", " 10.1.0.0/16 ", "fd00::/8", "192.168.5.5", ""));
    assertNull(policy.refusal(ip("127.0.0.1")));
    assertNotNull(policy.refusal(ip("127.0.0.2")));
    assertNull(policy.refusal(ip("10.1.200.3")));
    assertNotNull(policy.refusal(ip("10.2.0.1")));
    assertNull(policy.refusal(ip("fd00::5")));
    assertNotNull(policy.refusal(ip("fc00::5")));
    assertNull(policy.refusal(ip("192.168.5.5")));
    assertNotNull(policy.refusal(ip("192.168.5.6")));
    assertNotNull(policy.refusal(ip("::1")), "an IPv4 block does not open IPv6 loopback");
  }

  @Test
  void theAllowListNamesHostsExactly() {
    AddressPolicy policy = new AddressPolicy(List.of("Skills.Intranet"));
    assertTrue(policy.hostAllowed("skills.intranet"));
    assertTrue(policy.hostAllowed("SKILLS.intranet"));
    assertFalse(policy.hostAllowed("evil.skills.intranet"));
    assertFalse(policy.hostAllowed("skills.intranet.evil"));
  }

  @Test
  void aMalformedAllowListEntryFailsWithItsText() {
    for (String bad : List.of("10.0.0.0/33", "10.0.0.0/x", "not a host", "*.example.com", "::1/129")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> new AddressPolicy(List.of(bad)), bad);
      assertTrue(e.getMessage().contains(bad), e.getMessage());
    }
  }
}
