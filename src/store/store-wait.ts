/**
 * What an update waits for, as its store reports it (`UpdateOptions.onWait`), and how to say it:
 * the file store waits for its lock's holder, etcd retries after other writers' changes. The
 * caller decides whether to say anything (cli/lock-notice.ts: on a terminal, after a second).
 */

/** Who holds a lock, as its owner record says (store/file/lock-owner.ts). */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** `get_address 17`, `nebula-ipam lease --pool private`; absent in records of older releases. */
  readonly command?: string;
  /** The holder's user name (or uid, when it has none here). */
  readonly user?: string;
}

export type StoreWait =
  | {
      readonly for: 'lock';
      /** Where the lock is, for messages. */
      readonly lock: string;
      readonly holder?: LockHolder;
      /** Since when it is held (ISO time), when known. */
      readonly since?: string;
    }
  /** `retries` changes of other writers met so far; the change runs again. */
  | { readonly for: 'conflict'; readonly retries: number }
  /** The wait is over: the lock is taken, or the write landed. */
  | { readonly for: 'nothing' };

/** `process 1234 on host-a (get_address 17, user oneadmin)`. */
export function describeHolder(holder: LockHolder): string {
  const about = [holder.command, holder.user === undefined ? undefined : `user ${holder.user}`].filter(Boolean);
  return `process ${holder.pid} on ${holder.host}${about.length ? ` (${about.join(', ')})` : ''}`;
}

/** One line for the operator; `timeoutMs`: how long the store waits in all. */
export function describeWait(wait: StoreWait, timeoutMs: number): string {
  const giveUp = `giving up after ${timeoutMs / 1000} s...`;
  if (wait.for === 'conflict')
    return `Waiting for the lease book: other writers changed it ${wait.retries} time${wait.retries === 1 ? '' : 's'} meanwhile, trying again; ${giveUp}`;
  if (wait.for === 'nothing') return '';
  const holder = wait.holder ? describeHolder(wait.holder) : 'another process';
  return `Waiting for the lease book's lock, held by ${holder}${wait.since ? ` since ${wait.since}` : ''} (${wait.lock}); ${giveUp}`;
}
