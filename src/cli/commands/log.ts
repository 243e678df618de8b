/** `nebula-ipam log`: the audit log of every change to the lease book, by oned and by operators. */
import { matchesAudit, parseSince, type AuditFilter } from '../../audit/audit-query.ts';
import type { AuditRecord } from '../../audit/audit-record.ts';
import { EXIT_CODES } from '../../exit-codes.ts';
import { parseAddress } from '../../operator/locate-address.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import { renderJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';

export const logCommand: Command = {
  name: 'log',
  summary: 'the audit log: who changed what, when',
  usage: `Usage: nebula-ipam log [--since T] [--ip ADDRESS] [--last N] [--json]

Reads the audit log (<book>.audit.jsonl beside a file book), where every change to the lease book appends one JSON line:
time, actor (oned:<request id> for driver actions, cli:<user> for these commands), action,
range, addresses, MAC, owner, and result (ok; unchanged, with the reason, when a driver
action succeeded without changing anything on purpose; or error with the message).

  --since T        only records from T on: an ISO date or time (2025-06-01,
                   2025-06-01T12:00:00Z) or a duration back from now (90s, 30m, 12h, 7d)
  --ip ADDRESS     only records touching this address (IPv4, IPv6 or MAC), including
                   registering and unregistering the range that holds it
  --last N         only the N most recent of the records that match
  --json           { log, records: [...], skipped } (skipped: lines that are not records)

Exit codes: 0 (also when nothing matches or there is no log yet); 2 bad option.
`,
  async run(args, context) {
    const { values } = parseCommandArgs('log', args, { since: { type: 'string' }, ip: { type: 'string' }, last: { type: 'string' } }, { min: 0, max: 0, names: '' });
    let since: Date | undefined;
    if (values.since !== undefined) {
      since = parseSince(values.since, context.now());
      if (!since) throw usageError('log', `--since must be an ISO date or time, or a duration like 30m, 12h, 7d, not ${JSON.stringify(values.since)}`);
    }
    let last: number | undefined;
    if (values.last !== undefined) {
      if (!/^[1-9][0-9]{0,8}$/.test(values.last)) throw usageError('log', `--last must be a whole number from 1, not ${JSON.stringify(values.last)}`);
      last = Number(values.last);
    }
    const address = values.ip === undefined ? undefined : parseAddress(values.ip);
    const filter: AuditFilter = { ...(since ? { since } : {}), ...(address ? { address } : {}) };
    const store = context.store();
    const { location, records, skipped } = await store.readAudit((record) => matchesAudit(record, filter), last);
    if (context.json) {
      context.stdout(renderJson({ log: location, records, skipped }));
      return EXIT_CODES.ok;
    }
    if (skipped) context.stderr(`Skipped ${skipped} line${skipped === 1 ? '' : 's'} of ${location} that ${skipped === 1 ? 'is' : 'are'} not audit records\n`);
    if (!records.length) {
      context.stdout(await store.exists() ? 'No audit records match.\n' : `No audit log yet (${location}).\n`);
      return EXIT_CODES.ok;
    }
    context.stdout(renderTable(
      [{ header: 'TIME' }, { header: 'ACTOR' }, { header: 'ACTION' }, { header: 'RANGE' }, { header: 'ADDRESSES' }, { header: 'RESULT' }, { header: 'DETAIL' }],
      records.map((r) => [r.time, r.actor, r.action, r.range ?? '-', r.addresses ?? '-', r.result, detail(r)]),
    ));
    return EXIT_CODES.ok;
  },
};

function detail(record: AuditRecord): string {
  return [record.owner && `owner ${JSON.stringify(record.owner)}`, record.mac && `MAC ${record.mac}`, record.detail, record.error].filter(Boolean).join('; ');
}
