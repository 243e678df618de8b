/**
 * The file book's history: `<book>.prev`, the generation every write keeps beside the book
 * (beside the real file when the book's path is a symlink), and bringing it back. It works when
 * the book itself no longer decodes or is too big to be one (that is when it is needed most), so
 * it reads raw text and does not go through `FileStore.update`. The write is a normal atomic
 * write under the lock, so the book it replaces becomes the new `.prev`: restoring twice swaps
 * back.
 */
import { EMPTY_BOOK, type Book } from '../../core/book/book.ts';
import { checkWritable } from '../encoding/book-format.ts';
import { decodeBook, encodeBook } from '../encoding/codec.ts';
import { rangeIdFloor } from '../encoding/range-id-floor.ts';
import { IpamError } from '../../core/errors.ts';
import { landedBefore, writeAtomically } from './atomic-write.ts';
import { acquireLock, type LockWait } from './lock.ts';
import { readBook } from './read-book.ts';
import type { Generations } from '../store.ts';
import { ioReason } from '../../access/denied.ts';

/** `location`, here and below: the book's real path (book-path.ts), which FileStore resolves once. */
function previousPath(location: string): string {
  return `${location}.prev`;
}

export function readGenerations(location: string): Generations {
  let currentText: string | undefined;
  let tooBig: IpamError | undefined;
  try {
    currentText = readText(location, 'the lease book');
  } catch (error) {
    // Too big to be a book: restoring is the way out. Anything else (unreadable, a FIFO) is not.
    if (!(error instanceof IpamError) || error.kind !== 'store-corrupt') throw error;
    tooBig = error;
  }
  const previousText = readText(previousPath(location), 'the previous generation');
  if (previousText === undefined) {
    throw new IpamError(
      'not-found',
      `Cannot restore ${location}: there is no previous generation (${previousPath(location)}); one is kept from the second write on`,
    );
  }
  let current: Generations['current'];
  try {
    if (tooBig !== undefined) throw tooBig;
    current = { book: currentText === undefined ? EMPTY_BOOK : decodeBook(currentText, location) };
  } catch (error) {
    current = { error: reasonOf(error) };
  }
  let previous: Book;
  try {
    previous = decodeBook(previousText, previousPath(location));
  } catch (error) {
    throw new IpamError(
      'store-corrupt',
      `Cannot restore ${location}: the previous generation ${previousPath(location)} does not decode either (${reasonOf(error)})`,
    );
  }
  // Both texts as read (or why the book was too big to read): "still as shown" when neither changed.
  return { current, previous, token: JSON.stringify([currentText ?? tooBig?.message ?? null, previousText]) };
}

/**
 * Writes `book` (made from the previous generation) as the newest one, its generation number
 * above both so the counter never goes back, provided the book is still what the operator was
 * shown. `checkDirectory` throws when the book's directory is no longer the one the book was
 * found in (`book-directory.ts`): run once the lock is taken and before the write.
 */
export async function restorePrevious(
  location: string,
  lockTimeoutMs: number,
  shown: Generations,
  book: Book,
  checkDirectory: () => void,
  waits: Required<Pick<LockWait, 'onWait' | 'whenTaken'>>,
): Promise<Book> {
  const lock = await acquireLock(location, lockTimeoutMs, {
    onWait: waits.onWait,
    whenTaken: () => {
      checkDirectory();
      waits.whenTaken();
    },
  });
  try {
    const now = readGenerations(location);
    if (now.token !== shown.token) {
      throw new IpamError(
        'store-locked',
        `Cannot restore ${location}: it changed since it was read (another process wrote it); nothing was restored, run the command again`,
      );
    }
    // A book a newer release wrote is not overwritten by this one, not even with an older generation.
    if ('book' in now.current) checkWritable(now.current.book, location);
    const currentGeneration = 'book' in now.current ? now.current.book.generation : 0;
    // A book that no longer decodes still names the range ids it handed out: never again (restored-book.ts).
    const unreadable = 'book' in now.current ? undefined : salvagedText(location);
    const nextRangeId = Math.max(book.nextRangeId, unreadable === undefined ? 0 : rangeIdFloor(unreadable));
    const restored: Book = {
      ...book,
      nextRangeId,
      generation: Math.max(currentGeneration, now.previous.generation) + 1,
    };
    checkDirectory();
    try {
      writeAtomically(location, encodeBook(restored, location), {
        onStep: (step) => {
          if (step !== 'previous-kept') return;
          if (lock.compromised())
            throw new IpamError(
              'store-locked',
              `Cannot restore ${location}: the lock was lost; nothing was restored, run the command again`,
            );
          checkDirectory();
        },
      });
    } catch (error) {
      if (error instanceof IpamError) throw error;
      const outcome = landedBefore(error)
        ? 'the previous generation is back but may not survive a power cut'
        : 'the book is unchanged';
      throw new IpamError(
        'store-io',
        `Cannot write the lease book ${location}: ${ioReason(error, location)}; ${outcome}`,
      );
    }
    return restored;
  } finally {
    await lock.release();
  }
}

/** What is wrong with a book that does not decode, without the codec's advice to restore. */
function reasonOf(error: unknown): string {
  if (error instanceof IpamError && error.facts.reason !== undefined) return error.facts.reason;
  throw error;
}

/** The text of a book that does not decode, when it can be read at all (not when too big). */
function salvagedText(location: string): string | undefined {
  try {
    return readText(location, 'the lease book');
  } catch {
    return undefined;
  }
}

function readText(file: string, what: string): string | undefined {
  return readBook(file, what)?.bytes.toString('utf8');
}
