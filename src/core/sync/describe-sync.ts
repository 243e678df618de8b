/**
 * A sync plan in words, for `sync --dry-run` (what would change) and `sync` (what changed): per
 * target the names added, changed and deleted and the DHCP leases put and removed, then the
 * conflicts left alone, the addresses to hold, what was not read and the addresses without a
 * name. Long lists stop after `limit` lines each (`--json` has them all).
 */
import { FAMILIES } from '../address/family.ts';
import type { DesiredFinding } from './desired-state.ts';
import type { DhcpPut, SyncConflict, SyncPlan } from './sync-plan.ts';
import type { DnsRecord, DnsUpdate, DnsUpdateOutcome } from './target-records.ts';

export interface DescribeOptions {
  /** False: a dry run ("would"); true: the plan was applied. */
  readonly applied: boolean;
  /** After applying: each DNS target's outcomes, in the order of its updates; a failed one is said so. */
  readonly dnsOutcomes?: Readonly<Record<string, readonly DnsUpdateOutcome[]>>;
  /** Lines per list before "... and N more"; default 20. */
  readonly limit?: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function describeSync(plan: SyncPlan, options: DescribeOptions): string {
  const limit = options.limit ?? 20;
  const lines: string[] = [];
  const list = (items: readonly string[]) => {
    lines.push(...items.slice(0, limit).map((item) => `  ${item}`));
    if (items.length > limit) lines.push(`  ... and ${items.length - limit} more`);
  };

  for (const target of plan.dns) {
    if (target.updates.length === 0) continue;
    const outcomes = options.dnsOutcomes?.[target.target];
    const kinds = target.updates.map(kindOf);
    const count = (k: string) => kinds.filter((x) => x === k).length;
    const parts = [
      ['add', 'added'],
      ['change', 'changed'],
      ['delete', 'deleted'],
    ]
      .filter(([k]) => count(k!) > 0)
      .map(([would, did]) => `${options.applied ? did : would} ${plural(count(would!), 'name')}`);
    const failed = outcomes ? outcomes.filter((o) => !o.applied).length : 0;
    lines.push(
      `DNS target ${target.target}: ${options.applied ? '' : 'would '}${parts.join(', ')}${failed ? `; ${plural(failed, 'update')} not applied` : ''}`,
    );
    list(target.updates.map((u, i) => updateLine(u, kinds[i]!, outcomes?.[i])));
  }

  for (const target of plan.dhcp) {
    if (target.put.length === 0 && target.remove.length === 0) continue;
    const count = (why: DhcpPut['why']) => target.put.filter((p) => p.why === why).length;
    const parts = [
      [count('new'), 'add', 'added'],
      [count('changed'), 'change', 'changed'],
      [count('renew'), 'renew', 'renewed'],
      [target.remove.length, 'remove', 'removed'],
    ]
      .filter(([n]) => (n as number) > 0)
      .map(([n, would, did]) => `${options.applied ? did : would} ${plural(n as number, 'lease')}`);
    lines.push(`DHCP target ${target.target}: ${options.applied ? '' : 'would '}${parts.join(', ')}`);
    list([
      ...target.put.map(
        (p) =>
          `${p.why === 'new' ? 'add' : p.why === 'changed' ? 'change' : 'renew'}  ${p.host.address} ${p.host.mac}${p.host.hostname ? ` ${p.host.hostname}` : ''}`,
      ),
      ...target.remove.map((e) => `remove  ${e.address}${e.mac ? ` ${e.mac}` : ''}`),
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

  const inPlace = plan.tallies
    .filter((t) => t.inPlace > 0)
    .map((t) => `${plural(t.inPlace, t.kind === 'dns' ? 'DNS record' : 'DHCP lease')} on ${t.target}`);
  const nothing =
    plan.dns.every((d) => d.updates.length === 0) &&
    plan.dhcp.every((d) => d.put.length === 0 && d.remove.length === 0);
  if (nothing) lines.unshift(`Nothing to change${inPlace.length ? `: ${inPlace.join(', ')} in place` : ''}.`);
  else if (inPlace.length) lines.push(`In place: ${inPlace.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

function kindOf(update: DnsUpdate): 'add' | 'change' | 'delete' {
  if (update.remove.length === 0) return 'add';
  return update.add.length === 0 ? 'delete' : 'change';
}

const recordText = (records: readonly DnsRecord[]) =>
  records
    .filter((r) => r.type !== 'TXT')
    .map((r) => `${r.type} ${r.data}`)
    .join(', ') || 'ownership mark';

function updateLine(
  update: DnsUpdate,
  kind: 'add' | 'change' | 'delete',
  outcome: DnsUpdateOutcome | undefined,
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
    outcome && !outcome.applied
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
