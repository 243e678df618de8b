/**
 * The lease book as one JSON file, guarded by a lock, replaced atomically on every change. Its
 * audit log is a JSON-lines file beside it, its history the `.prev` generation beside it. All of
 * it happens at the book's real path (`book-path.ts`), so store paths that are symlinks to one
 * file share one book, one lock, one `.prev` and one audit log. The directory that real path is
 * in is checked to be the same one after the lock is taken and before every write
 * (`book-directory.ts`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { notBefore } from '../audit-order.ts';
import { appendAudit, auditPath, latestLogged, readAuditFile } from './audit-log.ts';
import type { AuditRecord, Change } from '../../core/change.ts';
import { EMPTY_BOOK, type Book } from '../../core/book/book.ts';
import { decodeBook, decodeBookLazily, encodeBookChunks } from '../encoding/codec.ts';
import { IpamError } from '../../core/errors.ts';
import { landedBefore, prepareWrite, sweepLeftovers, type WriteStep } from './atomic-write.ts';
import { realBookPath } from './book-path.ts';
import { acquireLock, type LockWait } from './lock.ts';
import { checkDirectory, directoryOf, stillThere, type DirectoryIdentity } from './book-directory.ts';
import { giveDirectory, storeOwner } from './ownership.ts';
import { readGenerations, restorePrevious } from './previous-generation.ts';
import { missingBook } from '../missing-book.ts';
import { readBook } from './read-book.ts';
import { letSignalsIn, stopIfAborted } from '../stop-before-commit.ts';
import type { AccessCheck, AuditLog, Generations, LeaseStore, StoreDescription, UpdateOptions } from '../store.ts';
import { ioReason } from '../../access/denied.ts';
import type { Account } from '../../access/accounts.ts';
import { checkFileAccess } from './access-check.ts';
import { findStrayBooks } from './stray-books.ts';

export interface FileStoreOptions {
  readonly lockTimeoutMs: number;
  /** What chose this path (store.ts StoreDescription.origin). */
  readonly origin?: string;
  /** For crash tests: called between the steps of a write. */
  readonly onWriteStep?: (step: WriteStep) => void;
  /**
   * For interrupt and race tests: called when the book's directory is recorded (`book-found`),
   * when the lock is found held, right after it is taken, and once the change has run.
   */
  readonly onStage?: (stage: StoreStage) => void;
  /** For the torture suite: told how long each wait for the lock took, and how it ended. */
  readonly onLockWait?: (wait: LockWaitReport) => void;
}

/** One wait for the lock, measured on the clock its deadline is on. */
export interface LockWaitReport {
  readonly waitedMs: number;
  readonly timeoutMs: number;
  readonly taken: boolean;
}

/** The moments of an update outside the write itself, named for the test bundle's hooks. */
export const STORE_STAGES = ['book-found', 'lock-wait', 'lock-taken', 'changed'] as const;
export type StoreStage = (typeof STORE_STAGES)[number];

export class FileStore implements LeaseStore {
  readonly description: StoreDescription;
  /** The book's directory as found, once it exists; every write checks it is still that one. */
  private directory: DirectoryIdentity | undefined;
  constructor(
    private readonly location: string,
    private readonly options: FileStoreOptions,
  ) {
    this.description = {
      backend: 'file',
      location,
      ...(options.origin === undefined ? {} : { origin: options.origin }),
    };
  }

  async exists(): Promise<boolean> {
    return fs.existsSync(this.location);
  }

  async create(audit: AuditRecord): Promise<boolean> {
    const file = this.file;
    this.ensureDirectory(file);
    const directory = this.foundDirectory(file);
    const lock = await acquireLock(file, this.options.lockTimeoutMs, {
      whenTaken: () => checkDirectory(directory, file),
    });
    try {
      sweepLeftovers(file);
      if (readBook(file, 'the lease book')) return false;
      try {
        const prepared = prepareWrite(file, encodeBookChunks(EMPTY_BOOK, file), {
          onStep: (step) => {
            if (step === 'previous-kept') checkDirectory(directory, file);
          },
        });
        prepared.commit();
      } catch (error) {
        if (error instanceof IpamError) throw error;
        throw new IpamError('store-io', `Cannot create the lease book ${file}: ${(error as Error).message}`);
      }
      appendAudit(file, audit, () => checkDirectory(directory, file));
      return true;
    } finally {
      await lock.release();
    }
  }

