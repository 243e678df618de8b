/**
 * A zone's records as the server holds them, by zone transfer (AXFR, RFC 5936) over TCP, signed
 * with the server's key and every signed message of the answer checked (RFC 8945 5.3.1). Only
 * the types nebula-ipam writes (A, AAAA, PTR, TXT) are returned; the rest of the zone is the
 * server's and somebody else's. The transfer ends at the zone's SOA coming round again.
 */
import type { DnsRecord } from '../../core/sync/target-records.ts';
import { type DnsAction, malformedAnswer, refusedTransfer, tsigFailure } from './dns-failure.ts';
import type { DnsServer } from './dns-server.ts';
import { axfrMessage } from './axfr-message.ts';
import { incoming, outgoing } from './signed-exchange.ts';
import { TcpStream } from './tcp-stream.ts';
import type { TsigVerifier } from './tsig.ts';
import { rcodeName } from './wire-header.ts';
import { encodeMessage } from './wire-message.ts';
import { CLASS, TYPE, textType } from './wire-rdata.ts';

/** A bound on the stream: far more messages than a zone of a million records needs. */
const MOST_MESSAGES = 1_000_000;

export interface ZoneContents {
  /** The SOA serial the transfer started with: equal serials, equal zones. */
  readonly serial: number;
  readonly records: DnsRecord[];
}

/** The zone's A, AAAA, PTR and TXT records (names and PTR targets lower-case, without the final dot). */
export async function readZone(server: DnsServer, zone: string): Promise<DnsRecord[]> {
  return (await transferZone(server, zone)).records;
}

/** readZone with the SOA serial. */
export async function transferZone(server: DnsServer, zone: string): Promise<ZoneContents> {
  const action: DnsAction = `read zone ${zone}`;
  const apex = zone.toLowerCase().replace(/\.$/, '');
  const request = outgoing(
    server,
    encodeMessage(axfrMessage(0, apex)),
    Math.floor(Math.random() * 0x10000),
    Date.now() / 1000,
  );
  const stream = await TcpStream.open(server, action);
  try {
    stream.send(request.bytes);
    const records: DnsRecord[] = [];
    let serial: number | undefined;
    for (let count = 0; count < MOST_MESSAGES; count++) {
      const message = incoming(server, action, request, await stream.next(action, 1), Date.now() / 1000);
      if (message.header.rcode !== 0) throw refusedTransfer(action, server, rcodeName(message.header.rcode));
      for (const record of message.answers) {
        if (record.type === TYPE.SOA && record.name === apex && record.data.kind === 'soa') {
          if (serial !== undefined) {
            finishSigned(server, action, request.verifier);
            return { serial, records };
          }
          serial = record.data.serial;
          continue;
        }
        if (serial === undefined)
          throw malformedAnswer(action, server, "the transfer does not start with the zone's SOA");
        const type = textType(record.type);
        if (type === undefined || record.class !== CLASS.IN || record.data.kind !== 'text') continue;
        records.push({ name: record.name, type, ttl: record.ttl, data: record.data.text });
      }
      if (serial === undefined && message.answers.length === 0)
        throw malformedAnswer(action, server, 'the transfer holds no records');
    }
    throw malformedAnswer(action, server, `the transfer did not end within ${MOST_MESSAGES} messages`);
  } finally {
    stream.close();
  }
}

function finishSigned(server: DnsServer, action: DnsAction, verifier: TsigVerifier | undefined): void {
  if (verifier === undefined) return;
  const check = verifier.finish();
  // The stream ended on an unsigned message: its last records are not vouched for.
  if (!check.ok) throw tsigFailure(action, server, check.problem);
}
