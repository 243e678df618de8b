/**
 * Random hex for temp-file names and lock tokens, read from /dev/urandom (three system calls):
 * loading node:crypto for a few bytes costs every action ~5 ms of start-up, since it pulls in
 * the stream modules, and oned runs actions one at a time. Web Crypto (a global from Node 19 on)
 * is the fallback where /dev/urandom cannot be read.
 */
import * as fs from 'node:fs';

export function randomHex(bytes: number): string {
  const buffer = Buffer.alloc(bytes);
  try {
    const fd = fs.openSync('/dev/urandom', 'r');
    try {
      for (let got = 0; got < bytes; ) {
        const n = fs.readSync(fd, buffer, got, bytes - got, null);
        if (n <= 0) throw new Error('/dev/urandom returned nothing');
        got += n;
      }
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    // Node 18 has no global crypto unless started with --experimental-global-webcrypto.
    const webCrypto = (globalThis as { crypto?: { getRandomValues(bytes: Uint8Array): unknown } }).crypto;
    if (!webCrypto?.getRandomValues) throw error;
    webCrypto.getRandomValues(buffer);
  }
  return buffer.toString('hex');
}
