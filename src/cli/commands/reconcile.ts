/**
 * `nebula-ipam reconcile --from FILE [--apply]`: OpenNebula's books (`onevnet list -x` or
 * `onevnet show -x`) against the lease book, both ways. A dry run reads the book without the
 * lock; `--apply` decides again on the locked book and writes once. `--apply` judges the book as
 * of a time surely before oned's snapshot, never as of a file's modification time.
 */
import { auditedUpdate } from '../../audit/audited-update.ts';
import type { Book } from '../../core/book/book.ts';
import type { Change } from '../../core/change.ts';
import { DEFAULT_DRIVER_NAME } from '../../config/paths.ts';
import { shown } from '../../core/errors.ts';
import { describeReconcileFinding, describeReconcileNote, leased } from '../../core/reconcile/describe-reconcile.ts';
import { findDifferences, type ReconcilePlan } from '../../core/reconcile/find-differences.ts';
import { loadOnevnetText, standardInputIsFile } from '../load-onevnet-text.ts';
import { readOnevnetXml } from '../../core/reconcile/read-onevnet.ts';
import { selectionText } from '../../core/reconcile/select-ars.ts';
import { reconcileExitCode } from '../../core/reconcile/reconcile-finding.ts';
import { applyFixes, type AppliedChange, type ReconcileFix } from '../../core/reconcile/reconcile-fix.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { exitCodeHelp, WRITES_BOOK } from '../exit-code-help.ts';
import type { CliContext } from '../context.ts';
import { noticeWaits } from '../lock-notice.ts';
import { announceLongRead } from '../long-read.ts';
import { parseCommandArgs, usageError, type Command } from '../command.ts';
import { renderJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: 'compare with OpenNebula (onevnet list -x / show -x); --apply adopts its leases',
  namesBookOnStderr: false,
  usage: `Usage: nebula-ipam reconcile --from FILE [--apply] [--as-of TIME] [--driver NAME] [--json]

Compares what OpenNebula says (the XML of \`onevnet list -x\` or \`onevnet show -x <id>\`,
run as oneadmin) with the lease book, both ways:
  - addresses leased in OpenNebula but free in the book, and held in the book for
    OpenNebula but not leased there (VM -1 is a hold, VNET a reservation, VROUTER a router)
  - ARs of this driver the book has no range for, and OpenNebula ranges of the book that
    no AR stands for (only with \`onevnet list -x\`: one VNET cannot tell)
  - ranges whose TYPE, IP, IP6, SIZE or MAC differ; two ARs naming one range
  - addresses leased in OpenNebula and to an operator in the book
Operator leases and operator ranges are never findings of their own and never changed.

Dry run by default: nothing is written. With --apply the book adopts what OpenNebula says
about its own leases and ranges, in one locked write: missing leases are added, stale ones
dropped, missing ranges added with their leases and range ids (this rebuilds a lost book),
ranges OpenNebula no longer has removed. Each change is one audit line. What --apply cannot
settle (a clash with an operator lease, a changed range) is listed with the reason.

Anything in the book newer than the document ("as of", less reconcileMarginSeconds of the
config, 300 by default) is not judged: oned may have leased it after its snapshot, and HA
front-ends stamp leases with their own clocks. So "as of" must be no later than the snapshot,
and --apply needs --as-of whatever the source: a FILE's modification time is when onevnet
finished writing, and a pipe cannot tell onevnet from a saved file (cat vnets.xml | ...).
A dry run without --as-of uses FILE's modification time, or for --from - the time
reconcile started, and says which.

With --driver NAME on a book several drivers share, only the ranges NAME registered are
judged (and ranges with no recorded driver that no other driver's AR stands for); the
other drivers' ARs still count as taken space.

  --from FILE    the XML; \`-\` reads standard input (onevnet list -x | nebula-ipam reconcile --from -)
  --apply        change the book (default: only report)
  --as-of TIME   a time surely before oned printed the document (ISO 8601); required with
                 --apply (default for a dry run: FILE's modification time, the start of
                 reconcile for standard input)
  --driver NAME  compare the ARs whose IPAM_MAD is NAME (default: ARs carrying
                 NEBULA_IPAM_RANGE or with IPAM_MAD ${DEFAULT_DRIVER_NAME})
  --json         one JSON document: { document, book, applied, findings[], notes[], changes[] }

${exitCodeHelp([[0, 'both agree (or, with --apply, everything found was settled)'], [1, 'differences remain (listed), or nothing was compared (no AR of this driver in the document: the line says why)'], [2, 'bad option (also --apply without --as-of)'], [3, "the XML is malformed or not onevnet's (nothing changed)"], [5, 'no such --from file'], [6, 'the lease book stayed locked (another command or oned holds it)'], ...WRITES_BOOK])}`,
  async run(args, context) {
    // Stamped before anything is read: no later than oned's snapshot when onevnet writes
    // straight into this process (onevnet list -x | nebula-ipam reconcile --from -). The bundle
    // never runs onevnet itself: it spawns no process at all (docs/guarantees.md).
    const started = context.now().toISOString();
    const { values } = parseCommandArgs(
      'reconcile',
      args,
      {
        from: { type: 'string' },
        apply: { type: 'boolean' },
        'as-of': { type: 'string' },
      },
      { min: 0, max: 0, names: '' },
    );
    const from = values.from;
    if (from === undefined)
      throw usageError('reconcile', '--from FILE is required (the XML of onevnet list -x or onevnet show -x)');
    let asOf: string | undefined;
    if (values['as-of'] !== undefined) {
      const time = Date.parse(values['as-of']);
      if (Number.isNaN(time))
        throw usageError(
          'reconcile',
          `--as-of ${shown(values['as-of'])} is not a time (use ISO 8601, e.g. 2025-01-31T12:00:00Z)`,
        );
      asOf = new Date(time).toISOString();
    }
    const apply = values.apply === true;
    const isFile = from !== '-';
    if (apply && asOf === undefined) {
      // No time the driver can see is the snapshot's: a file's modification time is when onevnet
      // finished writing (a lease oned made in between is missing from it, and would be dropped
      // as stale), and the start of reconcile is just as late for a saved file piped in
      // (`cat vnets.xml | ...`), which a pipe cannot tell from onevnet itself.
      const what = isFile
        ? `--from ${shown(from)}`
        : standardInputIsFile()
          ? '--from - reading a saved file'
          : '--from - (a pipe cannot tell onevnet from a saved file)';
      throw usageError(
        'reconcile',
        `--apply with ${what} needs --as-of TIME, a time surely before onevnet printed the document: when you started it, or for a pipe --as-of "$(date -u +%FT%TZ)" on the same command line`,
      );
    }
    const source = from === '-' ? '(standard input)' : from;
    if (isFile) announceLongRead(from, '--from', context.stderr);
    const { text, modifiedAt } = loadOnevnetText(from);
    const doc = readOnevnetXml(text, source);

    const config = context.config();
    const options = {
      config,
      driver: { name: context.driver, explicit: context.driver !== DEFAULT_DRIVER_NAME },
      documentTime: asOf ?? (isFile ? modifiedAt! : started),
      marginMs: config.reconcileMarginMs,
      now: context.now().toISOString(),
    };
    const outcome = apply
      ? await applyPlan(context, (book) => findDifferences(book, doc, options))
      : await dryRun(context, (book) => findDifferences(book, doc, options));
    // "Agree" is said only of something compared: nothing compared is no all-clear.
    const code =
      outcome.plan.nothingCompared === undefined
        ? reconcileExitCode(outcome.plan.findings, apply)
        : EXIT_CODES.findings;
    // Say where "as of" came from, and where judging stopped: a dry run may have guessed it.
    const judgedUntil = new Date(Date.parse(options.documentTime) - options.marginMs).toISOString();
    const dated = asOf !== undefined ? '--as-of' : isFile ? "the file's modification time" : 'the start of reconcile';

    if (context.json) {
      context.stdout(
        renderJson({
          document: {
            file: source,
            root: outcome.plan.scope.document,
            asOf: options.documentTime,
            judgedUntil,
            selection: selectionText(options.driver),
            vnets: outcome.plan.scope.vnets,
            ars: outcome.plan.scope.ars,
            leases: outcome.plan.scope.leases,
          },
          book: context.store().description.location,
          generation: outcome.generation,
          applied: apply,
          compared: outcome.plan.nothingCompared === undefined,
          ...(outcome.plan.nothingCompared === undefined ? {} : { nothingCompared: outcome.plan.nothingCompared }),
          findings: outcome.plan.findings,
          notes: outcome.plan.notes,
          changes: outcome.changes,
        }),
      );
      return code;
    }
    const asOfText = `${options.documentTime} (${dated}; the book judged up to ${judgedUntil}, reconcileMarginSeconds ${options.marginMs / 1000})`;
    context.stdout(renderReport(source, asOfText, selectionText(options.driver), context, outcome, apply));
    return code;
  },
};

