/**
 * `verify` and `status` on what oned will meet (issue 15 item 5): the store's files opened as
 * the driver's user (doctor/pick-driver-user.ts, the store's checkAccess), as verify findings.
 */
import type { AccessCheck } from '../store/store.ts';
import type { AccessFinding } from '../core/verify/access-finding.ts';
import type { CliContext } from './context.ts';
import { driverUser, runningUser } from '../doctor/pick-driver-user.ts';

export interface BookAccess {
  /** Undefined for a backend with nothing on this machine's disk (etcd). */
  readonly check?: AccessCheck;
  readonly findings: readonly AccessFinding[];
  /** False when no driver user is known here and the running user was checked instead. */
  readonly asDriver: boolean;
}

export function bookAccess(context: CliContext, asUser?: string): BookAccess {
  const store = context.store();
  if (!store.checkAccess) return { findings: [], asDriver: false };
  const user = driverUser(context.env, context.driver, asUser);
  const check = store.checkAccess(user ?? runningUser());
  return {
    check,
    asDriver: user !== undefined,
    findings: check.problems.map((problem) => ({ kind: 'book-access', ...problem })),
  };
}

/** "oned's user uid 9869 (oneadmin)", or "uid 0 (root), the user running verify" when none is known. */
export function checkedUser(access: BookAccess): string {
  return access.asDriver ? `oned's user ${access.check?.user}` : `${access.check?.user}, the user running verify,`;
}

/** The line saying the check could not be made, or undefined when it was. */
export function uncheckedNote(access: BookAccess): string | undefined {
  return access.check && !access.check.checked
    ? `Not checked whether oned's user ${access.check.user} can use the lease book: run verify as root or as that user.`
    : undefined;
}
