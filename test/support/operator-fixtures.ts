/**
 * Books and configs for the operator functions' unit tests, built through the real config
 * parser and the real driver actions, so the tests see the shapes the product makes.
 */
import { ACTIONS } from '../../src/core/actions/index.ts';
import { formatIPv6 } from '../../src/core/address/ipv6.ts';
import { EMPTY_BOOK, findRange, type Book, type RangeRecord } from '../../src/core/book/book.ts';
import type { Config } from '../../src/core/config/config.ts';
import { parseConfig } from '../../src/config/parse-config.ts';
import { decodeRequest } from '../../src/oned/request.ts';
import { SAMPLE_POOLS } from './sample-config.ts';

export const NOW = '2025-06-01T12:00:00.000Z';

export const POOLS = [...SAMPLE_POOLS, { name: 'small', network: '192.168.7.0/29', subnetPrefix: 29 }];

export function testConfig(pools: readonly object[] = POOLS): Config {
  return parseConfig(JSON.stringify({ pools }), 'test.json');
}

const PLACEHOLDER = '<ADDRESS><MAC/><IP/><IP6_GLOBAL/><IP6_ULA/><IP6/><SIZE/></ADDRESS>';

function request(ar: Readonly<Record<string, string>>, address = PLACEHOLDER) {
  const inner = Object.keys(ar)
    .sort()
    .map((k) => `<${k}><![CDATA[${ar[k]}]]></${k}>`)
    .join('');
  return decodeRequest(
    Buffer.from(`<IPAM_DRIVER_ACTION_DATA><AR>${inner}</AR>${address}</IPAM_DRIVER_ACTION_DATA>`).toString('base64'),
  );
}

/** The book after oned registered an AR with these attributes, and the new range. */
export function registered(
  book: Book,
  config: Config,
  ar: Readonly<Record<string, string>>,
): { book: Book; range: RangeRecord } {
  const decided = ACTIONS.register_address_range(book, request({ IPAM_MAD: 'mydrv', ...ar }), {
    config,
    now: NOW,
    requestId: '1',
  });
  const next = decided.book!;
  return { book: next, range: next.ranges[next.ranges.length - 1]! };
}

/** oned's get_address on a range: the book after it, and the IP it got. */
export function onedLeases(book: Book, config: Config, rangeId: string, size = 1): { book: Book; ip: string } {
  const range = findRange(book, rangeId)!;
  const ip = [24n, 16n, 8n, 0n].map((s) => String((range.ip! >> s) & 0xffn)).join('.');
  // oned's MAC for an AR without one: 02:00 followed by the four IPv4 octets.
  const mac = `02:00:${[24n, 16n, 8n, 0n].map((s) => ((range.ip! >> s) & 0xffn).toString(16).padStart(2, '0')).join(':')}`;
  // oned sends back every attribute the register reply had, the SLAAC prefixes among them.
  const prefixes = range.globalPrefix === undefined ? {} : { GLOBAL_PREFIX: formatIPv6(range.globalPrefix) };
  const decided = ACTIONS.get_address(
    book,
    request(
      { NEBULA_IPAM_RANGE: range.id, TYPE: range.type, IP: ip, MAC: mac, SIZE: String(range.size), ...prefixes },
      `<ADDRESS><SIZE>${size}</SIZE></ADDRESS>`,
    ),
    { config, now: NOW, requestId: '2' },
  );
  return { book: decided.book!, ip: /IP = "([^"]+)"/.exec(decided.result!)![1]! };
}

/** oned's free_address of one IPv4 address of a range. */
export function onedFrees(book: Book, config: Config, rangeId: string, ip: string): Book {
  const range = findRange(book, rangeId)!;
  const first = [24n, 16n, 8n, 0n].map((s) => String((range.ip! >> s) & 0xffn)).join('.');
  const decided = ACTIONS.free_address(
    book,
    request(
      { NEBULA_IPAM_RANGE: range.id, TYPE: range.type, IP: first, SIZE: String(range.size) },
      `<ADDRESS><MAC>02:00:00:00:00:01</MAC><IP>${ip}</IP><SIZE>1</SIZE></ADDRESS>`,
    ),
    { config, now: NOW },
  );
  return decided.book ?? book;
}

export function emptyBook(): Book {
  return EMPTY_BOOK;
}
