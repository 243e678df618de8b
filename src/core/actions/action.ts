/** The shape every driver action has: a pure decision over the book and oned's request. */
import type { AuditFacts } from '../../audit/audit-record.ts';
import type { Book } from '../book/book.ts';
import type { Config } from '../../config/config.ts';
import type { OnedRequest } from '../../oned/request.ts';

export interface ActionContext {
  readonly config: Config;
  /** oned's request id (argv), for the lease records; absent in the 5.x calling form. */
  readonly requestId?: string;
  /** The driver's name (its directory, i.e. the IPAM_MAD oned ran it under). */
  readonly driverName?: string;
  /** ISO time, passed in so the decision stays pure. */
  readonly now: string;
}

export interface Decision {
  /** The new book, or undefined when nothing changes (nothing is written). */
  readonly book?: Book;
  /** What goes to stdout: a template vector, or nothing. */
  readonly reply?: string;
  /**
   * What the audit log records about this change; with no book, what it records about a success
   * that deliberately changed nothing (result 'unchanged', the reason in `detail`).
   */
  readonly audit?: AuditFacts;
  /** Further audit records of the same change, one per thing it also did (written after `audit`). */
  readonly alsoAudit?: readonly AuditFacts[];
}

export type Action = (book: Book, request: OnedRequest, context: ActionContext) => Decision;

export const ACTION_NAMES = [
  'register_address_range',
  'unregister_address_range',
  'allocate_address',
  'get_address',
  'free_address',
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];
