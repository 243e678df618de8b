/**
 * Whole DNS messages: a header and four sections (RFC 1035 4.1; for an UPDATE, RFC 2136 2.2:
 * zone, prerequisites, updates, additional). Decoding keeps where each record began, because
 * TSIG (RFC 8945 4.3) signs the message as it was before its own record was added.
 */
import { MalformedMessage } from './malformed.ts';
import { type DnsHeader, decodeHeader, encodeHeader, HEADER_BYTES } from './wire-header.ts';
import { checkedLabels, decodeName, encodeName } from './wire-name.ts';
import { decodeRdata, encodeRdata, type RecordData, TYPE } from './wire-rdata.ts';

export interface WireQuestion {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface WireRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly data: RecordData;
}

/** A decoded record, with where it began in the message. */
export interface PlacedRecord extends WireRecord {
  readonly offset: number;
}

export type HeaderFlags = Omit<DnsHeader, 'qdcount' | 'ancount' | 'nscount' | 'arcount'>;

export interface DnsMessage {
  readonly header: HeaderFlags;
  readonly questions: readonly WireQuestion[];
  readonly answers: readonly WireRecord[];
  readonly authority: readonly WireRecord[];
  readonly additional: readonly WireRecord[];
}

export interface DecodedMessage extends DnsMessage {
  readonly header: DnsHeader;
  readonly answers: readonly PlacedRecord[];
  readonly authority: readonly PlacedRecord[];
  readonly additional: readonly PlacedRecord[];
}

export function encodeRecord(record: WireRecord): Buffer {
  const rdata = encodeRdata(record.type, record.data);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(record.type, 0);
  fixed.writeUInt16BE(record.class, 2);
  fixed.writeUInt32BE(record.ttl >>> 0, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(record.name), fixed, rdata]);
}

/**
 * `message` on the wire, names compressed (RFC 1035 4.1.4): each name, and the names inside PTR
 * and SOA data, points at a suffix written before it, which halves a batch of PTR records.
 * (TSIG records are appended after, uncompressed, by encodeRecord.)
 */
export function encodeMessage(message: DnsMessage): Buffer {
  const parts: Buffer[] = [
    encodeHeader({
      ...message.header,
      qdcount: message.questions.length,
      ancount: message.answers.length,
      nscount: message.authority.length,
      arcount: message.additional.length,
    }),
  ];
  let length = HEADER_BYTES;
  const suffixes = new Map<string, number>();
  const put = (bytes: Buffer) => {
    parts.push(bytes);
    length += bytes.length;
  };
  const putName = (name: string) => put(compressedName(name, length, suffixes));
  for (const question of message.questions) {
    putName(question.name);
    const fixed = Buffer.alloc(4);
    fixed.writeUInt16BE(question.type, 0);
    fixed.writeUInt16BE(question.class, 2);
    put(fixed);
  }
  for (const record of [...message.answers, ...message.authority, ...message.additional]) {
    putName(record.name);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(record.type, 0);
    fixed.writeUInt16BE(record.class, 2);
    fixed.writeUInt32BE(record.ttl >>> 0, 4);
    put(fixed);
    const start = length;
    const data = record.data;
    if (record.type === TYPE.PTR && data.kind === 'text') putName(data.text);
    else if (record.type === TYPE.SOA && data.kind === 'soa') {
      putName(data.mname);
      putName(data.rname);
      put(encodeRdata(TYPE.SOA, data).subarray(-20));
    } else put(encodeRdata(record.type, data));
    fixed.writeUInt16BE(length - start, 8);
  }
  return Buffer.concat(parts, length);
}

/** `name` written at `offset`: its labels up to the first suffix already in `suffixes`, then a pointer to it. */
function compressedName(name: string, offset: number, suffixes: Map<string, number>): Buffer {
  const labels = checkedLabels(name);
  // keys[i] names the suffix from label i: each label with its length before it, ASCII folded
  // (names match case-insensitively, 4.1.4); built from the end, so each is one concatenation.
  const keys: string[] = new Array(labels.length + 1).fill('');
  for (let i = labels.length - 1; i >= 0; i--) {
    const label = labels[i]!;
    const folded = label.toString('latin1').replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
    keys[i] = String.fromCharCode(label.length) + folded + keys[i + 1];
  }
  const parts: Buffer[] = [];
  let at = offset;
  for (let i = 0; i < labels.length; i++) {
    const earlier = suffixes.get(keys[i]!);
    if (earlier !== undefined) {
      parts.push(Buffer.from([0xc0 | (earlier >> 8), earlier & 0xff]));
      return Buffer.concat(parts);
    }
    // A pointer holds 14 bits: suffixes past 16 KiB are written out, never pointed at.
    if (at < 0x4000) suffixes.set(keys[i]!, at);
    const label = labels[i]!;
    parts.push(Buffer.from([label.length]), label);
    at += 1 + label.length;
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** Reads a whole message; throws MalformedMessage when it is cut short or has bytes after its records. */
export function decodeMessage(bytes: Uint8Array): DecodedMessage {
  const header = decodeHeader(bytes);
  if (header === undefined)
    throw new MalformedMessage(`a message of ${bytes.length} bytes is shorter than a DNS header`);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let at = HEADER_BYTES;
  const need = (count: number, what: string) => {
    if (at + count > bytes.length)
      throw new MalformedMessage(`${what} at byte ${at} runs past the end of the message (${bytes.length} bytes)`);
  };
  const questions: WireQuestion[] = [];
  for (let i = 0; i < header.qdcount; i++) {
    const { name, end } = decodeName(bytes, at);
    at = end;
    need(4, 'a question');
    questions.push({ name, type: view.readUInt16BE(at), class: view.readUInt16BE(at + 2) });
    at += 4;
  }
  const section = (count: number): PlacedRecord[] => {
    const records: PlacedRecord[] = [];
    for (let i = 0; i < count; i++) {
      const offset = at;
      const { name, end } = decodeName(bytes, at);
      at = end;
      need(10, 'a record');
      const type = view.readUInt16BE(at);
      const klass = view.readUInt16BE(at + 2);
      const ttl = view.readUInt32BE(at + 4);
      const length = view.readUInt16BE(at + 8);
      at += 10;
      need(length, 'record data');
      records.push({ name, type, class: klass, ttl, data: decodeRdata(bytes, type, at, length), offset });
      at += length;
    }
    return records;
  };
  const answers = section(header.ancount);
  const authority = section(header.nscount);
  const additional = section(header.arcount);
  if (at !== bytes.length) throw new MalformedMessage(`${bytes.length - at} bytes follow the last record`);
  return { header, questions, answers, authority, additional };
}
