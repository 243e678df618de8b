/**
 * The lease book as one JSON file, guarded by a lock, replaced atomically on every change. Its
 * audit log is a JSON-lines file beside it, its history the `.prev` generation beside it. All of
 * it happens at the book's real path (`book-path.ts`), so store paths that are symlinks to one
 * file share one book, one lock, one `.prev` and one audit log.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendAudit, auditPath, readAuditFile } from '../audit/audit-log.ts';
import type { AuditRecord } from '../audit/audit-record.ts';
import { EMPTY_BOOK, type Book } from '../book/book.ts';
import { decodeBook, decodeBookLazily, encodeBookChunks } from '../book/codec.ts';
import { IpamError } from '../errors.ts';
import { landedBefore, prepareWrite, sweepLeftovers, type WriteStep } from './atomic-write.ts';
import { realBookPath } from './book-path.ts';
import { acquireLock } from './lock.ts';
import { givePath, storeOwner } from './ownership.ts';
import { readGenerations, restorePrevious } from './previous-generation.ts';
import { readBook } from './read-book.ts';
import { letSignalsIn, stopIfAborted } from './stop-before-commit.ts';
import type { AuditLog, Change, Generations, LeaseStore, StoreDescription, UpdateOptions } from './store.ts';
import { ioReason } from '../access/denied.ts';
import type { Account } from '../access/accounts.ts';
import { checkFileAccess, type AccessCheck } from './access-check.ts';

export interface FileStoreOptions {
  readonly lockTimeoutMs: number;
  /** For crash tests: called between the steps of a write. */
  readonly onWriteStep?: (step: WriteStep) => void;
  /** For interrupt tests: called when the lock is found held, and once the change has run. */
  readonly onStage?: (stage: StoreStage) => void;
}

/** The moments of an update outside the write itself, named for the interrupt tests' hooks. */
export const STORE_STAGES = ['lock-wait', 'changed'] as const;
export type StoreStage = (typeof STORE_STAGES)[number];

export class FileStore implements LeaseStore {
  readonly description: StoreDescription;
  constructor(
    private readonly location: string,
    private readonly options: FileStoreOptions,
  ) {
    this.description = { backend: 'file', location };
  }

  async exists(): Promise<boolean> {
    return fs.existsSync(this.location);
  }

  /** Where the book's bytes really are: resolved on first use, then fixed for this process. */
  private get file(): string {
    return realBookPath(this.location);
  }

  /** Every field checked: readers show the whole book. */
  async read(): Promise<Book> {
    return this.load(decodeBook).book;
  }

  async update<R>(change: (book: Book) => Change<R>, options: UpdateOptions = {}): Promise<R> {
    const { signal } = options;
    const file = this.file;
    stopIfAborted(signal, file, 'before it began');
    this.ensureDirectory(file);
    const lock = await acquireLock(file, this.options.lockTimeoutMs, { signal, onWait: () => this.options.onStage?.('lock-wait') });
    try {
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
      try {
        const prepared = prepareWrite(file, content, {
          onStep: (step) => {
            this.options.onWriteStep?.(step);
            // Last moment to back out: if the lock was lost or someone wrote meanwhile, our
            // change was decided on a stale book and must not land.
            if (step === 'previous-kept') this.checkStillOurs(file, lock.compromised(), identity);
          },
        });
        // The commit point is the rename: from here on a signal waits until the write is done.
        await letSignalsIn(signal);
        if (signal?.aborted) prepared.discard();
        stopIfAborted(signal, file, 'before the commit');
        prepared.commit();
      } catch (error) {
        if (error instanceof IpamError) throw error;
        const outcome = landedBefore(error) ? 'the change is in the book but may not survive a power cut, so it is reported as failed' : 'the book is unchanged';
        throw new IpamError('store-io', `Cannot write the lease book ${file}: ${ioReason(error, file)}; ${outcome}`);
      }
      for (const record of audit) appendAudit(file, record);
      return result;
    } finally {
      await lock.release();
    }
  }

  checkAccess(user: Account): AccessCheck {
    return checkFileAccess(this.file, user);
  }

  async audit(record: AuditRecord): Promise<void> {
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

  async restore(shown: Generations, book: Book, audit: AuditRecord): Promise<Book> {
    const restored = await restorePrevious(this.file, this.options.lockTimeoutMs, shown, book);
    appendAudit(this.file, audit);
    return restored;
  }

  private load(decode: (bytes: Buffer, location: string) => Book): { book: Book; identity: string } {
    const file = this.file;
    // Bytes, not text: a big book is never made into one string.
    const read = readBook(file, 'the lease book');
    if (!read) return { book: EMPTY_BOOK, identity: 'absent' };
    return { book: decode(read.bytes, file), identity: fileIdentity(read.stat) };
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

  /** Made if missing, owner-only, and (made by root) given to the owner of the directory above. */
  private ensureDirectory(file: string): void {
    const dir = path.dirname(file);
    try {
      const owner = storeOwner(dir);
      const first = fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (first !== undefined && owner) {
        for (let at = dir; at.length >= first.length; at = path.dirname(at)) givePath(at, owner);
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
