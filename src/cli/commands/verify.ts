/** `nebula-ipam verify`: the lease book's invariants, checked against the config, as findings. */
import { exitCodeHelp, WRITES_BOOK } from '../exit-code-help.ts';
import type { Book } from '../../core/book/book.ts';
import { defaultBookFile, defaultPaths } from '../../config/paths.ts';
import { IpamError } from '../../core/errors.ts';
import { describeVerifyFinding } from '../../core/verify/describe-verify-finding.ts';
import { verifyBook } from '../../core/verify/verify-book.ts';
import { verifyExitCode, type VerifyFinding } from '../../core/verify/verify-finding.ts';
import { bookAccess, checkedUser, uncheckedNote } from '../book-access.ts';
import { parseCommandArgs, type Command, usageError } from '../command.ts';
import { DEFAULT_MAX_AGE_SECONDS, targetHealthLine } from '../../core/sync/target-health.ts';
import { syncTargets } from '../sync-targets.ts';
import { renderJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';

export const verifyCommand: Command = {
  name: 'verify',
  summary: "check the lease book's invariants; exit 1 with the list of problems",
  namesBookOnStderr: false,
  usage: `Usage: nebula-ipam verify [--as USER] [--targets [--max-age SECONDS]] [--json]

Reads the lease book (without locking it or changing it) and checks what the driver relies on:
  - schema and generation sane; range ids unique and below nextRangeId
  - every range of a valid size, with the addresses its TYPE needs, inside the address space
  - leases sorted, disjoint, inside their range
  - no two ranges overlap (IPv4 and IPv6 each)
  - every range inside the pool it names (and that pool still in the config), clear of the
    pool's excluded prefixes; an OpenNebula range naming no pool lies outside every pool
  - no lease on an excluded address
and, for a file book, other lease books beside it (in its directory or at the default place:
a mistyped --store, or one made while the config was missing) and what oned will meet: the book, its directory, lock and audit log opened
as the driver's user would open them (the owner of the driver's directory in oned's remotes
tree, else oneadmin); each one that user cannot read or write (a root-owned book, a directory
it cannot write, a read-only mount) is a finding with the command that fixes it. Only root (or
that user) can check: run as anyone else, verify says it did not.

  --as USER  check access as USER instead
  --targets  also check the DNS and DHCP targets of the config: a target behind (records
             pending, or not answering) for more than --max-age SECONDS (default ${DEFAULT_MAX_AGE_SECONDS}) since its
             last successful sync pass on this front-end, or never synced, is a finding

  --json   one JSON document: { book, generation, config, ok, findings[] }; each finding has a
           "kind" and the values involved

${exitCodeHelp([[0, 'no problem'], [1, 'problems found (listed)'], [2, 'bad option'], [7, "the book does not even decode (the decoder's message is the one finding, and the one stderr line)"], ...WRITES_BOOK])}`,
  async run(args, context) {
    const { values } = parseCommandArgs(
      'verify',
      args,
      { as: { type: 'string' }, targets: { type: 'boolean' }, 'max-age': { type: 'string' } },
      { min: 0, max: 0, names: '' },
    );
    if (values['max-age'] !== undefined && !values.targets) throw usageError('verify', '--max-age goes with --targets');
    const maxAge = values['max-age'] === undefined ? DEFAULT_MAX_AGE_SECONDS : Number(values['max-age']);
    if (!Number.isInteger(maxAge) || maxAge < 1)
      throw usageError(
        'verify',
        `--max-age must be a whole number of seconds, not ${JSON.stringify(values['max-age'])}`,
      );
    const config = context.config();
    if (values.targets && config.targets.length === 0)
      throw new IpamError('config', `Cannot verify the targets: the config ${config.source} names no targets`);
    const drift: VerifyFinding[] = values.targets
      ? syncTargets(context, config, maxAge)
          .filter((t) => t.drifting)
          .map((t) => ({ kind: 'target-drift', target: t.target, maxAgeSeconds: maxAge, state: targetHealthLine(t) }))
      : [];
    // First: a book this process cannot read is then explained by what oned's user meets too.
    const access = bookAccess(context, values.as);
    let book: Book | undefined;
    let findings: VerifyFinding[];
    // The decoder's message, also the failure's one stderr line: a script or cron job that
    // keeps only stderr learns why verify exited 7 (the table alone told only stdout).
    let unreadable: string | undefined;
    try {
      book = await context.store().read();
      findings = [...access.findings, ...strayBooks(context), ...verifyBook(book, config), ...drift];
    } catch (error) {
      if (error instanceof IpamError && error.kind === 'store-io' && access.findings.length > 0)
        findings = [...access.findings];
      else if (error instanceof IpamError && error.kind === 'store-corrupt') {
        unreadable = error.message;
        findings = [...access.findings, { kind: 'book-unreadable', message: error.message }];
      } else throw error;
    }
    const code = verifyExitCode(findings);
    if (context.json) {
      context.stdout(
        renderJson({
          book: context.store().description.location,
          generation: book?.generation ?? null,
          config: config.source,
          ok: findings.length === 0,
          ...(access.check
            ? { access: { user: access.check.user, checked: access.check.checked, asDriverUser: access.asDriver } }
            : {}),
          findings,
        }),
      );
      if (unreadable !== undefined) context.stderr(`${unreadable}\n`);
      return code;
    }
    const leases = book ? book.ranges.reduce((n, r) => n + r.leases.length, 0) : 0;
    let out = book
      ? `Lease book ${context.store().description.location} (generation ${book.generation}, ${book.ranges.length} range${book.ranges.length === 1 ? '' : 's'}, ${leases} lease${leases === 1 ? '' : 's'}); config ${config.source}\n\n`
      : `Lease book ${context.store().description.location}; config ${config.source}\n\n`;
    const unchecked = uncheckedNote(access);
    if (unchecked) out += `${unchecked}\n\n`;
    if (findings.length === 0) {
      out += access.check?.checked
        ? `OK: every invariant holds, and ${checkedUser(access)} can use the lease book.\n`
        : 'OK: every invariant holds.\n';
    } else {
      out += renderTable(
        [{ header: 'PROBLEM' }, { header: 'RANGE' }, { header: 'DETAIL', shrink: true }],
        findings.map(describeVerifyFinding).map((row) => [row.problem, row.range, row.detail]),
        context.options.width,
      );
      out += `\n${findings.length} problem${findings.length === 1 ? '' : 's'} found.\n`;
    }
    context.stdout(out);
    if (unreadable !== undefined) context.stderr(`${unreadable}\n`);
    return code;
  },
};

/** Other books a file book's neighbours hold (none for etcd, whose prefixes are refused when they nest). */
function strayBooks(context: Parameters<Command['run']>[1]): VerifyFinding[] {
  const store = context.store();
  const location = store.description.location;
  return (store.strayBooks?.(defaultBookFile(defaultPaths(context.env), context.driver)) ?? []).map((path) => ({
    kind: 'stray-book',
    path,
    book: location,
  }));
}
