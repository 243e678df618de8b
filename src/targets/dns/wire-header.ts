/**
 * The 12-byte header every DNS message starts with (RFC 1035 4.1.1; RFC 2136 2.2 renames the
 * counts of an UPDATE to zone, prerequisite, update and additional, same positions). Flags are
 * spelt out as booleans so no caller masks bits.
 */
export const HEADER_BYTES = 12;

export const OPCODE = { query: 0, update: 5 } as const;

/** The header's 4-bit RCODE values the edge reports, by name (RFC 1035, RFC 2136 2.2). */
export const RCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  6: 'YXDOMAIN',
  7: 'YXRRSET',
  8: 'NXRRSET',
  9: 'NOTAUTH',
  10: 'NOTZONE',
};

export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

export interface DnsHeader {
  readonly id: number;
  /** A response (true) or a request. */
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  /** Truncated: the answer did not fit a UDP datagram; ask again over TCP. */
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  readonly rcode: number;
  /** Questions, or an UPDATE's zone count. */
  readonly qdcount: number;
  /** Answers, or an UPDATE's prerequisites. */
  readonly ancount: number;
  /** Authority records, or an UPDATE's updates. */
  readonly nscount: number;
  readonly arcount: number;
}

export function encodeHeader(header: DnsHeader): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  bytes.writeUInt16BE(header.id, 0);
  const flags =
    (header.qr ? 0x8000 : 0) |
    ((header.opcode & 0xf) << 11) |
    (header.aa ? 0x0400 : 0) |
    (header.tc ? 0x0200 : 0) |
    (header.rd ? 0x0100 : 0) |
    (header.ra ? 0x0080 : 0) |
    (header.rcode & 0xf);
  bytes.writeUInt16BE(flags, 2);
  bytes.writeUInt16BE(header.qdcount, 4);
  bytes.writeUInt16BE(header.ancount, 6);
  bytes.writeUInt16BE(header.nscount, 8);
  bytes.writeUInt16BE(header.arcount, 10);
  return bytes;
}

/** Reads the header of `message`; undefined when it is shorter than a header. */
export function decodeHeader(message: Uint8Array): DnsHeader | undefined {
  if (message.length < HEADER_BYTES) return undefined;
  const view = Buffer.from(message.buffer, message.byteOffset, message.length);
  const flags = view.readUInt16BE(2);
  return {
    id: view.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    qdcount: view.readUInt16BE(4),
    ancount: view.readUInt16BE(6),
    nscount: view.readUInt16BE(8),
    arcount: view.readUInt16BE(10),
  };
}
