/**
 * The lease book in etcd v3 (layout: etcd-layout.ts), for HA front-ends, federated zones and
 * other systems that must share one set of books.
 *
 * update = one read of the book at one revision + one transaction that compares meta's
 * mod_revision with the one read (the fence: any other write since bumped it) and puts meta,
 * the ranges the change replaced, deletes the ranges it removed, and puts its audit records.
 * A conflict re-reads and runs the change again (a change is pure, store.ts), after a jittered
 * backoff, until lockTimeoutMs; no locks and no TTLs, so a writer killed at any point leaves
 * nothing to clean up.
 *
 * A transaction whose answer was lost (the member died, the call timed out after the request
 * left) is never guessed at. Every write carries at least one audit key named by this process's
 * random token and the write's number: its receipt. Meta is read first. Still at the revision we
 * compared: nothing landed yet, and the same transaction is sent again (both copies compare the
 * same revision, so at most one can land). Moved: the receipt decides, since ours, had it
 * landed before that read, left its receipt, and otherwise can never land any more (its compare
 * fails), so the change runs again on the new book. If etcd stays unreachable until the deadline, the action
 * fails saying the outcome is unknown; the book is consistent either way.
 *
 * The previous generation (restore) is etcd's own MVCC history: the book as of the revision
 * before meta's last write. It is there until etcd compacts that revision (off unless the
 * operator sets --auto-compaction-retention); then restore says so.
 */
import type { AuditRecord } from '../../audit/audit-record.ts';
import type { Book } from '../../book/book.ts';
import { IpamError } from '../../errors.ts';
import { randomHex } from '../random-hex.ts';
import { letSignalsIn, stopIfAborted } from '../stop-before-commit.ts';
import type { StoreCopy, StoreHealth } from '../store-health.ts';
import type { AuditLog, Change, Generations, LeaseStore, StoreDescription, UpdateOptions } from '../store.ts';
import { AnswerLost, prefixEnd, type Compare, type EtcdClient, type Op } from './etcd-client.ts';
import { etcdHealth, oneCopy } from './etcd-health.ts';
import { bookOf, bookSpan, layoutOf, metaValue, rangeKey, rangeValue, snapshotOf, type Layout, type Snapshot } from './etcd-layout.ts';

export interface EtcdStoreOptions {
  readonly client: EtcdClient;
  readonly prefix: string;
  /** The whole budget of one update, conflicts and failover included (well under oned's 90 s). */
  readonly lockTimeoutMs: number;
  /** For the audit record a write without one of its own carries (store.ts: the clock is here). */
  readonly now?: () => Date;
  /** Test hook (test-hooks.ts): told after each update how many conflicts it met. */
  readonly onUpdated?: (retries: number) => void;
}

/** A planned write: what it compares and does, and the key that proves it landed. */
interface Write {
  readonly compare: readonly Compare[];
  readonly ops: readonly Op[];
  readonly receipt: string;
  readonly metaRevision: string | undefined;
}

export class EtcdStore implements LeaseStore {
  readonly description: StoreDescription;
  private readonly layout: Layout;
  private readonly client: EtcdClient;
  private readonly token = randomHex(6);
  private writes = 0;
  /** Conflicts met by this store's updates, for the contention figures. */
  retries = 0;

  constructor(private readonly options: EtcdStoreOptions) {
    this.client = options.client;
    this.layout = layoutOf(options.prefix);
    this.description = { backend: 'etcd', location: `etcd ${options.client.where} ${options.prefix}` };
  }

  private get location(): string {
    return this.description.location;
  }

  async read(): Promise<Book> {
    return bookOf(this.layout, await this.snapshot(), this.location, false);
  }

  async exists(): Promise<boolean> {
    const answer = await this.client.range({ key: this.layout.meta, countOnly: true });
    return answer.count > 0;
  }

