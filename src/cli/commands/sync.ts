/**
 * `nebula-ipam sync [--dry-run] [--follow]`: keeps the DNS and DHCP targets of the config in step
 * with the book, level-triggered (src/sync/). Never on a driver action's path: a target that is
 * down delays its records, never a VM.
 */
import { FAMILIES } from '../../core/address/family.ts';
import { holdAt, recordHolds, type SeenInUse } from '../../core/book/holds.ts';
import { type ErrorKind, IpamError } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { describeSync } from '../../core/sync/describe-sync.ts';
import { tallyAfter } from '../../core/sync/tally-after.ts';
import { changePass } from '../../sync/change-pass.ts';
import { follow, type PassKind } from '../../sync/follow.ts';
import { nextSyncState, readSyncState, syncStateFile, writeSyncState } from '../../sync/sync-state.ts';
import { type PassMemory, type PassReport, syncPass } from '../../sync/sync-pass.ts';
import { targetClients } from '../../sync/target-clients.ts';
import { applyChange } from '../apply-change.ts';
import { parseCommandArgs, type Command, usageError } from '../command.ts';
import type { CliContext } from '../context.ts';
import { exitCodeHelp, READS_BOOK } from '../exit-code-help.ts';
import { renderJson } from '../render/json.ts';
import { requireBook } from '../require-book.ts';
import { guestSource } from '../vm-pool-source.ts';

const DEFAULT_INTERVAL_SECONDS = 60;
const POLL_MS = 250;
const RETRY_MS = 5_000;

