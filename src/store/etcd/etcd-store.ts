/**
 * The lease book in etcd v3 (layout: etcd-layout.ts), for HA front-ends, federated zones and
 * other systems that must share one set of books.
 *
 * update = one read of the book at one revision, then its write: the new values under new
 * version names, the head of the new generation, and `P/meta` naming it, in one transaction
 * that compares meta's mod_revision with the one read (the fence: any other write since bumped
 * it). A write that does not fit one transaction within etcd's default limits (128 operations,
 * 1.5 MiB) stages its new values first, in transactions of their own that the same compare
 * guards (keys nobody reads yet: a writer killed meanwhile leaves garbage, never a torn book),
 * and then commits with `P/meta` alone; what it no longer needs is deleted in the commit or
 * after it, and the next writer deletes what a killed one left. A conflict re-reads and runs
 * the change again (a change is pure, store.ts), after a jittered backoff, until
 * lockTimeoutMs; no locks and no TTLs.
 *
 * A transaction whose answer was lost (the member died, the call timed out after the request
 * left) is never guessed at. Every write carries one audit key named by this process's random
 * token and the write's number: its receipt. Meta is read first. Still at the revision we
 * compared: nothing landed yet, and the same transaction is sent again (both copies compare the
 * same revision, so at most one can land). Moved: the receipt decides, since ours, had it
 * landed before that read, left its receipt, and otherwise can never land any more (its compare
 * fails), so the change runs again on the new book. If etcd stays unreachable until the deadline, the action
 * fails saying the outcome is unknown; the book is consistent either way.
 *
 * The previous generation (restore) is the head `P/meta` names as `previous`, kept with its
 * values until the next write. etcd's MVCC history is therefore not needed, and every
 * COMPACT_EVERY-th write compacts it to the last RETAINED_REVISIONS revisions, so that a book
 * written for years stays at the size of its data, well inside etcd's quota.
 */
import { latestTime, notBefore } from '../audit-order.ts';
import type { AuditRecord, Change } from '../../core/change.ts';
import { EMPTY_BOOK, type Book, type Lease, type RangeRecord } from '../../core/book/book.ts';
import { checkWritable } from '../encoding/book-format.ts';
import { encodeRangeHeader } from '../encoding/range-line.ts';
import { packLeases } from '../encoding/lease-packing.ts';
import { encodeHolds } from '../encoding/hold-entries.ts';
import { IpamError } from '../../core/errors.ts';
import { missingBook } from '../missing-book.ts';
import { randomHex } from '../../random-hex.ts';
import { letSignalsIn, stopIfAborted } from '../stop-before-commit.ts';
import type { StoreCopy, StoreHealth } from '../store-health.ts';
import type { AuditLog, Generations, LeaseStore, StoreDescription, StoreSpace, UpdateOptions } from '../store.ts';
import {
  AnswerLost,
  prefixEnd,
  type Compare,
  type EtcdClient,
  type KeyValue,
  type MemberStatus,
  type Op,
} from './etcd-client.ts';
import { etcdHealth, oneCopy } from './etcd-health.ts';
import {
  bookOf,
  bookSpan,
  chunkKey,
  headKey,
  holdsKey,
  headOf,
  headValue,
  keysOf,
  kindOf,
  layoutOf,
  rangeIdFloorOf,
  rangeKey,
  refuseForeignKeys,
  snapshotOf,
  versionOf,
  windowFor,
  type Head,
  type Layout,
  type Pointer,
  type Snapshot,
  type StoredForms,
  type StoredRange,
} from './etcd-layout.ts';

export interface EtcdStoreOptions {
  readonly client: EtcdClient;
  readonly prefix: string;
  /** The whole budget of one update, conflicts and failover included (well under oned's 90 s). */
  readonly lockTimeoutMs: number;
  /** What chose this prefix (store.ts StoreDescription.origin). */
  readonly origin?: string;
  /** For the audit record a write without one of its own carries (store.ts: the clock is here). */
  readonly now?: () => Date;
  /** Test hook (test-hooks.ts): told after each update how many conflicts it met. */
  readonly onUpdated?: (retries: number) => void;
  /** The audit keys kept at most (default AUDIT_MAX_KEYS); tests give a small one. */
  readonly auditMaxKeys?: number;
}