  /** Where the book's bytes really are: resolved on first use, then fixed for this process. */
  private get file(): string {
    return realBookPath(this.location);
  }

  /** Every field checked: readers show the whole book. */
  async read(): Promise<Book> {
    return this.load(decodeBook).book;
  }

  async update<R>(change: (book: Book) => Change<R, AuditRecord>, options: UpdateOptions = {}): Promise<R> {
    const { signal } = options;
    const file = this.file;
    stopIfAborted(signal, file, 'before it began');
    // Before the lock, which would make the book's directory: a missing book is refused untouched.
    if (!fs.existsSync(file)) throw missingBook(this.description);
    const directory = this.foundDirectory(file);
    this.options.onStage?.('book-found');
    const waits = this.reportingWaits(options.onWait);
    const asked = Date.now();
    const waited = (taken: boolean) =>
      this.options.onLockWait?.({ waitedMs: Date.now() - asked, timeoutMs: this.options.lockTimeoutMs, taken });
    const lock = await acquireLock(file, this.options.lockTimeoutMs, {
      signal,
      onWait: waits.onWait,
      whenTaken: () => {
        waited(true);
        checkDirectory(directory, file);
        waits.whenTaken();
        this.options.onStage?.('lock-taken');
      },
    }).catch((error: unknown) => {
      if (error instanceof IpamError && error.kind === 'store-locked') waited(false);
      throw error;
    });
    try {
      // Still the directory found, before anything in it is read or swept: a swapped one is refused as such.
      checkDirectory(directory, file);
      sweepLeftovers(file);
      // Decoded as used: an action reads one range of thousands (codec.ts).
      const { book, identity } = this.load(decodeBookLazily);
      await letSignalsIn(signal);
      stopIfAborted(signal, file, 'before the change ran');
      const { book: next, result, audit = [] } = change(book);
      this.options.onStage?.('changed');
      await letSignalsIn(signal);
      stopIfAborted(signal, file, 'while the change was decided');
      if (!next) return result;
      // Pieces: the ranges the change left alone go back as the bytes they were read from.
      const content = encodeBookChunks({ ...next, generation: book.generation + 1 }, file);
      checkDirectory(directory, file);
      try {
        const prepared = prepareWrite(file, content, {
          onStep: (step) => {
            this.options.onWriteStep?.(step);
            // Last moment to back out: if the lock was lost or someone wrote meanwhile, our
            // change was decided on a stale book and must not land.
            if (step === 'previous-kept') {
              this.checkStillOurs(file, lock.compromised(), identity);
              checkDirectory(directory, file);
            }
          },
        });
        // The commit point is the rename: from here on a signal waits until the write is done.
        await letSignalsIn(signal);
        if (signal?.aborted) prepared.discard();
        stopIfAborted(signal, file, 'before the commit');
        prepared.commit();
      } catch (error) {
        if (error instanceof IpamError) throw error;
        const outcome = landedBefore(error)
          ? 'the change is in the book but may not survive a power cut, so it is reported as failed'
          : 'the book is unchanged';
        throw new IpamError('store-io', `Cannot write the lease book ${file}: ${ioReason(error, file)}; ${outcome}`);
      }
      // Never dated before what the log holds (a writer that waited for the lock commits later).
      for (const record of notBefore(audit, latestLogged(file)))
        appendAudit(file, record, () => checkDirectory(directory, file));
      return result;
    } finally {
      await lock.release();
    }
  }

  checkAccess(user: Account): AccessCheck {
    return checkFileAccess(this.file, user);
  }

  strayBooks(defaultBook: string): string[] {
    return findStrayBooks(this.location, defaultBook);
  }

  sizeOnDisk(): number | undefined {
    try {
      return fs.statSync(this.location).size;
    } catch {
      return undefined;
    }
  }