interface Outcome {
  readonly plan: ReconcilePlan;
  readonly changes: readonly AppliedChange[];
  /** The book's generation as compared, and after the write when there was one. */
  readonly generation: { readonly compared: number; readonly written?: number };
}

async function dryRun(context: CliContext, decide: (book: Book) => ReconcilePlan): Promise<Outcome> {
  const book = await context.store().read();
  return { plan: decide(book), changes: [], generation: { compared: book.generation } };
}

/** Decides on the locked book (it may have moved since a dry run) and writes once. */
async function applyPlan(context: CliContext, decide: (book: Book) => ReconcilePlan): Promise<Outcome> {
  const subject = { time: context.now().toISOString(), actor: context.actor, action: 'reconcile' };
  const where = context.store().description.location;
  const notice = noticeWaits(context.stderr, context.config().lockTimeoutMs);
  const change = (book: Book): Change<Outcome> => {
    const plan = decide(book);
    if (plan.fixes.length === 0) return { result: { plan, changes: [], generation: { compared: book.generation } } };
    const applied = applyFixes(book, plan.fixes);
    return {
      book: applied.book,
      result: {
        plan,
        changes: applied.changes,
        generation: { compared: book.generation, written: book.generation + 1 },
      },
      audit: applied.changes,
    };
  };
  return context.interrupts
    .write(where, (options) => auditedUpdate(context.store(), subject, change, {}, { ...options, ...notice.options }))
    .finally(notice.done);
}

