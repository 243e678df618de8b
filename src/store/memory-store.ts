/** A LeaseStore in memory: the fake the engine's tests run against. */
import { EMPTY_BOOK, type Book } from '../book/book.ts';
import type { Change, LeaseStore } from './store.ts';

export class MemoryStore implements LeaseStore {
  readonly location = '(memory)';
  constructor(private book: Book = EMPTY_BOOK) {}

  async read(): Promise<Book> {
    return this.book;
  }

  async update<R>(change: (book: Book) => Change<R>): Promise<R> {
    const { book, result } = change(this.book);
    if (book) this.book = { ...book, generation: this.book.generation + 1 };
    return result;
  }
}
