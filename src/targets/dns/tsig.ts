/**
 * TSIG (RFC 8945): signing requests and checking the server's answers, pure (the clock is a
 * parameter, in seconds since the epoch). A request's MAC covers the message and the TSIG
 * variables (4.3.3); a response's MAC covers the request's MAC first (4.3.1); in a zone transfer
 * each later signed message covers the previous MAC, the unsigned messages since, and the timers
 * only (4.3.2 and 5.3.1), and at most 99 messages in a row may come unsigned.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { MalformedMessage } from './malformed.ts';
import { type TsigKey, hashOf, isTsigAlgorithm, macBytes, shortestMac } from './tsig-algorithm.ts';
import type { DecodedMessage, PlacedRecord } from './wire-message.ts';
import { encodeRecord } from './wire-message.ts';
import { canonicalName, decodeName } from './wire-name.ts';
import { CLASS, TYPE } from './wire-rdata.ts';

/** RFC 8945 10 suggests 300 s. */
export const FUDGE_SECONDS = 300;
/** 5.3.1: "at least every 100th message". */
const MOST_UNSIGNED_IN_A_ROW = 99;

export const TSIG_ERRORS: Readonly<Record<number, string>> = {
  16: 'BADSIG',
  17: 'BADKEY',
  18: 'BADTIME',
  22: 'BADTRUNC',
};

export interface TsigFields {
  readonly algorithm: string;
  readonly timeSigned: number;
  readonly fudge: number;
  readonly mac: Buffer;
  readonly originalId: number;
  readonly error: number;
  readonly other: Buffer;
}

/** Why an answer's signature is not good; the edge words it with the server and the key. */
export type TsigProblem =
  /** The request was signed, the answer is not. */
  | { readonly kind: 'unsigned' }
  /** An unsigned refusal (PowerDNS answers a bad signature so): `rcode` is the answer's. */
  | { readonly kind: 'refused-unsigned'; readonly rcode: string }
  /** The server refused our signature: BADSIG, BADKEY, BADTIME or BADTRUNC (`serverTime` with BADTIME). */
  | { readonly kind: 'refused'; readonly error: string; readonly serverTime?: number }
  | { readonly kind: 'other-key'; readonly name: string; readonly algorithm: string }
  | { readonly kind: 'mac-size'; readonly size: number; readonly shortest: number; readonly longest: number }
  | { readonly kind: 'bad-mac' }
  | { readonly kind: 'time'; readonly signed: number; readonly now: number; readonly fudge: number }
  | { readonly kind: 'too-many-unsigned' };

export type TsigCheck =
  | { readonly ok: true; readonly signed: boolean }
  | { readonly ok: false; readonly problem: TsigProblem };

export function encodeTsigFields(fields: TsigFields): Buffer {
  const algorithm = canonicalName(fields.algorithm);
  const fixed = Buffer.alloc(10);
  writeTime(fixed, 0, fields.timeSigned);
  fixed.writeUInt16BE(fields.fudge, 6);
  fixed.writeUInt16BE(fields.mac.length, 8);
  const tail = Buffer.alloc(6);
  tail.writeUInt16BE(fields.originalId, 0);
  tail.writeUInt16BE(fields.error, 2);
  tail.writeUInt16BE(fields.other.length, 4);
  return Buffer.concat([algorithm, fixed, fields.mac, tail, fields.other]);
}

export function decodeTsigFields(rdata: Uint8Array): TsigFields {
  // The algorithm name is never compressed (4.2), so the rdata reads on its own.
  const { name: algorithm, end } = decodeName(rdata, 0);
  const view = Buffer.from(rdata.buffer, rdata.byteOffset, rdata.length);
  if (end + 10 > rdata.length) throw new MalformedMessage('a TSIG record is cut short before its MAC');
  const size = view.readUInt16BE(end + 8);
  const after = end + 10 + size;
  if (after + 6 > rdata.length) throw new MalformedMessage('a TSIG record is cut short after its MAC');
  const otherLength = view.readUInt16BE(after + 4);
  if (after + 6 + otherLength !== rdata.length)
    throw new MalformedMessage('a TSIG record has bytes beyond its other data');
  return {
    algorithm,
    timeSigned: readTime(view, end),
    fudge: view.readUInt16BE(end + 6),
    mac: Buffer.from(view.subarray(end + 10, after)),
    originalId: view.readUInt16BE(after),
    error: view.readUInt16BE(after + 2),
    other: Buffer.from(view.subarray(after + 6, after + 6 + otherLength)),
  };
}

