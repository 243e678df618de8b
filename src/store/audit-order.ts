/**
 * A write's audit records, never dated before what the book's log already holds: each record's
 * time is taken before the update, so a writer that waited for the lock (or met a conflict)
 * commits after writers that started later, and a front-end's clock may lag another's. Every
 * backend clamps a commit's records to the latest time before it, so `log`, which lists in
 * commit order, shows times that never go back. Pure.
 */
import type { AuditRecord } from '../core/change.ts';

/** `latest`: the latest time the log held before this write (an ISO time), if known. */
export function notBefore(records: readonly AuditRecord[], latest: string | undefined): AuditRecord[] {
  const after = latest === undefined ? Number.NaN : Date.parse(latest);
  return records.map((record) =>
    Date.parse(record.time) < after ? { ...record, time: new Date(after).toISOString() } : record,
  );
}

/** The latest time among `records`, or undefined when none has one. */
export function latestTime(records: readonly AuditRecord[]): string | undefined {
  let latest: string | undefined;
  for (const record of records)
    if (
      !Number.isNaN(Date.parse(record.time)) &&
      (latest === undefined || Date.parse(record.time) > Date.parse(latest))
    )
      latest = record.time;
  return latest;
}
