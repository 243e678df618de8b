/**
 * A sync plan in words, for `sync --dry-run` (what would change) and `sync` (what changed): per
 * target the names added, changed and deleted and the DHCP leases put and removed, then the
 * conflicts left alone, the addresses to hold, what was not read and the addresses without a
 * name. Long lists stop after `limit` lines each (`--json` has them all).
 */
import { FAMILIES } from '../address/family.ts';
import type { DesiredFinding } from './desired-state.ts';
import type { DhcpPut, SyncConflict, SyncPlan, TargetTally } from './sync-plan.ts';
import type { DnsRecord, DnsUpdate, DnsUpdateOutcome } from './target-records.ts';
import { type ChangeKind, dnsChangeKind, type PassOutcomes, type TargetAfter, tallyAfter } from './tally-after.ts';

/** A dry run ("would"), or the plan applied: what each target said, of which only what it applied counts as done. */
export type DescribeOptions =
  | { readonly applied: false; readonly limit?: number }
  | { readonly applied: true; readonly outcomes: PassOutcomes; readonly limit?: number };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Each change's verb, present and past; a DHCP target's "delete" is said "remove". */
const VERBS: Readonly<Record<ChangeKind, readonly [string, string]>> = {
  add: ['add', 'added'],
  change: ['change', 'changed'],
  renew: ['renew', 'renewed'],
  delete: ['delete', 'deleted'],
};
/** Per kind of target: what a change is to, its word for delete, and the words for what was not done. */
const WORDS = {
  dns: { thing: 'name', delete: VERBS.delete, missed: (n: number) => `${plural(n, 'update')} not applied` },
  dhcp: {
    thing: 'lease',
    delete: ['remove', 'removed'] as const,
    missed: (n: number) => `${plural(n, 'lease change')} not done`,
  },
} as const;
const KINDS: readonly ChangeKind[] = ['add', 'change', 'renew', 'delete'];

/** "would add 3 names" (a dry run: what was planned), or "added 2 names; 1 update not applied" (only what was applied). */
function header(kind: TargetTally['kind'], planned: Readonly<Record<ChangeKind, number>>, after?: TargetAfter): string {
  const words = WORDS[kind];
  const counts = after?.done ?? planned;
  const parts = KINDS.filter((k) => counts[k] > 0).map(
    (k) => `${(k === 'delete' ? words.delete : VERBS[k])[after ? 1 : 0]} ${plural(counts[k], words.thing)}`,
  );
  if (!after) return `would ${parts.join(', ')}`;
  const missed = [
    ...(after.notApplied ? [words.missed(after.notApplied)] : []),
    ...(after.unconfirmed ? [`${after.unconfirmed} not confirmed (the target failed first)`] : []),
  ];
  return `${parts.length ? parts.join(', ') : 'nothing applied'}${missed.length ? `; ${missed.join(', ')}` : ''}`;
}