/** 48-bit seconds. */
function writeTime(into: Buffer, at: number, seconds: number): void {
  into.writeUInt16BE(Math.floor(seconds / 2 ** 32) & 0xffff, at);
  into.writeUInt32BE(seconds >>> 0, at + 2);
}

function readTime(from: Buffer, at: number): number {
  return from.readUInt16BE(at) * 2 ** 32 + from.readUInt32BE(at + 2);
}

/** The variables of 4.3.3 (`timersOnly`: the two timers of 4.3.2, for a stream's later messages). */
function variables(key: TsigKey, fields: Omit<TsigFields, 'mac' | 'originalId'>, timersOnly: boolean): Buffer {
  const timers = Buffer.alloc(8);
  writeTime(timers, 0, fields.timeSigned);
  timers.writeUInt16BE(fields.fudge, 6);
  if (timersOnly) return timers;
  const classTtl = Buffer.alloc(6);
  classTtl.writeUInt16BE(CLASS.ANY, 0);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(fields.error, 0);
  tail.writeUInt16BE(fields.other.length, 2);
  return Buffer.concat([
    canonicalName(key.name),
    classTtl,
    canonicalName(fields.algorithm),
    timers,
    tail,
    fields.other,
  ]);
}

/** A MAC as 4.3.1 prefixes it: its length, then the bytes. */
function priorMac(mac: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(mac.length, 0);
  return Buffer.concat([length, mac]);
}

function hmac(key: TsigKey, parts: readonly Buffer[]): Buffer {
  const digest = createHmac(hashOf(key.algorithm), key.secret);
  for (const part of parts) digest.update(part);
  return digest.digest();
}

export interface Signed {
  readonly bytes: Buffer;
  /** What the answer's MAC covers first (or the next message's, in a stream). */
  readonly mac: Buffer;
}

/** What an answer's MAC covers before the answer itself. */
export interface PriorSignature {
  readonly mac: Buffer;
  /** A stream's later message: the timers only, not all the variables. */
  readonly timersOnly: boolean;
  /** A stream's unsigned messages since the last signed one. */
  readonly unsigned?: readonly Buffer[];
}

/**
 * `message` (encoded, no TSIG record yet) with a TSIG record appended, signed at `now`. A request
 * has no `prior`; an answer names the request's MAC (4.3.1), and a stream's later messages the
 * previous MAC with `timersOnly` (4.3.2). Servers do the latter two; the tests sign with them.
 */
export function signMessage(message: Buffer, key: TsigKey, now: number, prior?: PriorSignature): Signed {
  const fields = {
    algorithm: key.algorithm,
    timeSigned: Math.floor(now),
    fudge: FUDGE_SECONDS,
    error: 0,
    other: Buffer.alloc(0),
  };
  const covered =
    prior === undefined
      ? [message, variables(key, fields, false)]
      : [priorMac(prior.mac), ...(prior.unsigned ?? []), message, variables(key, fields, prior.timersOnly)];
  const mac = hmac(key, covered);
  const record = encodeRecord({
    name: key.name,
    type: TYPE.TSIG,
    class: CLASS.ANY,
    ttl: 0,
    data: { kind: 'raw', bytes: encodeTsigFields({ ...fields, mac, originalId: message.readUInt16BE(0) }) },
  });
  const bytes = Buffer.concat([message, record]);
  bytes.writeUInt16BE(bytes.readUInt16BE(10) + 1, 10);
  return { bytes, mac };
}

/** The TSIG record of a decoded message: the last additional record, when it is one. */
export function tsigRecordOf(message: DecodedMessage): PlacedRecord | undefined {
  const last = message.additional[message.additional.length - 1];
  if (last?.type !== TYPE.TSIG) return undefined;
  // 5.1 and 5.2: a TSIG anywhere else makes the message malformed.
  return last;
}