export const syncCommand: Command = {
  name: 'sync',
  summary: 'keep the DNS and DHCP targets in step with the book (--follow: as a service)',
  usage: `Usage: nebula-ipam sync [--dry-run] [--follow [--interval SECONDS]] [--vms FILE|-] [--json]

One level-triggered pass over the targets of the config (DNS servers by RFC 2136 dynamic
update with TSIG, Kea DHCP servers through their control agent): reads the book, reads what
every target really holds (a zone transfer of each zone, Kea's leases), and changes only
what is nebula-ipam's, each DNS change one UPDATE with prerequisites:
  - A/AAAA and PTR records of leased addresses added, changed or deleted; a TXT record beside
    each name says it is nebula-ipam's (registryPrefix, registryOwner of the config)
  - DHCP leases (or reservations) of leases with a MAC put, renewed and removed
A name somebody else holds is reported as a conflict and left alone; an address of a pool seen
in use outside the book (a foreign record, a Kea lease nebula-ipam did not make; with
"observe": { "oned": true } an address a VM's guest agent reports in oned's VM pool; with a
pool's "probe", one of its next free addresses that answers TCP or ARP) is held in the book, so
nothing hands it out (nebula-ipam hold list). A target that cannot be reached is said in one
line; every other target goes on.

  --dry-run            show the plan; nothing is sent and nothing is held
  --follow             run as a service: a pass within a second of every change to the book
                       and a full pass every --interval seconds (default ${DEFAULT_INTERVAL_SECONDS}); stop it with
                       SIGTERM (the shipped unit nebula-ipam-sync.service does)
  --vms FILE|-         read oned's VM pool from FILE (\`onevm list -x --extended\` written on
                       another host; - for standard input, not with --follow) instead of what
                       the config's observe.oned says
  --json               the plan and what happened, as JSON (after a pass, \`after\`: per target
                       what it applied and what is in place and pending now)

After each pass the targets' state is kept for status, metrics and verify --targets.

${exitCodeHelp([
  [0, 'every target is in step (dry run: nothing to change)'],
  [1, 'conflicts were found and left alone (dry run: changes are planned)'],
  [2, 'bad option'],
  [4, 'a target refused the TSIG key, oned refused the login, or the config is bad'],
  [5, 'no such --vms file (nothing is done)'],
  [8, 'a target or oned could not be reached or answered nonsense'],
  ...READS_BOOK,
])}`,
  async run(args, context) {
    const { values } = parseCommandArgs(
      'sync',
      args,
      {
        'dry-run': { type: 'boolean' },
        follow: { type: 'boolean' },
        interval: { type: 'string' },
        vms: { type: 'string' },
      },
      { min: 0, max: 0, names: '' },
    );
    if (values['dry-run'] && values.follow) throw usageError('sync', '--dry-run and --follow do not go together');
    if (values.interval !== undefined && !values.follow) throw usageError('sync', '--interval goes with --follow');
    const intervalSeconds = values.interval === undefined ? DEFAULT_INTERVAL_SECONDS : Number(values.interval);
    if (!Number.isInteger(intervalSeconds) || intervalSeconds < 1 || intervalSeconds > 86_400)
      throw usageError(
        'sync',
        `--interval must be a whole number of seconds from 1 to 86400, not ${JSON.stringify(values.interval)}`,
      );

    if (values.vms === '-' && values.follow)
      throw usageError('sync', '--vms - is read once; under --follow give a file, which each pass reads again');
    if (values.vms === '') throw usageError('sync', '--vms needs a file (or - for standard input)');

    const config = context.config();
    // Observing (oned's VM pool, a pool's probe) is work of its own: with it and no targets, sync runs for the holds alone.
    if (
      config.targets.length === 0 &&
      !config.observe?.oned &&
      values.vms === undefined &&
      !config.pools.some((pool) => pool.probe)
    )
      throw new IpamError(
        'config',
        `Cannot sync: the config ${config.source} names no targets and no pool probes, and observes nothing (observe.oned); see "DNS and DHCP" in the README`,
      );
    await requireBook(context);
    const reuse = values.follow ? { ms: intervalSeconds * 1000, now: () => context.now().getTime() } : undefined;
    const clients = targetClients(config, guestSource(config, values.vms, reuse));
    const stateFile = syncStateFile(context.env, context.driver);
    // What the last pass of --follow read and did: its change passes plan from it.
    let memory: PassMemory | undefined;
    const passOptions = {
      now: () => context.now().getTime(),
      hold: (seen: readonly SeenInUse[]) => holdSeen(context, seen),
      remember: (m: PassMemory) => {
        memory = m;
      },
    };
    const pass = async (dryRun: boolean): Promise<PassReport> => {
      const report = await syncPass(context.store(), config, clients, { ...passOptions, dryRun });
      if (!dryRun) writeSyncState(stateFile, nextSyncState(readSyncState(stateFile), report));
      return report;
    };
    // A change pass counts only what it touched: the state status shows stays the full pass's.
    const followPass = (kind: PassKind) =>
      kind === 'change' && memory ? changePass(context.store(), config, clients, memory, passOptions) : pass(false);

    if (!values.follow) {
      const report = await pass(values['dry-run'] === true);
      // --json also says per target what the pass left (`after`: only what was applied counts).
      const json = report.dryRun ? report : { ...report, after: tallyAfter(report.plan, report.outcomes) };
      context.stdout(context.json ? renderJson(json) : reportText(report));
      context.stderr(failureLines(report));
      return exitCodeOf(report);
    }
    // SIGTERM ends the process between passes (the interrupt guard, program.ts); during the
    // write of holds, once the write is done. Nothing else stops the loop.
    const stop = new AbortController();
    await follow(
      context.store(),
      async (kind) => {
        try {
          const report = await followPass(kind);
          const text = reportText(report, true);
          if (text) context.stdout(`${context.now().toISOString()} ${text.replace(/\n(?!$)/g, `\n  `)}`);
          const failed = failureLines(report);
          const at = context.now().toISOString();
          for (const line of failed.split('\n').filter(Boolean)) context.stderr(`${at} ${line}\n`);
          return report;
        } finally {
          // The pass's holds are written and reported: SIGTERM ends the service again (or now, if it came meanwhile).
          context.interrupts.settled();
        }
      },
      {
        intervalMs: intervalSeconds * 1000,
        pollMs: POLL_MS,
        retryMs: RETRY_MS,
        signal: stop.signal,
        now: () => context.now().getTime(),
        onError: (error) => context.stderr(`${error instanceof Error ? error.message : String(error)}\n`),
      },
    );
    return EXIT_CODES.ok;
  },
};