export function describeSync(plan: SyncPlan, options: DescribeOptions): string {
  const limit = options.limit ?? 20;
  const lines: string[] = [];
  const list = (items: readonly string[]) => {
    lines.push(...items.slice(0, limit).map((item) => `  ${item}`));
    if (items.length > limit) lines.push(`  ... and ${items.length - limit} more`);
  };
  const after = options.applied ? tallyAfter(plan, options.outcomes) : undefined;
  const afterOf = (target: string, kind: TargetTally['kind']) =>
    after?.find((t) => t.target === target && t.kind === kind);
  for (const target of plan.dns) {
    if (target.updates.length === 0) continue;
    const kinds = target.updates.map(dnsChangeKind);
    const planned = { add: 0, change: 0, renew: 0, delete: 0 };
    for (const kind of kinds) planned[kind]++;
    const outcomes = options.applied ? (options.outcomes.dns[target.target] ?? []) : undefined;
    lines.push(`DNS target ${target.target}: ${header('dns', planned, afterOf(target.target, 'dns'))}`);
    list(target.updates.map((u, i) => updateLine(u, kinds[i]!, outcomes && (outcomes[i] ?? 'unanswered'))));
  }

  for (const target of plan.dhcp) {
    if (target.put.length === 0 && target.remove.length === 0) continue;
    const count = (why: DhcpPut['why']) => target.put.filter((p) => p.why === why).length;
    const planned = {
      add: count('new'),
      change: count('changed'),
      renew: count('renew'),
      delete: target.remove.length,
    };
    const said = options.applied ? options.outcomes.dhcp[target.target] : undefined;
    const notDone = (done: boolean | undefined) => (options.applied && done !== true ? ' (not done)' : '');
    lines.push(`DHCP target ${target.target}: ${header('dhcp', planned, afterOf(target.target, 'dhcp'))}`);
    list([
      ...target.put.map(
        (p, i) =>
          `${p.why === 'new' ? 'add' : p.why === 'changed' ? 'change' : 'renew'}  ${p.host.address} ${p.host.mac}${p.host.hostname ? ` ${p.host.hostname}` : ''}${notDone(said?.put[i])}`,
      ),
      ...target.remove.map((e, i) => `remove  ${e.address}${e.mac ? ` ${e.mac}` : ''}${notDone(said?.remove[i])}`),
    ]);
  }

  if (plan.conflicts.length) {
    lines.push(
      `${plural(plan.conflicts.length, 'conflict')}, left as ${plan.conflicts.length === 1 ? 'it is' : 'they are'}:`,
    );
    list(plan.conflicts.map(conflictLine));
  }
  if (plan.holds.length) {
    lines.push(`${plural(plan.holds.length, 'address', 'addresses')} of pools in use outside the book, to hold:`);
    list(plan.holds.map((h) => `${FAMILIES[h.family].format(h.address)} (pool ${h.pool}): ${h.reason}`));
  }
  if (plan.carvedSpace.length) {
    lines.push(
      `${plural(plan.carvedSpace.length, 'record')} on addresses of carved subnets outside their range (among the holds above; never deleted):`,
    );
    list(
      plan.carvedSpace.map(
        (c) =>
          `${c.record.name} ${c.record.type} ${c.record.data} (zone ${c.zone} on ${c.target}) names ${c.address}, in the subnet of range ${c.range} (pool ${c.pool}) but outside its addresses`,
      ),
    );
  }
  if (plan.unread.length) {
    lines.push(`Not read, so not synced (their records wait for the next pass):`);
    list(
      plan.unread.map((u) =>
        u.zone === undefined ? `DHCP target ${u.target}` : `zone ${u.zone} on DNS target ${u.target}`,
      ),
    );
  }
  const unnamed = plan.findings.filter((f) => f.kind !== 'too-many-addresses');
  if (unnamed.length) {
    lines.push(`${plural(unnamed.length, 'address', 'addresses')} without a DNS name:`);
    list(unnamed.map(findingLine));
  }
  for (const f of plan.findings)
    if (f.kind === 'too-many-addresses')
      lines.push(`Only the first ${f.limit} leased addresses were synced; the rest wait until the book holds fewer.`);

  const inPlace = (after ?? plan.tallies)
    .filter((t) => t.inPlace > 0)
    .map((t) => `${plural(t.inPlace, t.kind === 'dns' ? 'DNS record' : 'DHCP lease')} on ${t.target}`);
  const nothing =
    plan.dns.every((d) => d.updates.length === 0) &&
    plan.dhcp.every((d) => d.put.length === 0 && d.remove.length === 0);
  if (nothing) lines.unshift(`Nothing to change${inPlace.length ? `: ${inPlace.join(', ')} in place` : ''}.`);
  else if (inPlace.length) lines.push(`In place: ${inPlace.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

const recordText = (records: readonly DnsRecord[]) =>
  records
    .filter((r) => r.type !== 'TXT')
    .map((r) => `${r.type} ${r.data}`)
    .join(', ') || 'ownership mark';

/** `outcome`: after applying, the server's answer, or `unanswered` when the target failed first. */
function updateLine(
  update: DnsUpdate,
  kind: 'add' | 'change' | 'delete',
  outcome: DnsUpdateOutcome | 'unanswered' | undefined,
): string {
  const name =
    [...update.add, ...update.remove].find((r) => r.type !== 'TXT')?.name ?? [...update.add, ...update.remove][0]!.name;
  const what =
    kind === 'add'
      ? recordText(update.add)
      : kind === 'delete'
        ? recordText(update.remove)
        : `${recordText(update.remove)} -> ${recordText(update.add)}`;
  const failed =
    outcome === 'unanswered'
      ? ' (not confirmed: the target failed first; the next pass reads what is there)'
      : outcome && !outcome.applied
        ? ` (not applied: ${outcome.rcode}${outcome.rcode === 'YXDOMAIN' || outcome.rcode === 'YXRRSET' || outcome.rcode === 'NXRRSET' ? ', it changed since it was read; the next pass decides' : ''})`
        : '';
  return `${kind.padEnd(6)}  ${name} ${what}${failed}`;
}

function conflictLine(c: SyncConflict): string {
  switch (c.kind) {
    case 'name-taken':
      return `${c.name} (zone ${c.zone} on ${c.target}) is held by ${c.otherOwners.length ? `another book (owner ${c.otherOwners.join(', ')})` : 'records nebula-ipam did not write'}`;
    case 'record-on-lease':
      return `${c.record.name} ${c.record.type} ${c.record.data} (zone ${c.zone} on ${c.target}) names ${c.address}, leased in range ${c.range}`;
    case 'dhcp-on-lease':
      return `DHCP target ${c.target} leases ${c.entry.address}${c.entry.mac ? ` to ${c.entry.mac}` : ''}, leased in range ${c.range} by the book`;
  }
}

function findingLine(f: DesiredFinding): string {
  if (f.kind === 'no-name') return `${f.address} (range ${f.range}, pool ${f.pool}): no {${f.missing}} known for it`;
  if (f.kind === 'bad-name') return `${f.address} (range ${f.range}, pool ${f.pool}): ${f.name} ${f.why}`;
  return `more than ${f.limit} addresses`;
}
