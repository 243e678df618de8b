/**
 * The one boundary between the pure engine and the place the book lives. `update` runs a pure
 * change against the current book with nobody else in between (a lock today, a compare-and-swap
 * on a generation in a distributed backend), so "find a free address" and "take it" are one step.
 */
import type { Book } from '../book/book.ts';

export interface Change<R> {
  /** The new book, or undefined to leave the stored one as it is. */
  readonly book?: Book;
  readonly result: R;
}

export interface LeaseStore {
  /** Where the book lives, for messages. */
  readonly location: string;
  /** A consistent snapshot; may be stale by the time it is used. */
  read(): Promise<Book>;
  /** Runs `change` on the current book and stores its result; the generation is bumped here. */
  update<R>(change: (book: Book) => Change<R>): Promise<R>;
}
