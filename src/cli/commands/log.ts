/** `nebula-ipam log`: the audit log of every change to the lease book, by oned and by operators. */
import { exitCodeHelp } from '../exit-code-help.ts';
import { matchesAudit, parseSince, type AuditFilter } from '../../audit/audit-query.ts';
import type { AuditRecord } from '../../core/change.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { didYouMean } from '../../core/did-you-mean.ts';
import { parseAddress } from '../../core/operator/locate-address.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import { requireBook } from '../require-book.ts';
import { renderJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';

/** Enough to see what just happened; a busy cloud's log has hundreds of thousands of records. */
const DEFAULT_LIMIT = 50;

export const logCommand: Command = {
  name: 'log',
  summary: 'the audit log: who changed what, when',
  usage: `Usage: nebula-ipam log [--since T] [--ip ADDRESS] [--range ID] [--owner TEXT] [--actor WHO] [--action NAME] [--limit N | --all] [--json]

Reads the audit log (<book>.audit.jsonl beside a file book), where every change to the lease book appends one JSON line:
time, actor (oned:<request id> for driver actions, cli:<user> for these commands), action,
range, addresses, MAC, owner, host (the front-end that wrote it), sudoUser (SUDO_USER of a
command run through sudo), and result (ok; unchanged, with the reason, when a driver
action succeeded without changing anything on purpose; or error with the message).
Filters combine (every one given must match).

  --since T        only records from T on: an ISO date or time (2025-06-01,
                   2025-06-01T12:00:00Z) or a duration back from now (90s, 30m, 12h, 7d)
  --ip ADDRESS     only records touching this address (IPv4, IPv6 or MAC), including
                   registering and unregistering the range that holds it
  --range ID       only records of this range (r4)
  --owner TEXT     only records of this owner
  --actor WHO      only this actor (cli:alice, oned:36), or every actor of a kind (oned, cli)
  --action NAME    only this action (lease, release, get_address, reconcile-add-lease, ...)
  --limit N        only the N most recent of the records that match (default ${DEFAULT_LIMIT};
                   --last N is the same)
  --all            every record that matches
  --json           { log, records: [...], skipped, matched } (skipped: lines that are not
                   records; matched: how many matched before --limit)

${exitCodeHelp([
  [0, 'listed (also when nothing matches or there is no log yet)'],
  [2, 'bad option'],
  [4, 'the config is missing (when named), unreadable or invalid'],
  [8, 'the audit log cannot be read'],
])}`,
  async run(args, context) {
    const { values } = parseCommandArgs(
      'log',
      args,
      {
        since: { type: 'string' },
        ip: { type: 'string' },
        range: { type: 'string' },
        owner: { type: 'string' },
        actor: { type: 'string' },
        action: { type: 'string' },
        last: { type: 'string' },
        limit: { type: 'string' },
        all: { type: 'boolean' },
      },
      { min: 0, max: 0, names: '' },
    );
    if (values.last !== undefined && values.limit !== undefined)
      throw usageError('log', 'give --limit or --last, not both');
    const limitText = values.limit ?? values.last;
    if (limitText !== undefined && values.all)
      throw usageError('log', `give --${values.limit !== undefined ? 'limit' : 'last'} or --all, not both`);
    let since: Date | undefined;
    if (values.since !== undefined) {
      since = parseSince(values.since, context.now());
      if (!since)
        throw usageError(
          'log',
          `--since must be an ISO date or time, or a duration like 30m, 12h, 7d, not ${JSON.stringify(values.since)}`,
        );
    }
    let last: number | undefined = values.all ? undefined : DEFAULT_LIMIT;
    if (limitText !== undefined) {
      if (!/^[1-9][0-9]{0,8}$/.test(limitText))
        throw usageError(
          'log',
          `--${values.limit !== undefined ? 'limit' : 'last'} must be a whole number from 1, not ${JSON.stringify(limitText)}`,
        );
      last = Number(limitText);
    }
    const address = values.ip === undefined ? undefined : parseAddress(values.ip);
    const exact = { range: values.range, owner: values.owner, actor: values.actor, action: values.action };
    const filter: AuditFilter = {
      ...(since ? { since } : {}),
      ...(address ? { address } : {}),
      ...Object.fromEntries(Object.entries(exact).filter(([, v]) => v !== undefined)),
    };
    await requireBook(context);
    const store = context.store();
    // Read whole, then cut: how many matched is worth saying when only the last few are shown.
    // The actions the log holds are noted on the way, for a did-you-mean on --action.
    const actions = new Set<string>();
    const {
      location,
      records: all,
      skipped,
    } = await store.readAudit((record) => {
      actions.add(record.action);
      return matchesAudit(record, filter);
    });
    if (values.action !== undefined && !actions.has(values.action)) {
      const near = didYouMean(values.action, [...actions]);
      if (near !== '') throw usageError('log', `no record has --action ${JSON.stringify(values.action)}${near}`);
    }
    const matched = all.length;
    const records = last === undefined ? all : all.slice(-last);
    if (context.json) {
      context.stdout(renderJson({ log: location, records, skipped, matched }));
      return EXIT_CODES.ok;
    }
    if (skipped)
      context.stderr(
        `Skipped ${skipped} line${skipped === 1 ? '' : 's'} of ${location} that ${skipped === 1 ? 'is' : 'are'} not audit records\n`,
      );
    if (!records.length) {
      context.stdout('No audit records match.\n');
      return EXIT_CODES.ok;
    }
    if (matched > records.length)
      context.stderr(
        `Showing the last ${records.length} of ${matched} records (--all, --limit N or --since T for more)\n`,
      );
    context.stdout(
      renderTable(
        [
          { header: 'TIME' },
          { header: 'ACTOR' },
          { header: 'ACTION' },
          { header: 'RANGE' },
          { header: 'ADDRESSES' },
          { header: 'RESULT' },
          { header: 'DETAIL', shrink: true },
        ],
        records.map((r) => [r.time, r.actor, r.action, r.range ?? '-', r.addresses ?? '-', r.result, detail(r)]),
        context.options.width,
      ),
    );
    return EXIT_CODES.ok;
  },
};

function detail(record: AuditRecord): string {
  return [
    record.owner && `owner ${JSON.stringify(record.owner)}`,
    record.mac && `MAC ${record.mac}`,
    record.detail,
    record.error,
  ]
    .filter(Boolean)
    .join('; ');
}
