/** The shape every driver action has: a pure change of the book for oned's request. */
import type { Change } from '../change.ts';
import type { Book } from '../book/book.ts';
import type { Config } from '../config/config.ts';
import type { OnedRequest } from '../oned/attributes.ts';

export interface ActionContext {
  readonly config: Config;
  /** oned's request id (argv), for the lease records; absent in the 5.x calling form. */
  readonly requestId?: string;
  /** The driver's name (its directory, i.e. the IPAM_MAD oned ran it under). */
  readonly driverName?: string;
  /** ISO time, passed in so the decision stays pure. */
  readonly now: string;
}

/** What goes to stdout, as the change's result: a template vector, or nothing. */
export type Reply = string | undefined;

export type Action = (book: Book, request: OnedRequest, context: ActionContext) => Change<Reply>;

export const ACTION_NAMES = [
  'register_address_range',
  'unregister_address_range',
  'allocate_address',
  'get_address',
  'free_address',
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];
