/** A LeaseStore in memory: the fake the engine's tests run against. */
import { latestTime, notBefore } from '../audit-order.ts';
import type { AuditRecord, Change } from '../../core/change.ts';
import { EMPTY_BOOK, type Book } from '../../core/book/book.ts';
import { checkWritable } from '../encoding/book-format.ts';
import { IpamError } from '../../core/errors.ts';
import { missingBook } from '../missing-book.ts';
import { stopIfAborted } from '../stop-before-commit.ts';
import type { AuditLog, Generations, LeaseStore, StoreDescription, UpdateOptions } from '../store.ts';

export class MemoryStore implements LeaseStore {
  readonly description: StoreDescription = { backend: 'memory', location: '(memory)' };
  private previous: Book | undefined;
  private written = false;
  private readonly log: AuditRecord[] = [];
  private book: Book;
  private made: boolean;

  /** Without a book: a missing one, which only `create` makes, as the real stores. */
  constructor(book?: Book) {
    this.book = book ?? EMPTY_BOOK;
    this.made = book !== undefined;
  }

  async read(): Promise<Book> {
    if (!this.made) throw missingBook(this.description);
    return this.book;
  }

  async exists(): Promise<boolean> {
    return this.made;
  }

  async create(audit: AuditRecord): Promise<boolean> {
    if (this.made) return false;
    this.made = true;
    this.written = true;
    this.log.push(audit);
    return true;
  }

  async update<R>(change: (book: Book) => Change<R, AuditRecord>, options: UpdateOptions = {}): Promise<R> {
    if (!this.made) throw missingBook(this.description);
    stopIfAborted(options.signal, this.description.location, 'before the change ran');
    const { book, result, audit = [] } = change(this.book);
    // As the file and etcd books, which refuse in the codec.
    if (book) checkWritable(book, this.description.location);
    // Nothing can happen between the change and the write in memory but the change itself.
    stopIfAborted(options.signal, this.description.location, 'while the change was decided');
    if (book) this.write(book, this.book.generation + 1);
    if (book) this.log.push(...notBefore(audit, latestTime(this.log)));
    return result;
  }

  async audit(record: AuditRecord): Promise<void> {
    this.log.push(record);
  }

  async readAudit(keep: (record: AuditRecord) => boolean, last?: number): Promise<AuditLog> {
    const records = this.log.filter(keep);
    return {
      location: this.description.location,
      records: last === undefined ? records : records.slice(-last),
      skipped: 0,
    };
  }

  async generations(): Promise<Generations> {
    if (!this.previous) throw new IpamError('not-found', 'Cannot restore (memory): there is no previous generation');
    return { current: { book: this.book }, previous: this.previous, token: String(this.book.generation) };
  }

  async restore(shown: Generations, book: Book, audit: AuditRecord): Promise<Book> {
    if (shown.token !== String(this.book.generation))
      throw new IpamError(
        'store-locked',
        'Cannot restore (memory): it changed since it was read; nothing was restored',
      );
    checkWritable(this.book, this.description.location);
    checkWritable(book, this.description.location);
    this.write(book, Math.max(this.book.generation, shown.previous.generation) + 1);
    this.log.push(audit);
    return this.book;
  }

  /** Like the file book, whose first write into a book given (not created) has nothing to keep beside it. */
  private write(book: Book, generation: number): void {
    if (this.written) this.previous = this.book;
    this.book = { ...book, generation };
    this.written = true;
  }
}