/** etcd's defaults: --max-txn-ops 128, --max-request-bytes 1.5 MiB (a transaction's encoded size). */
export const ETCD_DEFAULT_MAX_TXN_OPS = 128;
export const ETCD_DEFAULT_MAX_REQUEST_BYTES = 1_572_864;
/** What one transaction of ours may carry: the limit less room for the request's own framing. */
const TXN_BYTES = 1_400_000;
/** Every COMPACT_EVERY-th generation compacts etcd's history to the last RETAINED_REVISIONS revisions. */
export const COMPACT_EVERY = 10;
export const RETAINED_REVISIONS = 10;
/**
 * Audit keys are kept as long as the file book's log is (packaging/nebula-ipam.logrotate:
 * weekly, rotate 26): 26 weeks, and, as that log is also capped in size (maxsize 100M), no more
 * than AUDIT_MAX_KEYS of them however young. Every COMPACT_EVERY-th write deletes up to
 * AUDIT_PRUNE_KEYS of the oldest keys past either bound, more than the writes in between add,
 * so the keys stay bounded.
 */
export const AUDIT_RETENTION_MS = 26 * 7 * 86_400_000;
export const AUDIT_PRUNE_KEYS = 64;
/**
 * A key is one write's records: a driver action's one record, and the database grows by about
 * 0.5 KB a write for it (README, etcd backend, measured). 100 000 keys are then ~50 MB, under 3 % of
 * etcd's default 2 GiB --quota-backend-bytes, so a busy front-end's audit never crowds out the
 * book (a write touching many spans, like an import, keeps more in its one key, and is rare).
 * At one write a minute, 100 000 keys are ten weeks; fewer writes reach 26 weeks first.
 */
export const AUDIT_MAX_KEYS = 100_000;

/** A planned write: its new values, its commit point and receipt, and what it no longer needs. */
interface Plan {
  readonly compare: readonly Compare[];
  /** New values under new names: written before the commit point, or with it when all fits. */
  readonly staged: readonly Op[];
  /** `P/meta` and the audit key (the receipt): the commit point. */
  readonly commit: readonly Op[];
  /** Keys neither the new generation nor the one before it needs. */
  readonly deletes: readonly Op[];
  readonly receipt: string;
  readonly metaRevision: string | undefined;
  readonly generation: number;
}

export class EtcdStore implements LeaseStore {
  readonly description: StoreDescription;
  private readonly layout: Layout;
  private readonly client: EtcdClient;
  private readonly token = randomHex(4);
  private writes = 0;
  private statuses: Promise<MemberStatus[]> | undefined;
  private readonly stored: StoredForms = { ranges: new WeakMap(), holds: new WeakMap() };
  /** Conflicts met by this store's updates, for the contention figures. */
  retries = 0;

  constructor(private readonly options: EtcdStoreOptions) {
    this.client = options.client;
    this.layout = layoutOf(options.prefix);
    this.description = {
      backend: 'etcd',
      location: `etcd ${options.client.where} ${options.prefix}`,
      ...(options.origin === undefined ? {} : { origin: options.origin }),
    };
  }

  private get location(): string {
    return this.description.location;
  }

  async read(): Promise<Book> {
    const snapshot = await this.snapshot();
    if (!snapshot.pointer) throw missingBook(this.description);
    return this.bookNow(snapshot);
  }

  async create(audit: AuditRecord): Promise<boolean> {
    const snapshot = await this.snapshot();
    if (snapshot.pointer) {
      // A book is there; one that does not decode is said so, never replaced by a new one.
      this.bookNow(snapshot);
      return false;
    }
    // Compares the pointer absent: when another front-end made it meanwhile there is one book either way.
    const plan = this.plan(snapshot, undefined, EMPTY_BOOK, [audit]);
    return (await this.write(plan, Date.now() + this.options.lockTimeoutMs)) === 'landed';
  }

  async exists(): Promise<boolean> {
    const answer = await this.client.range({ key: this.layout.meta, countOnly: true });
    return answer.count > 0;
  }

