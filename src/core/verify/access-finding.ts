/**
 * oned's user cannot use a file of the lease book (issue 15 item 5): what the probe
 * (store/file/access-check.ts, as that user) met, as a verify finding with its fix. Apart from the
 * book's invariants (verify-finding.ts), which are judged on the book's content.
 */
import type { FindingRow } from './describe-verify-finding.ts';

/** One thing oned's user could not do, with what to run to let it. */
export interface AccessProblem {
  readonly path: string;
  /** "the lease book", "the lease book's directory", "the lock", "the audit log", "a directory above the lease book". */
  readonly what: string;
  /** "uid 9869 (oneadmin)". */
  readonly user: string;
  readonly needs: 'read' | 'write' | 'enter';
  /** What the kernel said: "permission denied", "read-only file system". */
  readonly reason: string;
  /** "uid 0 (root), group 0 (root), mode 0600". */
  readonly owner: string;
  /** A shell command (or what to do) that lets the user. */
  readonly fix: string;
}

export type AccessFinding = { readonly kind: 'book-access' } & AccessProblem;

export function describeAccessFinding(f: AccessFinding): FindingRow {
  return {
    problem: `oned cannot ${f.needs} ${f.what}`,
    range: '-',
    detail: `${f.user} cannot ${f.needs} ${f.path} (${f.reason}; ${f.owner}); fix: ${f.fix}`,
  };
}

/** The one line `status` warns with. */
export function accessWarning(f: AccessProblem): string {
  return `Warning: oned's user ${f.user} cannot ${f.needs} ${f.what} ${f.path} (${f.reason}; ${f.owner}); fix: ${f.fix} (nebula-ipam verify lists all)`;
}
