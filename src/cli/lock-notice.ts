/**
 * A command waiting for the book (oned or another operator holds its lock, other front-ends keep
 * changing it) used to look hung for the whole lock timeout. On a terminal it now says, after
 * about a second of waiting, what the store reports it waits for (store/store-wait.ts): the
 * lock's holder and since when, or etcd's conflicts. Only on a terminal: scripts and oned's log
 * get no chatter.
 */
import { isatty } from 'node:tty';
import { describeWait, type StoreWait } from '../store/store-wait.ts';

const LOCK_NOTICE_AFTER_MS = 1_000;

interface WaitNotice {
  /** For the store's `UpdateOptions`: none off a terminal. */
  readonly options: { readonly onWait?: (wait: StoreWait) => void };
  /** Call once the store call has returned. */
  readonly done: () => void;
}

/** Says once what the store waits for, when it still waits a second after it began to. */
export function noticeWaits(
  stderr: (text: string) => void,
  lockTimeoutMs: number,
  onTerminal: boolean = isatty(2),
): WaitNotice {
  if (!onTerminal) return { options: {}, done: () => {} };
  let current: StoreWait | undefined;
  let timer: NodeJS.Timeout | undefined;
  let said = false;
  const onWait = (wait: StoreWait) => {
    current = wait.for === 'nothing' ? undefined : wait;
    if (!current) {
      clearTimeout(timer);
      timer = undefined;
    } else if (!said) {
      timer ??= setTimeout(() => {
        said = true;
        if (current) stderr(`${describeWait(current, lockTimeoutMs)}\n`);
      }, LOCK_NOTICE_AFTER_MS);
    }
  };
  return { options: { onWait }, done: () => clearTimeout(timer) };
}