  async update<R>(change: (book: Book) => Change<R, AuditRecord>, options: UpdateOptions = {}): Promise<R> {
    const deadline = Date.now() + this.options.lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      // Stop point (issue 15 item 3): before reading, which after a conflict is after the backoff.
      stopIfAborted(
        options.signal,
        this.location,
        attempt === 0 ? 'before it began' : 'while retrying after a conflict',
      );
      const snapshot = await this.snapshot();
      if (!snapshot.pointer) throw missingBook(this.description);
      const head = headOf(this.layout, snapshot, 'book', this.location);
      const book = bookOf(this.layout, snapshot, head, this.location, true, this.stored);
      const { book: next, result, audit } = change(book);
      // Stop point (issue 15 item 3): before anything is sent. letSignalsIn lets through a signal
      // that came during the change; a staged write checks once more right before its commit point.
      await letSignalsIn(options.signal);
      stopIfAborted(options.signal, this.location, 'before the commit');
      if (!next) return result;
      const records = audit && audit.length > 0 ? audit : [this.receiptRecord(book.generation + 1)];
      const plan = this.plan(snapshot, { book, head }, { ...next, generation: book.generation + 1 }, records);
      // Past the commit point a signal is ignored: commit() finds out what landed whatever happens.
      if ((await this.write(plan, deadline, options.signal)) === 'landed') {
        if (attempt > 0) options.onWait?.({ for: 'nothing' });
        this.options.onUpdated?.(attempt);
        await this.compactHistory(plan.generation, snapshot.revision);
        await this.pruneAudit(plan.generation);
        return result;
      }
      this.retries++;
      if (Date.now() >= deadline) {
        throw new IpamError(
          'store-locked',
          `Cannot update the lease book ${this.location}: other writers changed it ${attempt + 1} times in a row within ${this.options.lockTimeoutMs} ms (lockTimeoutMs); nothing was written, try again`,
        );
      }
      options.onWait?.({ for: 'conflict', retries: attempt + 1 });
      await backoff(attempt, deadline);
    }
  }

  async audit(record: AuditRecord): Promise<void> {
    // After an action failed because etcd is unreachable, its failure record would only double the wait.
    if (this.client.unreachable) return;
    try {
      await this.client.txn([], [{ put: this.auditKey(this.writes++), value: JSON.stringify(record) }]);
    } catch {
      // A lost log line is better than a lost lease (store.ts).
    }
  }

  async readAudit(keep: (record: AuditRecord) => boolean, last?: number): Promise<AuditLog> {
    const answer = await this.client.range({
      key: this.layout.auditPrefix,
      rangeEnd: prefixEnd(this.layout.auditPrefix),
      sort: { target: 'CREATE', order: 'ASCEND' },
    });
    const records: AuditRecord[] = [];
    let skipped = 0;
    // etcd orders by create revision; the records of one transaction share one, so the key decides.
    const kvs = [...answer.kvs].sort(
      (a, b) =>
        Number(BigInt(a.createRevision) - BigInt(b.createRevision)) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
    for (const kv of kvs) {
      let value: unknown;
      try {
        value = JSON.parse(kv.value.toString('utf8'));
      } catch {
        skipped++;
        continue;
      }
      // One key holds one record, or (since one key per write) the list of a write's records.
      for (const record of Array.isArray(value) ? value : [value]) {
        if (typeof record !== 'object' || record === null || typeof (record as AuditRecord).action !== 'string')
          skipped++;
        else if (keep(record as AuditRecord)) records.push(record as AuditRecord);
      }
    }
    return {
      location: `${this.location} ${this.layout.auditPrefix}`,
      records: last === undefined ? records : records.slice(-last),
      skipped,
    };
  }

  async generations(): Promise<Generations> {
    const snapshot = await this.snapshot();
    const pointer = snapshot.pointer;
    const previous =
      pointer && (pointer.value?.schema === 1 ? await this.legacyPrevious(pointer.kv) : this.previousOf(snapshot));
    if (!previous)
      throw new IpamError(
        'not-found',
        `Cannot restore ${this.location}: there is no previous generation; one is kept from the second write on`,
      );
    return { current: this.currentOf(snapshot), previous, token: pointer.kv.modRevision };
  }

  async restore(shown: Generations, book: Book, audit: AuditRecord): Promise<Book> {
    const snapshot = await this.snapshot();
    const pointer = snapshot.pointer;
    const changed = new IpamError(
      'store-locked',
      `Cannot restore ${this.location}: the book changed since it was shown; nothing was written, run restore again`,
    );
    if (!pointer || pointer.kv.modRevision !== shown.token) throw changed;
    let base: { book: Book; head: Head | undefined } | undefined;
    try {
      const head = headOf(this.layout, snapshot, 'book', this.location);
      base = { book: bookOf(this.layout, snapshot, head, this.location, true, this.stored), head };
    } catch (error) {
      if (!(error instanceof IpamError && error.kind === 'store-corrupt')) throw error;
    }
    const generation =
      Math.max(
        pointer.value?.schema === 2 ? pointer.value.generation : 0,
        base?.book.generation ?? 0,
        book.generation,
      ) + 1;
    // Never a range id handed out before, whatever of the book still decodes (restored-book.ts).
    const nextRangeId = Math.max(book.nextRangeId, base?.book.nextRangeId ?? 0, rangeIdFloorOf(this.layout, snapshot));
    const written: Book = { ...book, generation, nextRangeId };
    const plan = this.plan(snapshot, base, written, [audit]);
    if ((await this.write(plan, Date.now() + this.options.lockTimeoutMs)) === 'landed') return written;
    throw changed;
  }

  /** The largest member's database (the quota holds per member) against etcd's quota, which only its /metrics tells. */
  async space(): Promise<StoreSpace | undefined> {
    const sizes = (await this.memberStatuses()).flatMap((m) =>
      'status' in m && m.status.dbSize !== undefined ? [m.status] : [],
    );
    if (sizes.length === 0) return undefined;
    const largest = sizes.reduce((a, b) => (Number(b.dbSize) > Number(a.dbSize) ? b : a));
    const quota = /^etcd_server_quota_backend_bytes ([0-9.e+]+)$/m.exec((await this.client.metricsText()) ?? '');
    return {
      usedBytes: Number(largest.dbSize),
      ...(largest.dbSizeInUse === undefined ? {} : { inUseBytes: Number(largest.dbSizeInUse) }),
      ...(quota ? { quotaBytes: Number(quota[1]) } : {}),
    };
  }

  /** `status`: each member's health (etcd-health.ts). */
  async health(): Promise<StoreHealth> {
    return etcdHealth(await this.memberStatuses());
  }

  /**
   * Each member's status, asked once per store: `status` shows health and space side by side, and
   * both come from the same answers (each call may wait timeoutMs for a silent member).
   */
  private memberStatuses(): Promise<MemberStatus[]> {
    this.statuses ??= this.client.statuses();
    return this.statuses;
  }

  /** `--serializable`: one member's own copy, when quorum is lost (etcd-health.ts). */
  oneCopy(): Promise<StoreCopy> {
    return oneCopy(this.options, (options) => new EtcdStore(options));
  }

  /** The book's keys at one revision (the newest, or `revision` for history); refuses an overlapping book's keys. */
  private async snapshot(revision?: string): Promise<Snapshot> {
    const answer = await this.client.range({
      ...bookSpan(this.layout),
      ...(revision === undefined ? {} : { revision }),
    });
    let snapshot = snapshotOf(this.layout, answer.revision, answer.kvs);
    if (this.namesHolds(snapshot)) {
      const holds = await this.client.range({
        key: this.layout.holdsPrefix,
        rangeEnd: prefixEnd(this.layout.holdsPrefix),
        revision: answer.revision,
      });
      snapshot = snapshotOf(this.layout, answer.revision, [...answer.kvs, ...holds.kvs]);
    }
    if (!snapshot.pointer || snapshot.pointer.value) {
      const listed = new Set<string>();
      for (const which of ['book', 'previous'] as const) {
        try {
          const head = headOf(this.layout, snapshot, which, this.location);
          if (head) for (const key of keysOf(this.layout, snapshot, head)) listed.add(key);
        } catch {
          // A head that does not decode lists nothing; reading the book says what is wrong.
        }
      }
      refuseForeignKeys(this.layout, snapshot, listed, this.location);
    }
    return snapshot;
  }

  /** True when the book's head or the previous one names holds: only then are they read (a second request). */
  private namesHolds(snapshot: Snapshot): boolean {
    for (const which of ['book', 'previous'] as const) {
      try {
        if (headOf(this.layout, snapshot, which, this.location)?.holds !== undefined) return true;
      } catch {
        // A head that does not decode names nothing; reading the book says what is wrong.
      }
    }
    return false;
  }

  /**
   * The write that makes `next` the book: the values of the ranges it replaced (only the chunks
   * of leases that changed), its head, the pointer, the audit key; and the deletion of every
   * key neither `next` nor the book it replaces (`base`, which becomes the previous generation)
   * needs. Without a `base` that decodes, nothing is deleted.
   */
  private plan(
    snapshot: Snapshot,
    base: { book: Book; head: Head | undefined } | undefined,
    next: Book,
    given: readonly AuditRecord[],
  ): Plan {
    // A newer release's book is never rewritten (book-format.ts).
    checkWritable(next, this.location);
    const records = inCommitOrder(given, snapshot.pointer?.value);
    const number = this.writes++;
    const version = versionOf(next.generation, `${this.token}${number.toString(36)}`);
    const staged: Op[] = [];
    const live = new Set<string>();
    const baseById = new Map<string, { range: RangeRecord; stored: StoredRange }>();
    for (const range of base?.book.ranges ?? []) {
      const stored = this.stored.ranges.get(range);
      if (stored) baseById.set(stored.id, { range, stored });
    }
    const entries = next.ranges.map((range) => {
      const kept = this.stored.ranges.get(range);
      const key = kept && rangeKey(this.layout, kept.id, kept.version);
      if (kept && key && kept.id === range.id && snapshot.keys.has(key)) {
        for (const chunk of kept.chunks) live.add(chunkKey(this.layout, kept.id, chunk[0], chunk[1]));
        live.add(key);
        return [range.id, kept.version] as const;
      }
      return [range.id, this.putRange(range, baseById.get(range.id), version, staged, live)] as const;
    });
    const headName = headKey(this.layout, version);
    live.add(headName);
    staged.push({
      put: headName,
      value: headValue(next, entries, this.putHolds(snapshot, next, version, staged, live)),
    });
    const previous = this.previousVersion(snapshot, base, staged, number);
    const pointer = JSON.stringify({
      schema: 2,
      generation: next.generation,
      book: version,
      ...(previous ? { previous } : {}),
      writer: `${this.token}.${number}`,
      audited: latestTime(records),
    });
    const receipt = this.auditKey(number);
    const metaRevision = snapshot.pointer?.kv.modRevision;
    return {
      compare: [
        metaRevision === undefined
          ? { key: this.layout.meta, absent: true }
          : { key: this.layout.meta, modRevision: metaRevision },
      ],
      staged,
      commit: [
        { put: this.layout.meta, value: pointer },
        { put: receipt, value: JSON.stringify(records.length === 1 ? records[0] : records) },
      ],
      deletes: base ? this.garbage(snapshot, base.head, live) : [],
      receipt,
      metaRevision,
      generation: next.generation,
    };
  }

  /** The version naming `next`'s holds: the one they were read from when unchanged, else a new value put. */
  private putHolds(
    snapshot: Snapshot,
    next: Book,
    version: string,
    staged: Op[],
    live: Set<string>,
  ): string | undefined {
    if (!next.holds?.length) return undefined;
    const kept = this.stored.holds.get(next.holds);
    if (kept !== undefined && snapshot.keys.has(holdsKey(this.layout, kept))) {
      live.add(holdsKey(this.layout, kept));
      return kept;
    }
    const key = holdsKey(this.layout, version);
    live.add(key);
    staged.push({ put: key, value: encodeHolds(next.holds) });
    return version;
  }

  /** Puts what changed of `range` against how its id is stored now; returns the version naming it. */
  private putRange(
    range: RangeRecord,
    base: { range: RangeRecord; stored: StoredRange } | undefined,
    version: string,
    staged: Op[],
    live: Set<string>,
  ): string {
    const window = windowFor(range.size);
    const header = encodeRangeHeader(range);
    const groups = groupByWindow(range.leases, window);
    let before: Map<number, Lease[]> | undefined;
    try {
      if (base && base.stored.window === window) before = groupByWindow(base.range.leases, window);
    } catch {
      // The stored range does not decode: every chunk is written anew.
    }
    let same =
      base !== undefined &&
      before !== undefined &&
      header === base.stored.header &&
      groups.size === base.stored.chunks.size;
    const chunks: [number, string][] = [];
    for (const [index, leases] of [...groups].sort((a, b) => a[0] - b[0])) {
      const old = base?.stored.chunks.get(index);
      const kept = old !== undefined && sameLeases(before?.get(index), leases) ? old : undefined;
      if (kept === undefined) {
        same = false;
        staged.push({ put: chunkKey(this.layout, range.id, index, version), value: packLeases(leases, range.mac) });
      }
      chunks.push([index, kept ?? version]);
      live.add(chunkKey(this.layout, range.id, index, kept ?? version));
    }
    if (same && base) {
      live.add(rangeKey(this.layout, range.id, base.stored.version));
      return base.stored.version;
    }
    const key = rangeKey(this.layout, range.id, version);
    live.add(key);
    staged.push({ put: key, value: `{"window":${window},"chunks":${JSON.stringify(chunks)},"range":${header}}` });
    return version;
  }

  /**
   * The head the new pointer names as previous: the book being replaced. A schema 1 book's head
   * is its pointer, which the write replaces: it is kept as a head of its own.
   */
  private previousVersion(
    snapshot: Snapshot,
    base: { head: Head | undefined } | undefined,
    staged: Op[],
    number: number,
  ): string | undefined {
    const pointer = snapshot.pointer?.value;
    if (!pointer) return undefined;
    if (pointer.schema === 2) return pointer.book;
    const head = base?.head ?? pointer.head;
    const version = versionOf(head.generation, `${this.token}${number.toString(36)}p`);
    staged.push({
      put: headKey(this.layout, version),
      value: JSON.stringify({
        format: head.format,
        generation: head.generation,
        nextRangeId: head.nextRangeId,
        ranges: head.ranges.map((r) => r.id),
      }),
    });
    return version;
  }

  /**
   * Keys no generation from now on needs: not `live` (the new generation and the one it
   * replaces), and either a version written for a generation no later than the current one (an
   * older generation's, or an interrupted write's; a write in flight stages the next one) or a
   * schema 1 range key the previous generation listed. Nothing else is ever deleted.
   */
  private garbage(snapshot: Snapshot, current: Head | undefined, live: Set<string>): Op[] {
    const generation = current?.generation ?? 0;
    for (const key of current ? keysOf(this.layout, snapshot, current) : []) live.add(key);
    let listed = new Set<string>();
    try {
      const previous = headOf(this.layout, snapshot, 'previous', this.location);
      if (previous) listed = keysOf(this.layout, snapshot, previous);
    } catch {
      // A previous head that does not decode lists nothing to delete.
    }
    const deletes: Op[] = [];
    for (const key of snapshot.keys.keys()) {
      if (live.has(key)) continue;
      const kind = kindOf(this.layout, key);
      if ((kind.kind === 'versioned' && kind.generation <= generation) || (kind.kind === 'legacy' && listed.has(key)))
        deletes.push({ delete: key });
    }
    return deletes;
  }

  /** Writes a plan: in one transaction when it fits, else staged values first and the pointer last. */
  private async write(plan: Plan, deadline: number, signal?: AbortSignal): Promise<'landed' | 'conflict'> {
    const whole = [...plan.staged, ...plan.commit];
    let commit: Op[];
    if (fits(whole)) commit = whole;
    else {
      for (const batch of batches(plan.staged))
        if ((await this.stage(plan, batch, deadline)) === 'conflict') return 'conflict';
      // Stop point (issue 15 item 3): the last, right before the commit point. What was staged is
      // read by nobody; the next writers delete it.
      await letSignalsIn(signal);
      stopIfAborted(signal, this.location, 'before the commit');
      commit = [...plan.commit];
    }
    const deletes = [...plan.deletes];
    while (deletes.length > 0 && fits([...commit, deletes[0]!])) commit.push(deletes.shift()!);
    const outcome = await this.commit({ ...plan, commit }, deadline);
    // Past the commit point: what is left to delete is garbage the next writer also finds.
    if (outcome === 'landed')
      for (const batch of batches(deletes)) {
        try {
          await this.client.txn([], batch);
        } catch {
          break;
        }
      }
    return outcome;
  }

  /** One batch of new values, under the fence; idempotent (the same keys and values), so a lost answer is sent again. */
  private async stage(plan: Plan, batch: readonly Op[], deadline: number): Promise<'staged' | 'conflict'> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.send(plan.compare, batch)).succeeded ? 'staged' : 'conflict';
      } catch (error) {
        if (!(error instanceof AnswerLost) || Date.now() >= deadline)
          throw error instanceof AnswerLost ? this.unknownOutcome(error) : error;
      }
      await backoff(attempt, deadline);
    }
  }

  /** A transaction; one that etcd refuses and that is over its default limits is explained as such. */
  private async send(compare: readonly Compare[], ops: readonly Op[]) {
    try {
      return await this.client.txn(compare, ops);
    } catch (error) {
      const bytes = sizeOf(ops);
      if (!(error instanceof IpamError) || error.kind !== 'store-io' || bytes <= TXN_BYTES) throw error;
      const mib = Math.ceil((bytes * 1.1) / 1024 / 1024);
      throw new IpamError(
        'store-io',
        `Cannot write the lease book ${this.location}: one value of this change needs a transaction of ${bytes} bytes, more than etcd's default --max-request-bytes (1.5 MiB) allows, and etcd refused it (${error.message}); raise --max-request-bytes to ${mib * 1024 * 1024} (${mib} MiB) on every member; the book is unchanged`,
        { subject: String(bytes) },
      );
    }
  }

  /** A write whose change gave no audit record still leaves one: it is the write's receipt. */
  private receiptRecord(generation: number): AuditRecord {
    return {
      time: (this.options.now?.() ?? new Date()).toISOString(),
      actor: 'nebula-ipam',
      action: 'write',
      result: 'ok',
      detail: `generation ${generation}`,
    };
  }

  private auditKey(number: number): string {
    // Padded so the keys of one process sort in the order it wrote them.
    return `${this.layout.auditPrefix}${this.token}.${String(number).padStart(6, '0')}.0000`;
  }

  /** History is not needed by anything here (restore has keys of its own): kept short, so etcd's quota holds the data, not its past. */
  private async compactHistory(generation: number, revision: string): Promise<void> {
    const before = BigInt(revision) - BigInt(RETAINED_REVISIONS);
    if (generation % COMPACT_EVERY !== 0 || before <= 0n) return;
    try {
      await this.client.compact(String(before));
    } catch {
      // Compacted already (by another writer, or etcd's own --auto-compaction), or etcd busy: the next one does it.
    }
  }

  /** The book the pointer names, decoded whole (not lazily: that is for a change). */
  private bookNow(snapshot: Snapshot): Book {
    return bookOf(
      this.layout,
      snapshot,
      headOf(this.layout, snapshot, 'book', this.location),
      this.location,
      false,
      this.stored,
    );
  }

  /**
   * The oldest audit keys (by create revision: commit order) whose records are all older than
   * AUDIT_RETENTION_MS, deleted; the first one still young ends the batch. And the oldest beyond
   * the count bound, young or not (the range's count is every audit key, not only those it
   * returns). Never a failure of the write that just landed: a prune etcd refuses is left for
   * the next one.
   */
  private async pruneAudit(generation: number): Promise<void> {
    if (generation % COMPACT_EVERY !== 0) return;
    const cutoff = (this.options.now?.() ?? new Date()).getTime() - AUDIT_RETENTION_MS;
    try {
      const oldest = await this.client.range({
        key: this.layout.auditPrefix,
        rangeEnd: prefixEnd(this.layout.auditPrefix),
        sort: { target: 'CREATE', order: 'ASCEND' },
        limit: AUDIT_PRUNE_KEYS,
      });
      const beyondBound = oldest.count - (this.options.auditMaxKeys ?? AUDIT_MAX_KEYS);
      const expired: string[] = [];
      for (const kv of oldest.kvs) {
        const latest = latestTime(auditRecordsOf(kv.value));
        // A key whose time cannot be read is kept by age: nothing is deleted on a guess.
        const old = latest !== undefined && Date.parse(latest) < cutoff;
        if (!old && expired.length >= beyondBound) break;
        expired.push(kv.key);
      }
      if (expired.length > 0)
        await this.client.txn(
          [],
          expired.map((key) => ({ delete: key })),
        );
    } catch {
      // etcd busy or unreachable right after our write: the next prune does it.
    }
  }

  /** The book now, or why it does not decode: restore offers the previous generation either way. */
  private currentOf(snapshot: Snapshot): Generations['current'] {
    try {
      return { book: this.bookNow(snapshot) };
    } catch (error) {
      if (!(error instanceof IpamError && error.kind === 'store-corrupt')) throw error;
      return { error: error.facts.reason ?? error.message };
    }
  }

  /** The head `P/meta` names as `previous`; undefined before the second write. */
  private previousOf(snapshot: Snapshot): Book | undefined {
    const head = headOf(this.layout, snapshot, 'previous', this.location);
    if (!head) return undefined;
    return bookOf(
      this.layout,
      snapshot,
      head,
      `${this.location} (previous generation ${head.key})`,
      false,
      this.stored,
    );
  }

  /** A schema 1 book's previous generation: etcd's history, as that layout kept it; undefined before its second write. */
  private async legacyPrevious(meta: KeyValue): Promise<Book | undefined> {
    if (meta.version === '1') return undefined;
    const before = String(BigInt(meta.modRevision) - 1n);
    const location = `${this.location} (revision ${before})`;
    try {
      const old = await this.snapshot(before);
      return bookOf(this.layout, old, headOf(this.layout, old, 'book', location), location, false, this.stored);
    } catch (error) {
      if (!(error instanceof IpamError && error.kind === 'not-found')) throw error;
      throw new IpamError(
        'not-found',
        `Cannot restore ${this.location}: the previous generation (revision ${before}) is no longer in etcd's history (${(error as Error).message})`,
      );
    }
  }

  private unknownOutcome(lost: AnswerLost): IpamError {
    return new IpamError(
      'store-io',
      `Cannot tell whether the change reached the lease book ${this.location}: the answer was lost (${lost.message}) and etcd did not answer again within lockTimeoutMs; the book is consistent either way, a lease taken may be held without oned knowing (\`nebula-ipam reconcile\` finds it)`,
    );
  }

  /** Sends the commit point; when its answer is lost, finds out what happened (module comment). */
  private async commit(
    write: { compare: readonly Compare[]; commit: readonly Op[]; receipt: string; metaRevision: string | undefined },
    deadline: number,
  ): Promise<'landed' | 'conflict'> {
    let lost: AnswerLost | undefined;
    try {
      return (await this.send(write.compare, write.commit)).succeeded ? 'landed' : 'conflict';
    } catch (error) {
      if (!(error instanceof AnswerLost)) throw error;
      lost = error;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        // Meta first, then the receipt: the other order could miss ours landing between the two reads.
        const meta = await this.client.range({ key: this.layout.meta });
        if (meta.kvs[0]?.modRevision !== write.metaRevision) {
          // Meta moved. Had ours landed before, its receipt is there (receipts are never
          // rewritten); if not, our compare can never hold again.
          const receipt = await this.client.range({ key: write.receipt, countOnly: true });
          return receipt.count > 0 ? 'landed' : 'conflict';
        }
        // Nothing landed yet (ours may still be in flight): the same write again; at most one of the two can land.
        const again = await this.client.txn(write.compare, write.commit);
        if (again.succeeded) return 'landed';
      } catch (error) {
        if (!(error instanceof AnswerLost) && !(error instanceof IpamError && error.kind === 'store-io')) throw error;
        lost = error instanceof AnswerLost ? error : new AnswerLost(error.message);
      }
      if (Date.now() >= deadline) throw this.unknownOutcome(lost);
      await backoff(attempt, deadline);
    }
  }
}

