/**
 * The TSIG algorithms (RFC 8945 6): HMAC-SHA256 is the one to use; SHA-1 and SHA-512 (and the
 * other SHA-2 sizes, as cheap) for keys an operator already has. MD5 is refused: RFC 8945 marks
 * it deprecated and node:crypto may lack it under FIPS.
 */
import { TSIG_ALGORITHMS, type TsigAlgorithm } from '../../core/config/config.ts';

export type { TsigAlgorithm };

export interface TsigKey {
  /** The key's name as the server knows it (a domain name, e.g. "nebula"). */
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  readonly secret: Buffer;
}

export function isTsigAlgorithm(text: string): text is TsigAlgorithm {
  return (TSIG_ALGORITHMS as readonly string[]).includes(text);
}

/** node:crypto's name of the hash. */
export function hashOf(algorithm: TsigAlgorithm): string {
  return algorithm.slice('hmac-'.length);
}

/** The HMAC's full length in bytes. */
export function macBytes(algorithm: TsigAlgorithm): number {
  return { 'hmac-sha256': 32, 'hmac-sha512': 64, 'hmac-sha384': 48, 'hmac-sha224': 28, 'hmac-sha1': 20 }[algorithm];
}

/** RFC 8945 5.2.2.1: a truncated MAC shorter than both 10 bytes and half the hash is refused. */
export function shortestMac(algorithm: TsigAlgorithm): number {
  return Math.max(10, Math.ceil(macBytes(algorithm) / 2));
}
