/**
 * The AXFR request (RFC 5936 2.2): one question, the zone, type AXFR, class IN, no recursion.
 * Its answer is a stream of messages over TCP that starts and ends with the zone's SOA.
 */
import type { DnsMessage } from './wire-message.ts';
import { OPCODE } from './wire-header.ts';
import { CLASS, TYPE } from './wire-rdata.ts';

export function axfrMessage(id: number, zone: string): DnsMessage {
  return {
    header: { id, qr: false, opcode: OPCODE.query, aa: false, tc: false, rd: false, ra: false, rcode: 0 },
    questions: [{ name: zone, type: TYPE.AXFR, class: CLASS.IN }],
    answers: [],
    authority: [],
    additional: [],
  };
}