/** A hold seen again has its lastSeen refreshed at most this often: a pass does not write the book for nothing. */
const HOLD_REFRESH_MS = 3_600_000;

/**
 * The holds a pass saw, as one audited change (an operator's `log --action hold` finds them):
 * new ones, ones whose reason changed, and ones last seen over an hour ago. Returns how many of
 * them are new or changed.
 */
function holdSeen(context: CliContext, seen: readonly SeenInUse[]): Promise<number> {
  return applyChange(context, 'hold', (book) => {
    const news = seen.filter((use) => {
      const held = holdAt(book, use.family, use.address);
      return !held || held.reason !== use.reason;
    });
    const due = seen.filter((use) => {
      const held = holdAt(book, use.family, use.address);
      return (
        held && held.reason === use.reason && Date.parse(use.seenAt) - Date.parse(held.lastSeen) >= HOLD_REFRESH_MS
      );
    });
    const next = recordHolds(book, [...news, ...due]);
    if (next === book) return { result: 0 };
    return {
      book: next,
      result: news.length,
      audit: news.map((use) => ({ addresses: FAMILIES[use.family].format(use.address), detail: use.reason })),
    };
  });
}

/**
 * One stderr line per target that failed: its first failure (the message names the server,
 * the zone and the key), and how many more zones failed alike, so a refused key is one line.
 */
function failureLines(report: PassReport): string {
  const byTarget = new Map<string, PassReport['failures'][number][]>();
  for (const failure of report.failures)
    byTarget.set(failure.target, [...(byTarget.get(failure.target) ?? []), failure]);
  return [...byTarget.entries()]
    .map(([target, [first, ...rest]]) => {
      if (first!.observer) return `${first!.message}\n`;
      const more = rest.length ? ` (and ${rest.length === 1 ? '1 more zone' : `${rest.length} more zones`} of it)` : '';
      return `Cannot sync target ${target}: ${first!.message}${more}\n`;
    })
    .join('');
}

/** `quiet`: under --follow, a pass with nothing to say prints nothing. */
function reportText(report: PassReport, quiet = false): string {
  const lines = [
    describeSync(
      report.plan,
      report.dryRun ? { applied: false } : { applied: true, outcomes: report.outcomes },
    ).trimEnd(),
  ];
  if (report.held > 0)
    lines.push(
      `Held ${report.held === 1 ? '1 address' : `${report.held} addresses`} seen in use outside the book (nebula-ipam hold list)`,
    );
  const text = lines.filter((line) => line !== '').join('\n');
  if (quiet && !somethingHappened(report)) return '';
  return text === '' ? '' : `${text}\n`;
}

function somethingHappened(report: PassReport): boolean {
  return (
    report.failures.length > 0 ||
    report.held > 0 ||
    report.plan.dns.some((t) => t.updates.length > 0) ||
    report.plan.dhcp.some((t) => t.put.length > 0 || t.remove.length > 0)
  );
}

function exitCodeOf(report: PassReport): number {
  const kinds = new Set<ErrorKind>(report.failures.map((f) => f.kind));
  if (kinds.has('config')) return EXIT_CODES.config;
  if (report.failures.length > 0) return EXIT_CODES['store-io'];
  const changes =
    report.plan.dns.some((t) => t.updates.length > 0) ||
    report.plan.dhcp.some((t) => t.put.length > 0 || t.remove.length > 0);
  if (report.plan.conflicts.length > 0 || (report.dryRun && changes)) return EXIT_CODES.findings;
  return EXIT_CODES.ok;
}
