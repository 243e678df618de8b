/**
 * Reading the audit log back (`nebula-ipam log`): filters by time, address, range, owner, actor
 * and action. Pure; the store reads the records (a file book's: store/file/audit-log.ts).
 */
import { FAMILIES } from '../core/address/family.ts';
import { parseMac } from '../core/address/mac.ts';
import type { AuditRecord } from '../core/change.ts';

export interface AuditFilter {
  /** Only records at or after this time. */
  readonly since?: Date;
  /** Only records whose addresses include this address (IPv4, IPv6 or MAC, as bigint of its space). */
  readonly address?: { readonly space: 'ipv4' | 'ipv6' | 'mac'; readonly value: bigint };
  /** The range id, exactly (`r4`). */
  readonly range?: string;
  /** The owner, exactly. */
  readonly owner?: string;
  /** `cli:alice` exactly, or a kind (`oned`, `cli`): every actor of it. */
  readonly actor?: string;
  /** The action, exactly (`lease`, `get_address`, `reconcile-add-lease`). */
  readonly action?: string;
}

export function matchesAudit(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.since) {
    const at = Date.parse(record.time);
    if (Number.isNaN(at) || at < filter.since.getTime()) return false;
  }
  if (filter.range !== undefined && record.range !== filter.range) return false;
  if (filter.owner !== undefined && record.owner !== filter.owner) return false;
  if (filter.action !== undefined && record.action !== filter.action) return false;
  if (
    filter.actor !== undefined &&
    record.actor !== filter.actor &&
    !(!filter.actor.includes(':') && record.actor.startsWith(`${filter.actor}:`))
  )
    return false;
  if (filter.address) {
    const span = record.addresses === undefined ? undefined : parseSpan(record.addresses, filter.address.space);
    if (!span || filter.address.value < span.first || filter.address.value > span.last) return false;
  }
  return true;
}

/**
 * `--since`: an ISO date or time (`2025-06-01`, `2025-06-01T12:00:00Z`), or a duration back
 * from now: `90s`, `30m`, `12h`, `7d`.
 */
export function parseSince(text: string, now: Date): Date | undefined {
  const relative = /^([0-9]{1,9})([smhd])$/.exec(text);
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at);
}

/** `a` or `a-b` in the address space asked about; undefined when it is another space. */
function parseSpan(text: string, space: 'ipv4' | 'ipv6' | 'mac'): { first: bigint; last: bigint } | undefined {
  const parse = space === 'mac' ? parseMac : FAMILIES[space].parse;
  const [a, b, extra] = text.split('-');
  if (a === undefined || extra !== undefined) return undefined;
  const first = parse(a);
  const last = b === undefined ? first : parse(b);
  return first === undefined || last === undefined ? undefined : { first, last };
}