/**
 * A write's records, never dated before those of the write it follows (store/audit-order.ts):
 * the one `pointer` names, which the commit's compare keeps the latest.
 */
function inCommitOrder(records: readonly AuditRecord[], pointer: Pointer | undefined): AuditRecord[] {
  return notBefore(records, pointer?.schema === 2 ? pointer.audited : undefined);
}

/** The records one audit key holds (one, or a write's list); none when it does not parse. */
function auditRecordsOf(value: Buffer): AuditRecord[] {
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    const all = Array.isArray(parsed) ? parsed : [parsed];
    return all.filter(
      (r): r is AuditRecord => typeof r === 'object' && r !== null && typeof (r as AuditRecord).time === 'string',
    );
  } catch {
    return [];
  }
}

/** What an operation weighs in a transaction: its key and value, and a little framing. */
function sizeOf(ops: readonly Op[]): number {
  let bytes = 0;
  for (const op of ops)
    bytes +=
      'put' in op
        ? Buffer.byteLength(op.put) +
          (typeof op.value === 'string' ? Buffer.byteLength(op.value) : op.value.length) +
          16
        : Buffer.byteLength(op.delete) + 16;
  return bytes;
}

function fits(ops: readonly Op[]): boolean {
  return ops.length <= ETCD_DEFAULT_MAX_TXN_OPS && sizeOf(ops) <= TXN_BYTES;
}

