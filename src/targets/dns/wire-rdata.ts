/**
 * Record data (RFC 1035 3.3, RFC 3596 for AAAA). The four types nebula-ipam writes (A, AAAA, PTR,
 * TXT) are read and written in DnsRecord's text form; SOA is read for its serial; every other
 * type is kept as its raw bytes, so a zone transfer carrying types we do not know still reads.
 */
import { formatIPv4, parseIPv4 } from '../../core/address/ipv4.ts';
import { formatIPv6, parseIPv6 } from '../../core/address/ipv6.ts';
import type { DnsRecord } from '../../core/sync/target-records.ts';
import { MalformedMessage } from './malformed.ts';
import { decodeName, encodeName } from './wire-name.ts';

export const TYPE = { A: 1, NS: 2, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, TSIG: 250, AXFR: 252, ANY: 255 } as const;
export const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;

export type RecordType = DnsRecord['type'];
const TEXT_TYPES: Readonly<Record<number, RecordType>> = {
  [TYPE.A]: 'A',
  [TYPE.AAAA]: 'AAAA',
  [TYPE.PTR]: 'PTR',
  [TYPE.TXT]: 'TXT',
};

/** The type code of one of our record types. */
export function typeCode(type: RecordType): number {
  return TYPE[type];
}

/** Our name for a type code, when it is one of the four we write. */
export function textType(code: number): RecordType | undefined {
  return TEXT_TYPES[code];
}

export interface SoaData {
  readonly kind: 'soa';
  readonly mname: string;
  readonly rname: string;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minimum: number;
}

export type RecordData =
  /** A, AAAA, PTR or TXT, as DnsRecord's `data`. */
  | { readonly kind: 'text'; readonly text: string }
  | SoaData
  /** Any other type, or none (the empty rdata of RFC 2136's prerequisites and deletes). */
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

export const NO_DATA: RecordData = { kind: 'raw', bytes: new Uint8Array(0) };

/** Reads `length` bytes of rdata at `start` of `message` (names inside may point anywhere before). */
export function decodeRdata(message: Uint8Array, type: number, start: number, length: number): RecordData {
  const bytes = message.subarray(start, start + length);
  const exact = (want: number) => {
    if (length !== want)
      throw new MalformedMessage(`a record of type ${type} at byte ${start} has ${length} bytes of data, not ${want}`);
  };
  switch (type) {
    case TYPE.A:
      exact(4);
      return { kind: 'text', text: formatIPv4(BigInt(Buffer.from(bytes).readUInt32BE(0))) };
    case TYPE.AAAA:
      exact(16);
      return { kind: 'text', text: formatIPv6(BigInt(`0x${Buffer.from(bytes).toString('hex')}`)) };
    case TYPE.PTR: {
      const { name, end } = decodeName(message, start);
      if (end !== start + length) throw new MalformedMessage(`a PTR record at byte ${start} has data beside its name`);
      return { kind: 'text', text: name };
    }
    case TYPE.TXT:
      return { kind: 'text', text: decodeStrings(bytes, start) };
    case TYPE.SOA: {
      const mname = decodeName(message, start);
      const rname = decodeName(message, mname.end);
      if (rname.end + 20 !== start + length)
        throw new MalformedMessage(`an SOA record at byte ${start} has ${length} bytes of data`);
      const view = Buffer.from(message.buffer, message.byteOffset + rname.end, 20);
      const [serial, refresh, retry, expire, minimum] = [0, 4, 8, 12, 16].map((at) => view.readUInt32BE(at)) as [
        number,
        number,
        number,
        number,
        number,
      ];
      return { kind: 'soa', mname: mname.name, rname: rname.name, serial, refresh, retry, expire, minimum };
    }
    default:
      return { kind: 'raw', bytes: Uint8Array.from(bytes) };
  }
}

/** A TXT record's character-strings, joined: our shapes hold one text per record. */
function decodeStrings(bytes: Uint8Array, start: number): string {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = bytes[at]!;
    if (at + 1 + length > bytes.length)
      throw new MalformedMessage(`a TXT string at byte ${start + at} runs past its record`);
    parts.push(bytes.subarray(at + 1, at + 1 + length));
    at += 1 + length;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The rdata of `data` for type code `type`. Throws a RangeError for data the type cannot carry. */
export function encodeRdata(type: number, data: RecordData): Buffer {
  if (data.kind === 'raw') return Buffer.from(data.bytes);
  if (data.kind === 'soa') {
    const numbers = Buffer.alloc(20);
    [data.serial, data.refresh, data.retry, data.expire, data.minimum].forEach((value, i) =>
      numbers.writeUInt32BE(value >>> 0, i * 4),
    );
    return Buffer.concat([encodeName(data.mname), encodeName(data.rname), numbers]);
  }
  const text = data.text;
  switch (type) {
    case TYPE.A: {
      const value = parseIPv4(text);
      if (value === undefined) throw new RangeError(`${JSON.stringify(text)} is not an IPv4 address`);
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(Number(value), 0);
      return bytes;
    }
    case TYPE.AAAA: {
      const value = parseIPv6(text);
      if (value === undefined) throw new RangeError(`${JSON.stringify(text)} is not an IPv6 address`);
      return Buffer.from(value.toString(16).padStart(32, '0'), 'hex');
    }
    case TYPE.PTR:
      return encodeName(text);
    case TYPE.TXT:
      return encodeStrings(Buffer.from(text, 'utf8'));
    default:
      throw new RangeError(`type ${type} has no text form here`);
  }
}

/** Text longer than one character-string (255 bytes) is cut into several, as RFC 7208 3.3 reads them back. */
function encodeStrings(text: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at === 0 || at < text.length; at += 255) {
    const piece = text.subarray(at, at + 255);
    parts.push(Buffer.from([piece.length]), piece);
  }
  return Buffer.concat(parts);
}