function renderReport(
  source: string,
  asOf: string,
  selection: string,
  context: CliContext,
  outcome: Outcome,
  applied: boolean,
): string {
  const { plan, changes, generation } = outcome;
  const { scope } = plan;
  const command = scope.document === 'VNET' ? 'onevnet show -x' : 'onevnet list -x';
  let out = `Compared ${source} (${command}, as of ${asOf}: ${count(scope.vnets, 'VNET')}, ${count(scope.ars, 'AR')} with ${selection}, ${leased(scope.leases)})\n`;
  out += `with the lease book ${context.store().description.location} (generation ${generation.compared}).\n\n`;
  if (plan.nothingCompared !== undefined) {
    out += `Nothing was compared: ${plan.nothingCompared}.\n`;
  } else if (plan.findings.length === 0) {
    out += 'OpenNebula and the lease book agree.\n';
  } else {
    out += renderTable(
      [
        { header: 'PROBLEM' },
        { header: 'RANGE' },
        { header: 'AR' },
        { header: 'ADDRESSES' },
        { header: 'DETAIL', shrink: true },
        { header: applied ? 'DONE' : 'WITH --apply' },
      ],
      plan.findings
        .map((f) => describeReconcileFinding(f, applied))
        .map((r) => [r.problem, r.range, r.ar, r.addresses, r.detail, r.action]),
      context.options.width,
    );
  }
  if (plan.notes.length > 0)
    out += `\nNot compared:\n${plan.notes.map((n) => `  ${describeReconcileNote(n)}\n`).join('')}`;
  const settled = plan.findings.filter((f) => f.adoptable).length;
  const open = plan.findings.length - settled;
  if (plan.findings.length > 0) {
    out += '\n';
    if (!applied) {
      out += `${count(plan.findings.length, 'difference')}: ${settled} would be settled by --apply, ${open} need${open === 1 ? 's' : ''} the operator. Dry run: nothing was changed.\n`;
    } else if (generation.written !== undefined) {
      out += `Applied ${count(changes.length, 'change')}${adopted(plan.fixes)} (generation ${generation.compared} -> ${generation.written}); ${open} difference${open === 1 ? '' : 's'} left for the operator.\n`;
    } else {
      out += `Nothing to apply; ${open} difference${open === 1 ? '' : 's'} left for the operator.\n`;
    }
  }
  return out;
}

/** What the fixes add up to, leases by address as everywhere else: `: 1 range added, 5 leased addresses adopted`. */
function adopted(fixes: readonly ReconcileFix[]): string {
  const size = (span: { first: bigint; last: bigint }) => Number(span.last - span.first + 1n);
  let ranges = 0;
  let removed = 0;
  let added = 0;
  let dropped = 0;
  for (const fix of fixes) {
    if (fix.kind === 'add-range') {
      ranges++;
      for (const lease of fix.range.leases) added += size(lease);
    } else if (fix.kind === 'remove-range') removed++;
    else if (fix.kind === 'add-lease') added += size(fix.lease);
    else if (fix.kind === 'drop-lease') dropped += size(fix.span);
  }
  const parts = [
    ...(ranges > 0 ? [`${count(ranges, 'range')} added`] : []),
    ...(removed > 0 ? [`${count(removed, 'range')} removed`] : []),
    ...(added > 0 ? [`${leased(added)} adopted`] : []),
    ...(dropped > 0 ? [`${leased(dropped)} dropped`] : []),
  ];
  return parts.length === 0 ? '' : `: ${parts.join(', ')}`;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