/** Operations in transactions within etcd's default limits, in order; one too big alone goes alone. */
function batches(ops: readonly Op[]): Op[][] {
  const out: Op[][] = [];
  let batch: Op[] = [];
  let bytes = 0;
  for (const op of ops) {
    const size = sizeOf([op]);
    if (batch.length > 0 && (batch.length >= ETCD_DEFAULT_MAX_TXN_OPS || bytes + size > TXN_BYTES)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(op);
    bytes += size;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

/** Leases by the window of their first index. */
function groupByWindow(leases: readonly Lease[], window: number): Map<number, Lease[]> {
  const groups = new Map<number, Lease[]>();
  const w = BigInt(window);
  for (const lease of leases) {
    const index = Number(lease.first / w);
    const group = groups.get(index);
    if (group) group.push(lease);
    else groups.set(index, [lease]);
  }
  return groups;
}

/** The same lease records, in the same order: a window nobody changed. */
function sameLeases(a: readonly Lease[] | undefined, b: readonly Lease[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * "Full jitter" exponential backoff: a random wait up to 2 ms doubling to 50 ms, never past the
 * deadline. A conflict means someone else's write landed, so the book moves on; short random
 * waits spread the losers out without idling (longer caps cost 16-way throughput here).
 */
function backoff(attempt: number, deadline: number): Promise<void> {
  const ceiling = Math.min(50, 2 * 2 ** Math.min(attempt, 5));
  const wait = Math.min(Math.max(0, deadline - Date.now()), Math.random() * ceiling);
  return new Promise((resolve) => setTimeout(resolve, wait));
}
