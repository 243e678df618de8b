/**
 * The one boundary between the pure engine and the place the book lives. Actions and commands
 * see only `LeaseStore`; `open-store.ts` picks the backend from the config (a JSON file under a
 * lock by default, etcd v3 for HA front-ends).
 *
 * `update` runs a pure change against the current book with nobody else in between: under the
 * file lock, or as a compare-and-swap on revisions in etcd. "Find a free address" and "take it"
 * are therefore one step. A change is a pure function of the book it is given: it may run more
 * than once (a compare-and-swap backend runs it again after a conflict), so it reads no clock,
 * does no I/O and keeps no state between runs; the caller takes the time once, before.
 */
import type { AuditRecord, Change } from '../core/change.ts';
import type { Book } from '../core/book/book.ts';
import type { Account } from '../access/accounts.ts';
import type { AccessProblem } from '../core/verify/access-finding.ts';
import type { StoreCopy, StoreHealth } from './store-health.ts';
import type { StoreWait } from './store-wait.ts';

/** How a caller steers one `update`. */
export interface UpdateOptions {
  /**
   * Stops the update while nothing is written yet: checked while waiting (for the lock, after a
   * conflict), before the change runs, after it and right before the commit point (file: the
   * rename; etcd: sending the transaction), where it throws an `interrupted` or `terminated`
   * error (`abortReasonSignal` reads which from the reason). Past the commit point it is ignored:
   * the write finishes and `update` returns as usual, so a caller that finds the signal aborted
   * afterwards knows the change landed.
   */
  readonly signal?: AbortSignal;
  /**
   * Told what the update waits for when it starts waiting, again when that changes (another
   * holder of the lock, another conflict), and `{ for: 'nothing' }` once the wait is over. A
   * store that never waits (memory) never calls it.
   */
  readonly onWait?: (wait: StoreWait) => void;
}

export type Backend = 'file' | 'etcd' | 'memory';

export interface StoreDescription {
  readonly backend: Backend;
  /** Where the book lives, for messages: a path, or etcd's endpoints and key prefix. */
  readonly location: string;
  /** What chose that place and the config it came from, for messages (resolve-book.ts). */
  readonly origin?: string;
}

/** The newest generation and the one before it, as `restore` shows them. */
export interface Generations {
  /** The book, or why it does not decode (then it is needed most). */
  readonly current: { readonly book: Book } | { readonly error: string };
  readonly previous: Book;
  /** Opaque to callers: what `restore` checks to know the book is still as shown. */
  readonly token: string;
}

export interface AuditLog {
  /** Where the log is, for messages. */
  readonly location: string;
  readonly records: readonly AuditRecord[];
  /** Entries that are not audit records (a torn line, a hand edit). */
  readonly skipped: number;
}

/** What the book's storage holds against its limit (etcd: the database and its quota), for status and metrics. */
export interface StoreSpace {
  /** The database's size on disk, in bytes. */
  readonly usedBytes: number;
  /** The part of it in use (the rest is free pages etcd reuses, given back by a defrag). */
  readonly inUseBytes?: number;
  /** The size at which the storage refuses every write (etcd's --quota-backend-bytes). */
  readonly quotaBytes?: number;
}

export interface LeaseStore {
  readonly description: StoreDescription;
  /** A consistent snapshot; may be stale by the time it is used. Every field checked. Refuses a missing book. */
  read(): Promise<Book>;
  /** Whether the book is there (`create` made it). */
  exists(): Promise<boolean>;
  /**
   * Makes the empty book (generation 0), with `audit` as its first record, unless one is there:
   * the only way a book comes to be (missing-book.ts). True when it made it.
   */
  create(audit: AuditRecord): Promise<boolean>;
  /**
   * Runs `change` on the current book and stores its book and audit records (none without a
   * book); bumps the generation. Refuses a missing book, changing nothing.
   */
  update<R>(change: (book: Book) => Change<R, AuditRecord>, options?: UpdateOptions): Promise<R>;
  /**
   * Records what changed no book: a refusal or a failure. Never throws and never delays an
   * action by more than one write: a lost log line is better than a lost lease.
   */
  audit(record: AuditRecord): Promise<void>;
  /** The audit records `keep` accepts, oldest first, at most the `last` newest of them. */
  readAudit(keep: (record: AuditRecord) => boolean, last?: number): Promise<AuditLog>;
  /** For `restore`: throws not-found when there is no previous generation. */
  generations(): Promise<Generations>;
  /**
   * Writes `book` (made from `shown.previous`) as the newest generation, provided the store is
   * still as `shown`; records `audit` with it. Returns the book as written.
   */
  restore(shown: Generations, book: Book, audit: AuditRecord, options?: Pick<UpdateOptions, 'onWait'>): Promise<Book>;
  /** How full the storage is, where it has a limit of its own (etcd); undefined when it cannot tell. */
  space?(): Promise<StoreSpace | undefined>;
  /** The backend's own health (etcd: each member), when it has more to say than the book. */
  health?(): Promise<StoreHealth>;
  /** One replica's own copy, readable when the whole is not (etcd without quorum). */
  oneCopy?(): Promise<StoreCopy>;
  /**
   * What this backend keeps on this machine's disk (the file book: itself, its directory, lock
   * and audit log), opened as `user` would open them (access-check.ts); absent for backends
   * that keep nothing here.
   */
  checkAccess?(user: Account): AccessCheck;
  /**
   * Other lease books near this one that would hand out the same addresses (file: `*.json` books
   * beside it or beside `defaultBook`), for verify and doctor; absent for backends without any.
   */
  strayBooks?(defaultBook: string): string[];
  /** The stored book's size in bytes, when reading it is a local read worth announcing (long-read.ts). */
  sizeOnDisk?(): number | undefined;
}

/** What `checkAccess` found: the user checked for, "uid 9869 (oneadmin)", and what they cannot do. */
export interface AccessCheck {
  readonly user: string;
  /** False when this process could not act as that user (neither root nor that user). */
  readonly checked: boolean;
  readonly problems: readonly AccessProblem[];
}
