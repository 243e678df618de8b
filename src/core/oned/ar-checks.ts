/**
 * What oned refuses in a register reply, refused before the driver records anything.
 *
 * oned hands the driver's AR to `AddressRange::from_attr` only after the driver has answered
 * (AddressRangeIPAM::from_vattr), and when it refuses the AR it never calls unregister: a range
 * the driver recorded for it would stay in the book for ever, its space lost (docs/oned-contract.md 3.2).
 * So the reply is judged here as oned will judge it, and register fails first, with one line.
 *
 * oned's checks, read in src/vnm/AddressRange.cc and AddressRangePool.cc (5.10 to 7.0) and, for
 * 7.2 and 7.4, docs/oned-contract.md 3.2:
 * - TYPE one of ETHER, IP4, IP6, IP6_STATIC, IP4_6, IP4_6_STATIC (upper-cased first);
 * - IPv4 types: IP a dotted quad (init_ipv4);
 * - IP6 and IP4_6: GLOBAL_PREFIX and ULA_PREFIX, when given, IPv6 text (init_ipv6);
 * - IP6_STATIC and IP4_6_STATIC: IP6 an IPv6 address and PREFIX_LENGTH a number (init_ipv6_static);
 * - MAC, when given, six colon-separated hex bytes (init_mac); SIZE a number;
 * - 7.2+: SHARED=YES with an external IPAM ("Shared ARs cannot use an external IPAM").
 * Where our readers are stricter than oned's (no leading zeros in IP, a /64 prefix), the
 * stricter form is what the rest of the driver can work with, so it is the one refused.
 *
 * The driver also refuses what oned accepts but then addresses differently from the book:
 * - oned counts a range's MACs, and its static IPv6 addresses, in the last 32 bits only
 *   (`mac[0] + index`, `ip6[0] + index`), so a range whose last four bytes would carry over
 *   wraps inside oned: for static IPv6 the addresses VMs get would not be the ones the book
 *   holds (it counts in 128 bits); for a MAC oned's own checks (`is_valid_mac`, `free_addr`)
 *   would refuse the wrapped ones. A MAC oned picks itself (IP6, ETHER without MAC) cannot be
 *   checked here; core/engine/locate.ts counts MACs modulo 2^32 as oned does, so it works there;
 * - without IPAM_MAD oned makes the AR internal and never calls the driver again.
 *
 * Not judged: 7.4's MAC_GLOBAL_SPACE (oned.conf). With it, oned derives the MAC of a non-IP
 * range from a global space and refuses a SIZE beyond it or a MAC it already gave out; the
 * request says nothing about that setting nor about other networks' MACs, so nothing here can
 * know it. Operators using it give such ranges an explicit MAC or keep SIZE within 2^20.
 */
import { formatMac } from '../address/mac.ts';
import { FAMILIES } from '../address/family.ts';
import { IpamError, shown } from '../errors.ts';
import * as field from './ar-fields.ts';
import { formatOnedVersion, refusesSharedAr, type OnedVersion } from './oned-version.ts';
import type { Attributes } from './attributes.ts';

/** oned adds an index to the last 32 bits of a MAC, and of a static IPv6 address. */
const LOW_WORD = 1n << 32n;

/**
 * Refusals that need only oned's request, run before the store's lock: an AR that oned will
 * refuse whatever the driver answers (SHARED=YES on 7.2+) fails at once. 6.6 to 7.0 keep SHARED
 * as a plain attribute, so there (config `onedVersion`) it is echoed like any other.
 */
export function refuseSharedAr(ar: Attributes, version: OnedVersion | undefined): void {
  const shared = field.text(ar, 'SHARED');
  if (shared !== undefined && shared.toUpperCase() === 'YES' && refusesSharedAr(version)) {
    const release =
      version === undefined
        ? 'onedVersion is not set, so 7.2 or later is assumed'
        : `onedVersion is ${formatOnedVersion(version)}`;
    throw bad(
      `SHARED is ${shown(shared)}; OpenNebula 7.2 and later refuse a shared AR with an external IPAM ("Shared ARs cannot use an external IPAM") after the driver has answered, and never tell the driver (${release}); remove SHARED=YES, or set onedVersion if oned is 7.0 or older`,
    );
  }
}

/** Throws, naming the value, if oned (of release `version`) would refuse `reply` (the whole AR the driver answers). */
export function checkArReply(reply: Attributes, version: OnedVersion | undefined): void {
  refuseSharedAr(reply, version);
  const type = field.arType(reply);
  if (type === undefined) throw bad('the reply has no TYPE, which oned requires');
  const size = field.size(reply);
  if (size === undefined) throw bad('the reply has no SIZE, which oned requires');
  if (field.text(reply, 'IPAM_MAD') === undefined)
    throw bad('the reply has no IPAM_MAD: oned would make the AR internal and never call the driver for it again');

  if (field.hasIPv4(type)) {
    const ip = field.ipv4(reply, 'IP');
    if (ip === undefined) throw bad(`a ${type} range needs IP, and the reply has none`);
    if (ip + size > LOW_WORD) throw bad(`IP ${FAMILIES.ipv4.format(ip)} + SIZE ${size} runs past 255.255.255.255`);
  }
  if (field.isSlaac(type)) {
    field.slaacPrefix(reply, 'GLOBAL_PREFIX');
    field.slaacPrefix(reply, 'ULA_PREFIX');
  }
  if (field.isStatic6(type)) {
    const ip6 = field.ipv6(reply, 'IP6');
    if (ip6 === undefined) throw bad(`a ${type} range needs IP6, and the reply has none`);
    if (field.prefixLength(reply) === undefined)
      throw bad(`a ${type} range needs PREFIX_LENGTH, and the reply has none`);
    if ((ip6 % LOW_WORD) + size > LOW_WORD) {
      throw bad(
        `IP6 ${FAMILIES.ipv6.format(ip6)} + SIZE ${size} carries past its last 32 bits, where oned counts the addresses of a range (it would wrap to ${FAMILIES.ipv6.format(ip6 - (ip6 % LOW_WORD))}); start the range lower`,
      );
    }
  }
  const mac = field.mac(reply, 'MAC');
  if (mac !== undefined && (mac % LOW_WORD) + size > LOW_WORD) {
    throw bad(
      `MAC ${formatMac(mac)} + SIZE ${size} carries past its last four bytes, where oned counts the MACs of a range (it would wrap to ${formatMac(mac - (mac % LOW_WORD))}); choose a lower MAC`,
    );
  }
}

function bad(why: string): IpamError {
  return new IpamError('bad-request', `Cannot register the range: ${why}`);
}
