/**
 * How the start-up part tells a damaged code cache from a good one (issue 8 item 12). V8 runs a
 * code cache it accepts as found, and from Node 20 on V8 no longer checksums one by default: a
 * cache with one flipped byte was accepted and ran wrong (seen: wrong results, V8 fatal errors
 * with a native stack, on every action until the file was deleted). So:
 *
 * - Node 18: V8 still verifies the checksum it writes into every cache, and rejects a damaged
 *   one (cachedDataRejected); the cache file is V8's data as it is.
 * - Node >= 20.15 and >= 22.2: the file is sealed, a header holding a CRC-32 of V8's data
 *   (zlib.crc32, native) and the data; a file whose CRC does not match is not given to V8.
 * - any other Node (20.0-20.14, 19, 21): no way to check that costs less than the cache saves
 *   (loading node:v8 to turn V8's check on costs more), so no code cache at all.
 *
 * Anything refused means compiling from source, as without a cache, and a new cache.
 */

export type CacheCheck = 'v8' | 'crc32';

/** How a cache is checked on Node `version` (process.versions.node), or undefined: use none. */
export function cacheCheckFor(version: string): CacheCheck | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major === 18) return 'v8';
  if ((major === 20 && minor >= 15) || (major === 22 && minor >= 2) || major >= 23) return 'crc32';
  return undefined;
}

/** "NIC1": nebula-ipam code cache, format 1. */
const MAGIC = 0x3143494e;
const HEADER_BYTES = 8;

/** The file to write for V8's `data`: magic, CRC-32 of the data (little-endian), the data. */
export function seal(data: Buffer, crc32: (bytes: Buffer) => number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(crc32(data) >>> 0, 4);
  return Buffer.concat([header, data]);
}

/** V8's data from a sealed file, or undefined when the file is not whole and unchanged. */
export function unseal(file: Buffer, crc32: (bytes: Buffer) => number): Buffer | undefined {
  if (file.length <= HEADER_BYTES || file.readUInt32LE(0) !== MAGIC) return undefined;
  const data = file.subarray(HEADER_BYTES);
  return crc32(data) >>> 0 === file.readUInt32LE(4) ? data : undefined;
}
