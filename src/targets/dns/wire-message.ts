/**
 * Whole DNS messages: a header and four sections (RFC 1035 4.1; for an UPDATE, RFC 2136 2.2:
 * zone, prerequisites, updates, additional). Decoding keeps where each record began, because
 * TSIG (RFC 8945 4.3) signs the message as it was before its own record was added.
 */
import { MalformedMessage } from './malformed.ts';
import { type DnsHeader, decodeHeader, encodeHeader, HEADER_BYTES } from './wire-header.ts';
import { decodeName, encodeName } from './wire-name.ts';
import { decodeRdata, encodeRdata, type RecordData } from './wire-rdata.ts';

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

export function encodeMessage(message: DnsMessage): Buffer {
  const header = encodeHeader({
    ...message.header,
    qdcount: message.questions.length,
    ancount: message.answers.length,
    nscount: message.authority.length,
    arcount: message.additional.length,
  });
  const questions = message.questions.map((question) => {
    const fixed = Buffer.alloc(4);
    fixed.writeUInt16BE(question.type, 0);
    fixed.writeUInt16BE(question.class, 2);
    return Buffer.concat([encodeName(question.name), fixed]);
  });
  const records = [...message.answers, ...message.authority, ...message.additional].map(encodeRecord);
  return Buffer.concat([header, ...questions, ...records]);
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