  async audit(record: AuditRecord): Promise<void> {
    // A refusal because the directory was swapped says so itself: no second line for its record.
    if (this.directory && !stillThere(this.directory)) return;
    try {
      appendAudit(this.file, record);
    } catch {
      // A book path that does not resolve (a dangling symlink): the failure is already reported.
    }
  }

  readAudit(keep: (record: AuditRecord) => boolean, last?: number): Promise<AuditLog> {
    return readAuditFile(auditPath(this.file), keep, last);
  }

  async generations(): Promise<Generations> {
    return readGenerations(this.file);
  }

  async restore(
    shown: Generations,
    book: Book,
    audit: AuditRecord,
    options: Pick<UpdateOptions, 'onWait'> = {},
  ): Promise<Book> {
    const file = this.file;
    const directory = this.foundDirectory(file);
    const check = () => checkDirectory(directory, file);
    const wait = this.reportingWaits(options.onWait);
    const restored = await restorePrevious(file, this.options.lockTimeoutMs, shown, book, check, wait);
    appendAudit(file, audit, check);
    return restored;
  }

  /**
   * The lock wait's side of `onWait`: each holder as found, then (from `whenTaken`, which the
   * caller chains) the end of the wait; and the test bundle's `lock-wait` stage.
   */
  private reportingWaits(onWait: UpdateOptions['onWait']): Required<Pick<LockWait, 'onWait' | 'whenTaken'>> {
    let waited = false;
    return {
      onWait: (wait) => {
        if (!waited) this.options.onStage?.('lock-wait');
        waited = true;
        onWait?.(wait);
      },
      whenTaken: () => {
        if (waited) onWait?.({ for: 'nothing' });
      },
    };
  }

  private load(decode: (bytes: Buffer, location: string, advice: string) => Book): { book: Book; identity: string } {
    const file = this.file;
    // Bytes, not text: a big book is never made into one string.
    const read = readBook(file, 'the lease book');
    if (!read) throw missingBook(this.description);
    return { book: decode(read.bytes, file, fileAdvice(file)), identity: fileIdentity(read.stat) };
  }

  private checkStillOurs(file: string, compromise: Error | undefined, identity: string): void {
    let now = 'absent';
    try {
      now = fileIdentity(fs.statSync(file));
    } catch {
      // Gone: differs from what we read unless it was absent then too.
    }
    if (compromise || now !== identity) {
      throw new IpamError(
        'store-locked',
        `Cannot write the lease book ${file}: another process changed it while this one held the lock${compromise ? ` (${compromise.message})` : ''}; nothing was written, try again`,
      );
    }
  }

  /** The book's directory as first seen by this process (it exists: ensureDirectory ran). */
  private foundDirectory(file: string): DirectoryIdentity {
    try {
      this.directory ??= directoryOf(file);
    } catch (error) {
      throw new IpamError('store-io', `Cannot use the lease book ${file}: ${(error as Error).message}`);
    }
    return this.directory;
  }

  /**
   * Made if missing, owner-only, and (made by root) given to the owner of the directory above:
   * each level this process made, through a descriptor (`ownership.ts`).
   */
  private ensureDirectory(file: string): void {
    const dir = path.dirname(file);
    try {
      const owner = storeOwner(dir);
      const missing: string[] = [];
      for (let at = dir; !fs.existsSync(at) && path.dirname(at) !== at; at = path.dirname(at)) missing.unshift(at);
      for (const at of missing) {
        try {
          fs.mkdirSync(at, { mode: 0o700 });
        } catch (error) {
          // Made by someone else meanwhile: theirs, not ours to give.
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw error;
        }
        giveDirectory(at, owner);
      }
    } catch (error) {
      throw new IpamError('store-io', `Cannot create the lease book's directory ${dir}: ${ioReason(error, dir)}`);
    }
  }
}

/** Every write renames a new inode into place, so inode, size and mtime together tell a rewrite. */
function fileIdentity(stat: fs.Stats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

/** A damaged file book: its previous generation is the `.prev` beside it, brought back by `restore` (which keeps the range-id counter). */
function fileAdvice(file: string): string {
  return `inspect it, or bring back the previous generation (${file}.prev) with \`nebula-ipam restore\`, never by copying that file over it (the range-id counter would go back)`;
}
