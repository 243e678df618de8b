/**
 * One DnsUpdate as an RFC 2136 UPDATE message. Prerequisites (2.4): name-not-in-use is 2.4.5
 * (ANY, class NONE), rrset-absent 2.4.3 (the type, class NONE), rrset-equals 2.4.2 (each record,
 * class IN, TTL 0: the server compares the whole rrset). Updates (2.5): deletes first, record by
 * record (2.5.4, class NONE, TTL 0), then adds (2.5.1), so a change of data is one message.
 */
import type { DnsPrerequisite, DnsRecord, DnsUpdate } from '../../core/sync/target-records.ts';
import type { DnsMessage, WireRecord } from './wire-message.ts';
import { OPCODE } from './wire-header.ts';
import { CLASS, NO_DATA, TYPE, typeCode } from './wire-rdata.ts';

export function updateMessage(id: number, update: DnsUpdate): DnsMessage {
  return {
    header: { id, qr: false, opcode: OPCODE.update, aa: false, tc: false, rd: false, ra: false, rcode: 0 },
    questions: [{ name: update.zone, type: TYPE.SOA, class: CLASS.IN }],
    answers: update.prerequisites.flatMap(prerequisiteRecords),
    authority: [
      ...update.remove.map((record) => ({ ...wireRecord(record), class: CLASS.NONE, ttl: 0 })),
      ...update.add.map(wireRecord),
    ],
    additional: [],
  };
}

function prerequisiteRecords(prerequisite: DnsPrerequisite): WireRecord[] {
  switch (prerequisite.kind) {
    case 'name-not-in-use':
      return [{ name: prerequisite.name, type: TYPE.ANY, class: CLASS.NONE, ttl: 0, data: NO_DATA }];
    case 'rrset-absent':
      return [{ name: prerequisite.name, type: typeCode(prerequisite.type), class: CLASS.NONE, ttl: 0, data: NO_DATA }];
    case 'rrset-equals':
      // An empty list names no rrset; "absent" is rrset-absent's job, so saying it here is a caller's slip.
      if (prerequisite.records.length === 0) throw new RangeError('an rrset-equals prerequisite names no records');
      return prerequisite.records.map((record) => ({ ...wireRecord(record), ttl: 0 }));
  }
}

function wireRecord(record: DnsRecord): WireRecord {
  return {
    name: record.name,
    type: typeCode(record.type),
    class: CLASS.IN,
    ttl: record.ttl,
    data: { kind: 'text', text: record.data },
  };
}
