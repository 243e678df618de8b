/**
 * The typed fields of an AR as `onevnet -x` prints it, read with the same strict readers the
 * driver uses on oned's requests; a value oned could never have stored is a broken document.
 */
import { parseIPv4 } from '../address/ipv4.ts';
import type { Prefix } from '../address/prefix.ts';
import type { ArType } from '../book/book.ts';
import * as field from '../oned/ar-fields.ts';
import { IpamError } from '../errors.ts';
import type { ArView } from './onevnet-document.ts';
import { arText } from './onevnet-document.ts';

export interface ArFields {
  readonly id?: string;
  readonly type?: ArType;
  readonly size?: bigint;
  readonly ip?: bigint;
  readonly ip6?: bigint;
  readonly prefixLength?: number;
  readonly mac?: bigint;
  readonly globalPrefix?: bigint;
  readonly pool?: string;
  readonly pool6?: string;
  /** NETWORK_ADDRESS/NETWORK_MASK, when both are there and the mask is a prefix mask. */
  readonly network?: Prefix;
}

export function readArFields(ar: ArView): ArFields {
  const attrs = ar.attributes;
  try {
    const found: { -readonly [K in keyof ArFields]: ArFields[K] } = {};
    const id = field.text(attrs, field.RANGE_ID_ATTRIBUTE);
    const type = field.arType(attrs);
    // updatear can resize an AR without the driver; oned keeps SIZE below 2^32 either way.
    const size = field.size(attrs);
    const ip = field.ipv4(attrs, 'IP');
    const ip6 = field.ipv6(attrs, 'IP6');
    const prefixLength = field.prefixLength(attrs);
    const mac = field.mac(attrs, 'MAC');
    const globalPrefix = field.slaacPrefix(attrs, 'GLOBAL_PREFIX');
    const pool = field.text(attrs, 'IPAM_POOL');
    const pool6 = field.text(attrs, 'IPAM_POOL6');
    const network = networkOf(field.text(attrs, 'NETWORK_ADDRESS'), field.text(attrs, 'NETWORK_MASK'));
    if (id !== undefined) found.id = id;
    if (type !== undefined) found.type = type;
    if (size !== undefined) found.size = size;
    if (ip !== undefined) found.ip = ip;
    if (ip6 !== undefined) found.ip6 = ip6;
    if (prefixLength !== undefined) found.prefixLength = prefixLength;
    if (mac !== undefined) found.mac = mac;
    if (globalPrefix !== undefined) found.globalPrefix = globalPrefix;
    if (pool !== undefined) found.pool = pool;
    if (pool6 !== undefined) found.pool6 = pool6;
    if (network !== undefined) found.network = network;
    return found;
  } catch (error) {
    if (!(error instanceof IpamError)) throw error;
    // The driver's readers name the attribute: "... VNET 3 AR 0: its IP "x" is not ...".
    const { subject, reason } = error.facts;
    const why = subject !== undefined && reason !== undefined ? `its ${subject} ${reason}` : error.message;
    throw new IpamError('bad-request', `Cannot reconcile ${arText(ar)}: ${why}; nothing was changed`);
  }
}

/** `10.0.0.0` + `255.255.255.0` -> 10.0.0.0/24; undefined for anything that is not a clean prefix. */
function networkOf(address: string | undefined, mask: string | undefined): Prefix | undefined {
  const base = address === undefined ? undefined : parseIPv4(address);
  const bits = mask === undefined ? undefined : parseIPv4(mask);
  if (base === undefined || bits === undefined) return undefined;
  const length = bits.toString(2).replace(/0+$/, '').length;
  const expected = length === 0 ? 0n : ((1n << BigInt(length)) - 1n) << BigInt(32 - length);
  if (bits !== expected || (base & ~expected & 0xffffffffn) !== 0n) return undefined;
  return { family: 'ipv4', base, length };
}