/** The message as it was signed: without its TSIG record, one fewer additional, the original id. */
function unsignedForm(bytes: Uint8Array, record: PlacedRecord, originalId: number): Buffer {
  const plain = Buffer.from(bytes.subarray(0, record.offset));
  plain.writeUInt16BE(originalId, 0);
  plain.writeUInt16BE(plain.readUInt16BE(10) - 1, 10);
  return plain;
}

/**
 * Checks the answers to one signed request, in order: one `check` per message (a plain answer
 * is one message; a zone transfer many), then `finish` (the last message must be signed).
 */
export class TsigVerifier {
  private mac: Buffer;
  private first = true;
  private unsigned: Buffer[] = [];

  constructor(
    private readonly key: TsigKey,
    requestMac: Buffer,
  ) {
    this.mac = requestMac;
  }

  check(bytes: Uint8Array, message: DecodedMessage, now: number): TsigCheck {
    for (const [i, record] of message.additional.entries())
      if (record.type === TYPE.TSIG && i !== message.additional.length - 1)
        throw new MalformedMessage('a TSIG record is not the last record of its message');
    const record = tsigRecordOf(message);
    if (record === undefined) {
      // The first answer must be signed (4.3.1); later ones of a stream may not be, up to 99 in a row.
      if (this.first) return { ok: false, problem: { kind: 'unsigned' } };
      this.unsigned.push(Buffer.from(bytes));
      if (this.unsigned.length > MOST_UNSIGNED_IN_A_ROW) return { ok: false, problem: { kind: 'too-many-unsigned' } };
      return { ok: true, signed: false };
    }
    if (record.data.kind !== 'raw') throw new MalformedMessage('a TSIG record could not be read');
    const fields = decodeTsigFields(record.data.bytes);
    const errorName = TSIG_ERRORS[fields.error] ?? (fields.error === 0 ? undefined : `TSIG error ${fields.error}`);
    if (errorName !== undefined) {
      const serverTime = fields.error === 18 && fields.other.length === 6 ? readTime(fields.other, 0) : undefined;
      return {
        ok: false,
        problem: { kind: 'refused', error: errorName, ...(serverTime === undefined ? {} : { serverTime }) },
      };
    }
    if (
      record.name !== bareName(this.key.name) ||
      fields.algorithm !== this.key.algorithm ||
      !isTsigAlgorithm(fields.algorithm)
    )
      return { ok: false, problem: { kind: 'other-key', name: record.name, algorithm: fields.algorithm } };
    const longest = macBytes(this.key.algorithm);
    const shortest = shortestMac(this.key.algorithm);
    if (fields.mac.length > longest || fields.mac.length < shortest)
      return { ok: false, problem: { kind: 'mac-size', size: fields.mac.length, shortest, longest } };
    const plain = unsignedForm(bytes, record, fields.originalId);
    const full = hmac(this.key, [
      priorMac(this.mac),
      ...this.unsigned,
      plain,
      variables(this.key, fields, !this.first),
    ]);
    if (!timingSafeEqual(full.subarray(0, fields.mac.length), fields.mac))
      return { ok: false, problem: { kind: 'bad-mac' } };
    // 5.2.3: checked after the MAC, so a forged time cannot pass; our fudge bounds a generous one.
    const fudge = Math.min(fields.fudge, FUDGE_SECONDS);
    if (Math.abs(now - fields.timeSigned) > fudge)
      return { ok: false, problem: { kind: 'time', signed: fields.timeSigned, now: Math.floor(now), fudge } };
    this.mac = fields.mac;
    this.first = false;
    this.unsigned = [];
    return { ok: true, signed: true };
  }

  /** After the last message: a stream must end signed (5.3.1). */
  finish(): TsigCheck {
    if (this.first || this.unsigned.length > 0) return { ok: false, problem: { kind: 'unsigned' } };
    return { ok: true, signed: true };
  }
}

/** A key name as decoding gives it: lower-case, no final dot. */
function bareName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
