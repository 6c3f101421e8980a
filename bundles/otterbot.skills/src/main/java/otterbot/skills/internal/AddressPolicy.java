package otterbot.skills.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which addresses a fetch may connect to (what-users-want.md §3.4): everything on the public internet, nothing in the
 * special-purpose ranges that reach this machine, its network or a cloud's metadata service, unless the operator's
 * allow-list names the range or the host.
 *
 * <p>The allow-list takes CIDR blocks ({@code 127.0.0.1/32}, {@code fd00::/8}), single addresses ({@code 10.0.0.5})
 * and host names ({@code skills.intranet}, matched exactly, case-insensitively). A host name on the list lets every
 * address it resolves to through; a CIDR lets the addresses inside it through, whatever name led there.
 */
final class AddressPolicy {
  private final List<Cidr> allowedBlocks;
  private final Set<String> allowedHosts;

  /**
   * @throws IllegalArgumentException naming the entry when one is neither a CIDR, an address nor a host name, so that
   *     a typo fails the component's activation rather than silently allowing nothing
   */
  AddressPolicy(List<String> allow) {
    List<Cidr> blocks = new ArrayList<>();
    Set<String> hosts = new TreeSet<>();
    for (String raw : allow == null ? List.<String>of() : allow) {
      String entry = raw == null ? "" : raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.contains("/") || isIpLiteral(entry)) {
        blocks.add(Cidr.parse(entry));
      } else if (entry.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
        hosts.add(entry.toLowerCase(Locale.ROOT));
      } else {
        throw new IllegalArgumentException("allow-list entry '" + entry + "' is neither a CIDR, an address nor a host");
      }
    }
    this.allowedBlocks = List.copyOf(blocks);
    this.allowedHosts = Set.copyOf(hosts);
  }

  /** Whether the operator allowed this host name (as written in the URL, without brackets) outright. */
  boolean hostAllowed(String host) {
    return allowedHosts.contains(host.toLowerCase(Locale.ROOT));
  }

  /** Why a connection to this address is refused (for example "a loopback address"), or null if it is allowed. */
  String refusal(InetAddress address) {
    String why = specialPurpose(address);
    if (why == null) {
      return null;
    }
    for (Cidr block : allowedBlocks) {
      if (block.contains(address)) {
        return null;
      }
    }
    return why;
  }

  /** The special-purpose range an address is in, or null for an ordinary (public) address. */
  static String specialPurpose(InetAddress address) {
    if (address instanceof Inet6Address) {
      byte[] b = address.getAddress();
      // Addresses that carry an IPv4 address inside are judged by it, or 10.0.0.1 would pass as "::ffff:a00:1".
      // Java already turns ::ffff:a.b.c.d into an Inet4Address when it parses text; this covers the other forms.
      if (isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        return embedded(b, 12, "an IPv4-mapped address of ");
      }
      if (isZero(b, 0, 12) && !isZero(b, 12, 16) && !address.isLoopbackAddress()) {
        return "an IPv4-compatible address (deprecated, ::/96)";
      }
      if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
          && isZero(b, 4, 12)) {
        return embedded(b, 12, "a NAT64 address of "); // 64:ff9b::/96
      }
      if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
        return embedded(b, 2, "a 6to4 address of "); // 2002::/16
      }
      if ((b[0] & 0xfe) == 0xfc) {
        return "a unique local address (fc00::/7)";
      }
      if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
        return "a site-local address (fec0::/10)";
      }
    }
    if (address.isAnyLocalAddress()) {
      return "the unspecified address";
    }
    if (address.isLoopbackAddress()) {
      return "a loopback address";
    }
    if (address.isLinkLocalAddress()) {
      return "a link-local address";
    }
    if (address.isMulticastAddress()) {
      return "a multicast address";
    }
    if (address instanceof Inet4Address) {
      byte[] b = address.getAddress();
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 10 || first == 172 && (second & 0xf0) == 16 || first == 192 && second == 168) {
        return "a private address";
      }
      if (first == 100 && (second & 0xc0) == 64) {
        return "a carrier-grade NAT address (100.64.0.0/10)";
      }
      if (first == 0) {
        return "an address of 'this network' (0.0.0.0/8)";
      }
      if (first >= 240) {
        // 240.0.0.0/4 is reserved; it holds the limited broadcast address 255.255.255.255.
        return first == 255 && Arrays.equals(b, new byte[] {-1, -1, -1, -1}) ? "the broadcast address"
            : "a reserved address (240.0.0.0/4)";
      }
    }
    return null;
  }

  private static String embedded(byte[] b, int from, String prefix) {
    try {
      InetAddress v4 = InetAddress.getByAddress(Arrays.copyOfRange(b, from, from + 4));
      String why = specialPurpose(v4);
      return why == null ? null : prefix + why;
    } catch (UnknownHostException e) {
      throw new AssertionError("four bytes are an IPv4 address", e);
    }
  }

  private static boolean isZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether a host (without brackets) is an IP address literal, so that no name lookup is needed for it. */
  static boolean isIpLiteral(String host) {
    return host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
  }

  /** An address block; IPv4 blocks match IPv4 addresses only, IPv6 blocks IPv6 only. */
  record Cidr(byte[] network, int prefix) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      String addr = slash < 0 ? text : text.substring(0, slash);
      if (addr.startsWith("[") && addr.endsWith("]")) {
        addr = addr.substring(1, addr.length() - 1);
      }
      if (!isIpLiteral(addr)) {
        throw new IllegalArgumentException("allow-list entry '" + text + "' is not a CIDR block");
      }
      byte[] bytes;
      try {
        // A literal: getByName parses it without any name lookup.
        bytes = InetAddress.getByName(addr).getAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("allow-list entry '" + text + "' is not a CIDR block", e);
      }
      int prefix = bytes.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("allow-list entry '" + text + "' has no valid prefix length", e);
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
          throw new IllegalArgumentException("allow-list entry '" + text + "' has no valid prefix length");
        }
      }
      return new Cidr(bytes, prefix);
    }

    boolean contains(InetAddress address) {
      byte[] b = address.getAddress();
      if (b.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (b[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (b[full] & mask) == (network[full] & mask);
    }
  }
}
