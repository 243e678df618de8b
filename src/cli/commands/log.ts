/** `nebula-ipam log`: the audit log of every change to the lease book, by oned and by operators. */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { auditPath, type AuditRecord } from '../../audit/audit-log.ts';
import { matchesAudit, parseAuditLine, parseSince, type AuditFilter } from '../../audit/audit-query.ts';
import { IpamError } from '../../errors.ts';
import { EXIT_CODES } from '../../exit-codes.ts';
import { parseAddress } from '../../operator/locate-address.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import { renderJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';

export const logCommand: Command = {
  name: 'log',
  summary: 'the audit log: who changed what, when',
  usage: `Usage: nebula-ipam log [--since T] [--ip ADDRESS] [--last N] [--json]

Reads <book>.audit.jsonl, where every change to the lease book appends one JSON line:
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
    const file = auditPath(context.bookPath());
    const { records, skipped } = await readMatching(file, filter, last);
    if (context.json) {
      context.stdout(renderJson({ log: file, records, skipped }));
      return EXIT_CODES.ok;
    }
    if (skipped) context.stderr(`Skipped ${skipped} line${skipped === 1 ? '' : 's'} of ${file} that ${skipped === 1 ? 'is' : 'are'} not audit records\n`);
    if (!records.length) {
      context.stdout(fs.existsSync(file) ? 'No audit records match.\n' : `No audit log yet (${file}).\n`);
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

/** Streams the log (it only grows), keeping only what matches, and at most `last` of that. */
async function readMatching(file: string, filter: AuditFilter, last: number | undefined): Promise<{ records: AuditRecord[]; skipped: number }> {
  const records: AuditRecord[] = [];
  let skipped = 0;
  let stream: fs.ReadStream;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    stream = fs.createReadStream(file, { encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records, skipped };
    throw new IpamError('store-io', `Cannot read the audit log ${file}: ${(error as Error).message}`);
  }
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const record = parseAuditLine(line);
    if (!record) {
      skipped++;
      continue;
    }
    if (!matchesAudit(record, filter)) continue;
    records.push(record);
    if (last !== undefined && records.length > last) records.shift();
  }
  return { records, skipped };
}
