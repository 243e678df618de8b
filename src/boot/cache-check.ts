/**
 * How the start-up part tells a damaged code cache from a good one (issue 8 item 12). V8 runs a
 * code cache it accepts as found, and from Node 20 on V8 no longer checksums one by default: a
 * cache with one flipped byte was accepted and ran wrong (seen: wrong results, V8 fatal errors
 * with a native stack, on every action until the file was deleted).
 *
 * So the file holds V8's data twice, after a header with its length, and is used only when both
 * copies are byte for byte the same (one native memcmp). Damage (a flipped bit, a torn or cut
 * write, a stray edit of one place) cannot hit both copies the same way. A hash would do the
 * same, but every one Node offers costs a module load per action (node:zlib for crc32 ~2-7 ms,
 * node:crypto more, node:v8 to turn V8's own checksum back on more still), which is most of what
 * the cache saves; reading the file twice as long costs ~0.1 ms. Deliberate edits are another
 * matter: the cache is read only from a directory and a file of this user that nobody else may
 * write (entry.ts), and whoever can write there can run code as this user anyway.
 *
 * Anything refused means compiling from source, as without a cache, and a new cache.
 */

/** "NIC2": nebula-ipam code cache, format 2 (twice the data). */
const MAGIC = 0x3243494e;
const HEADER_BYTES = 8;

/** The file to write for V8's `data`: magic, length (little-endian), the data, the data again. */
export function seal(data: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(data.length, 4);
  return Buffer.concat([header, data, data]);
}

/** V8's data from a sealed file, or undefined when the file is not whole and unchanged. */
export function unseal(file: Buffer): Buffer | undefined {
  if (file.length < HEADER_BYTES || file.readUInt32LE(0) !== MAGIC) return undefined;
  const length = file.readUInt32LE(4);
  if (length === 0 || file.length !== HEADER_BYTES + 2 * length) return undefined;
  const first = file.subarray(HEADER_BYTES, HEADER_BYTES + length);
  return first.equals(file.subarray(HEADER_BYTES + length)) ? first : undefined;
}