  async update<R>(change: (book: Book) => Change<R>, options: UpdateOptions = {}): Promise<R> {
    const deadline = Date.now() + this.options.lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      // Stop point (issue 15 item 3): before reading, which after a conflict is after the backoff.
      stopIfAborted(options.signal, this.location, attempt === 0 ? 'before it began' : 'while retrying after a conflict');
      const snapshot = await this.snapshot();
      const book = bookOf(this.layout, snapshot, this.location, true);
      const { book: next, result, audit } = change(book);
      // Stop point (issue 15 item 3): the last before the commit point (sending the transaction;
      // planning it is synchronous). letSignalsIn lets through a signal that came during the change.
      await letSignalsIn(options.signal);
      stopIfAborted(options.signal, this.location, 'before the commit');
      if (!next) return result;
      const write = this.plan(snapshot, book, next, audit);
      // Past here a signal is ignored: commit() finds out what landed whatever happens.
      if ((await this.commit(write, deadline)) === 'landed') {
        this.options.onUpdated?.(attempt);
        return result;
      }
      this.retries++;
      if (Date.now() >= deadline) {
        throw new IpamError(
          'store-locked',
          `Cannot update the lease book ${this.location}: other writers changed it ${attempt + 1} times in a row within ${this.options.lockTimeoutMs} ms (lockTimeoutMs); nothing was written, try again`,
        );
      }
      await backoff(attempt, deadline);
    }
  }

  async audit(record: AuditRecord): Promise<void> {
    // After an action failed because etcd is unreachable, its failure record would only double the wait.
    if (this.client.unreachable) return;
    try {
      await this.client.txn([], [{ put: this.auditKey(this.writes++, 0), value: JSON.stringify(record) }]);
    } catch {
      // A lost log line is better than a lost lease (store.ts).
    }
  }

  async readAudit(keep: (record: AuditRecord) => boolean, last?: number): Promise<AuditLog> {
    const answer = await this.client.range({ key: this.layout.auditPrefix, rangeEnd: prefixEnd(this.layout.auditPrefix), sort: { target: 'CREATE', order: 'ASCEND' } });
    const records: AuditRecord[] = [];
    let skipped = 0;
    // etcd orders by create revision; the records of one transaction share one, so the key decides.
    const kvs = [...answer.kvs].sort((a, b) => Number(BigInt(a.createRevision) - BigInt(b.createRevision)) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const kv of kvs) {
      try {
        const record = JSON.parse(kv.value.toString('utf8')) as AuditRecord;
        if (typeof record !== 'object' || record === null || typeof record.action !== 'string') throw new Error('not a record');
        if (keep(record)) records.push(record);
      } catch {
        skipped++;
      }
    }
    return { location: `${this.location} ${this.layout.auditPrefix}`, records: last === undefined ? records : records.slice(-last), skipped };
  }

  async generations(): Promise<Generations> {
    const snapshot = await this.snapshot();
    const meta = snapshot.meta;
    if (!meta || meta.kv.version === '1') {
      throw new IpamError('not-found', `Cannot restore ${this.location}: there is no previous generation; one is kept from the second write on`);
    }
    let current: Generations['current'];
    try {
      current = { book: bookOf(this.layout, snapshot, this.location, false) };
    } catch (error) {
      current = { error: (error as Error).message };
    }
    const before = String(BigInt(meta.kv.modRevision) - 1n);
    let previous: Book;
    try {
      previous = bookOf(this.layout, await this.snapshot(before), `${this.location} (revision ${before})`, false);
    } catch (error) {
      if (!(error instanceof IpamError && error.kind === 'not-found')) throw error;
      throw new IpamError('not-found', `Cannot restore ${this.location}: the previous generation (revision ${before}) is no longer in etcd's history (${(error as Error).message})`);
    }
    return { current, previous, token: meta.kv.modRevision };
  }

  async restore(shown: Generations, book: Book, audit: AuditRecord): Promise<Book> {
    const snapshot = await this.snapshot();
    const meta = snapshot.meta;
    if (!meta || meta.kv.modRevision !== shown.token) {
      throw new IpamError('store-locked', `Cannot restore ${this.location}: the book changed since it was shown; nothing was written, run restore again`);
    }
    const generation = Math.max(meta.value?.generation ?? 0, book.generation) + 1;
    const number = this.writes++;
    const written = { ...book, generation };
    const write: Write = {
      compare: [{ key: this.layout.meta, modRevision: meta.kv.modRevision }],
      // etcd refuses a transaction that names one key twice: delete only the keys not put again.
      ops: [
        ...[...snapshot.ranges.keys()].filter((key) => !book.ranges.some((range) => rangeKey(this.layout, range.id) === key)).map((key) => ({ delete: key })),
        ...book.ranges.map((range) => ({ put: rangeKey(this.layout, range.id), value: rangeValue(range) })),
        { put: this.layout.meta, value: metaValue(book, generation, `${this.token}.${number}`) },
        { put: this.auditKey(number, 0), value: JSON.stringify(audit) },
      ],
      receipt: this.auditKey(number, 0),
      metaRevision: meta.kv.modRevision,
    };
    if ((await this.commit(write, Date.now() + this.options.lockTimeoutMs)) === 'landed') return written;
    throw new IpamError('store-locked', `Cannot restore ${this.location}: the book changed since it was shown; nothing was written, run restore again`);
  }

  /** `status`: each member's health (etcd-health.ts). */
  health(): Promise<StoreHealth> {
    return etcdHealth(this.client);
  }

  /** `--serializable`: one member's own copy, when quorum is lost (etcd-health.ts). */
  oneCopy(): Promise<StoreCopy> {
    return oneCopy(this.options, (options) => new EtcdStore(options));
  }

  /** The book's keys at one revision (the newest, or `revision` for history). */
  private async snapshot(revision?: string): Promise<Snapshot> {
    const answer = await this.client.range({ ...bookSpan(this.layout), ...(revision === undefined ? {} : { revision }) });
    return snapshotOf(this.layout, answer.revision, answer.kvs);
  }

  private plan(snapshot: Snapshot, book: Book, next: Book, audit: readonly AuditRecord[] | undefined): Write {
    const number = this.writes++;
    const ops: Op[] = [];
    // A range the change did not replace is the very object it was given: not rewritten.
    const kept = new Set(book.ranges);
    const nextIds = new Set<string>();
    for (const range of next.ranges) {
      nextIds.add(range.id);
      if (!kept.has(range)) ops.push({ put: rangeKey(this.layout, range.id), value: rangeValue(range) });
    }
    for (const range of book.ranges) if (!nextIds.has(range.id)) ops.push({ delete: rangeKey(this.layout, range.id) });
    ops.push({ put: this.layout.meta, value: metaValue(next, book.generation + 1, `${this.token}.${number}`) });
    const records = audit && audit.length > 0 ? audit : [this.receiptRecord(book.generation + 1)];
    records.forEach((record, i) => ops.push({ put: this.auditKey(number, i), value: JSON.stringify(record) }));
    const metaRevision = snapshot.meta?.kv.modRevision;
    return {
      compare: [metaRevision === undefined ? { key: this.layout.meta, absent: true } : { key: this.layout.meta, modRevision: metaRevision }],
      ops,
      receipt: this.auditKey(number, 0),
      metaRevision,
    };
  }

  /** A write whose change gave no audit record still leaves one: it is the write's receipt. */
  private receiptRecord(generation: number): AuditRecord {
    return { time: (this.options.now?.() ?? new Date()).toISOString(), actor: 'nebula-ipam', action: 'write', result: 'ok', detail: `generation ${generation}` };
  }

  private auditKey(number: number, index: number): string {
    // Padded so the records of one transaction (one create revision) sort by key in their order.
    return `${this.layout.auditPrefix}${this.token}.${String(number).padStart(6, '0')}.${String(index).padStart(4, '0')}`;
  }

  /** Sends a write; when its answer is lost, finds out what happened (module comment). */
  private async commit(write: Write, deadline: number): Promise<'landed' | 'conflict'> {
    let lost: AnswerLost | undefined;
    try {
      return (await this.client.txn(write.compare, write.ops)).succeeded ? 'landed' : 'conflict';
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
        const again = await this.client.txn(write.compare, write.ops);
        if (again.succeeded) return 'landed';
      } catch (error) {
        if (!(error instanceof AnswerLost) && !(error instanceof IpamError && error.kind === 'store-io')) throw error;
        lost = error instanceof AnswerLost ? error : new AnswerLost(error.message);
      }
      if (Date.now() >= deadline) {
        throw new IpamError(
          'store-io',
          `Cannot tell whether the change reached the lease book ${this.location}: the answer was lost (${lost.message}) and etcd did not answer again within lockTimeoutMs; the book is consistent either way, a lease taken may be held without oned knowing (\`nebula-ipam reconcile\` finds it)`,
        );
      }
      await backoff(attempt, deadline);
    }
  }
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
