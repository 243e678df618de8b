/**
 * What `nebula-ipam doctor` found: one finding per check, ok / warn / fail, with the subject it
 * looked at (a file, a link, an endpoint), what it saw, and the fix when there is one. Findings
 * are data: the table, the JSON and install's next steps are all made from them.
 */
import { EXIT_CODES } from '../core/exit-codes.ts';

export type FindingLevel = 'ok' | 'warn' | 'fail';

export interface Finding {
  /** Stable name of the check ("oned.ipam-mad", "book.access"), for scripts and --json. */
  readonly check: string;
  readonly level: FindingLevel;
  /** What was looked at. */
  readonly subject: string;
  /** What was seen, in one sentence. */
  readonly message: string;
  /** What to do about it (absent when ok, or when nothing can be done from here). */
  readonly fix?: string;
}

export const ok = (check: string, subject: string, message: string): Finding => ({
  check,
  level: 'ok',
  subject,
  message,
});
export const warn = (check: string, subject: string, message: string, fix?: string): Finding => ({
  check,
  level: 'warn',
  subject,
  message,
  ...(fix ? { fix } : {}),
});
export const fail = (check: string, subject: string, message: string, fix?: string): Finding => ({
  check,
  level: 'fail',
  subject,
  message,
  ...(fix ? { fix } : {}),
});

/** 0 when nothing failed (warnings are advice), 1 (findings) when something did. */
export function doctorExitCode(findings: readonly Finding[]): number {
  return findings.some((f) => f.level === 'fail') ? EXIT_CODES.findings : EXIT_CODES.ok;
}
