/**
 * Lease books for the scenarios, written with the project's own codec (bundled on the fly from
 * src/store/encoding/codec.ts), so the benchmark always reads and writes the format the driver uses.
 * Contents are deterministic (seeded), shaped like a cloud that has run for a while: leases taken
 * round-robin over the ranges by increasing request ids and times.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const START = Date.UTC(2025, 0, 1);

/** The codec (`encodeBook`, `decodeBookLazily`, ...), compiled from the sources under `root` (packages from `modules`). */
export async function loadCodec(root, modules = join(root, 'node_modules')) {
  const dir = mkdtempSync(join(tmpdir(), 'nebula-ipam-codec-'));
  try {
    return await import(pathToFileURL(await bundleCodec(root, modules, join(dir, 'codec.mjs'))).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The codec of the sources under `root` as one ES module at `file`, for a child process to import. */
export async function bundleCodec(root, modules, file) {
  const out = await build({
    entryPoints: [join(root, 'src/store/encoding/codec.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
    nodePaths: [modules],
  });
  writeFileSync(file, out.outputFiles[0].text);
  return file;
}

/** A small deterministic PRNG (mulberry32), so every run benchmarks the same books. */
function random(seed) {
  let a = seed >>> 0;
  return (below) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % below;
  };
}

const macOf = (ip) => 0x020000000000n + ip;

/**
 * @template {BenchRange} R
 * @param {R[]} ranges
 * @returns {{ schema: number, generation: number, nextRangeId: number, ranges: R[] }}
 */
export function book(ranges, nextRangeId = ranges.length + 1) {
  return { schema: 1, generation: 1, nextRangeId, ranges };
}

/**
 * A range as the codec takes it (src/core/book/book.ts: plain records); the benchmark fills what it needs.
 * @typedef {{ id: string, type: string, size: bigint, ip?: bigint, ip6?: bigint, prefixLength?: number, mac: bigint, createdAt: string, requestId?: string, leases: object[], pool?: string, block?: object }} BenchRange
 */

/**
 * An IP4 range without a pool.
 * @returns {BenchRange & { ip: bigint }}
 */
export function ip4Range(n, ip, size, extra = {}) {
  return {
    id: `r${n}`,
    type: 'IP4',
    size: BigInt(size),
    ip,
    mac: macOf(ip),
    createdAt: new Date(START).toISOString(),
    requestId: String(n),
    leases: [],
    ...extra,
  };
}

/**
 * `total` leases over ranges of 256 addresses (10.x.y.0) holding `perRange` leases each, at
 * indices 0..perRange-1, one address per lease; returns the book and the ranges.
 */
export function leasedBook(total, perRange) {
  const count = Math.max(1, Math.ceil(total / perRange));
  const ranges = Array.from({ length: count }, (_, i) =>
    ip4Range(i + 1, 0x0a000000n + BigInt(i) * 256n, 256, { leases: [] }),
  );
  const next = random(total);
  let requestId = 1000;
  let time = START;
  let left = total;
  for (let index = 0; left > 0; index++) {
    for (const range of ranges) {
      if (left === 0) break;
      if (range.leases.length >= perRange) continue;
      requestId += 1 + next(4);
      time += 200 + next(3000);
      range.leases.push({
        first: BigInt(index),
        last: BigInt(index),
        holder: 'opennebula',
        mac: range.mac + BigInt(index),
        requestId: String(requestId),
        at: new Date(time).toISOString(),
      });
      left--;
    }
  }
  return book(ranges);
}

/**
 * A /8 pool carved into /24s until one /24 is left: /16-sized ranges cover 10.0.0.0-10.253.255.255,
 * /24 ranges cover the last two /16s but for 10.255.255.0/24.
 */
export function nearlyFullPoolBook(pool) {
  /** @type {BenchRange[]} */
  const ranges = [];
  /** @param {bigint} first @param {bigint} last */
  const add = (first, last) => {
    const n = ranges.length + 1;
    ranges.push(ip4Range(n, first + 1n, Number(last - first - 1n), { pool, block: { first, last } }));
  };
  for (let b = 0n; b < 254n; b++) add(0x0a000000n + (b << 16n), 0x0a000000n + (b << 16n) + 0xffffn);
  for (let c = 0n; c < 511n; c++) add(0x0afe0000n + (c << 8n), 0x0afe0000n + (c << 8n) + 0xffn);
  return book(ranges);
}

/** `count` SLAAC ranges, each delegated a /64 from the /48 pool at `base`. */
export function delegatedPoolBook(pool, base, count) {
  const ranges = Array.from({ length: count }, (_, i) => {
    const prefix = base + (BigInt(i) << 64n);
    return {
      id: `r${i + 1}`,
      type: 'IP6',
      size: 256n,
      mac: 0x02aa00000000n + BigInt(i) * 256n,
      globalPrefix: prefix,
      pool6: pool,
      block6: { first: prefix, last: prefix + (1n << 64n) - 1n },
      createdAt: new Date(START).toISOString(),
      leases: [],
    };
  });
  return book(ranges);
}

/**
 * One range of `size` addresses with `leases` leased addresses at its start: IPv4 (at 11.0.0.0),
 * or static IPv6 (in a /64) for `kind` 'ip6'.
 */
/** @returns {{ schema: number, generation: number, nextRangeId: number, ranges: any[] }} an IPv4 or an IPv6 range, by `kind` */
export function hugeRangeBook(kind, leases, size) {
  const time = (i) => new Date(START + i * 1000).toISOString();
  const leased = (mac) =>
    Array.from({ length: leases }, (_, i) => ({
      first: BigInt(i),
      last: BigInt(i),
      holder: 'opennebula',
      mac: mac + BigInt(i),
      requestId: String(i),
      at: time(i),
    }));
  if (kind === 'ip4') {
    const range = ip4Range(1, 0x0b000000n, size);
    return book([{ ...range, leases: leased(range.mac) }]);
  }
  const ip6 = 0x20010db8020000000000000000000000n;
  const mac = 0x02bb00000000n;
  return book([
    {
      id: 'r1',
      type: 'IP6_STATIC',
      size: BigInt(size),
      ip6,
      prefixLength: 64,
      mac,
      createdAt: time(0),
      leases: leased(mac),
    },
  ]);
}
