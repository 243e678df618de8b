/**
 * oned's side of the five actions, in process: requests built byte for byte as oned builds them
 * (`driver-harness.ts`), decoded by the real `decodeRequest`, handed to the pure actions, and the
 * book carried from one call to the next as the store would carry it. For unit tests of the
 * actions and for the model check; no disk, no child process.
 */
import type { ActionName, Reply } from '../../src/core/actions/action.ts';
import type { Change } from '../../src/core/change.ts';
import { ACTIONS } from '../../src/core/actions/index.ts';
import { EMPTY_BOOK, findRange, type Book, type RangeRecord } from '../../src/core/book/book.ts';
import { NO_CONFIG, type Config } from '../../src/core/config/config.ts';
import { RANGE_ID_ATTRIBUTE } from '../../src/core/oned/ar-fields.ts';
import { decodeRequest } from '../../src/oned/request.ts';
import {
  encodeRequest,
  OnedAr,
  parseTemplateReply,
  registerXml,
  type Attrs,
  type TemplateVector,
} from './driver-harness.ts';
import { NOW } from './sample-config.ts';

export interface Registered {
  /** The reply, read with oned's grammar. */
  readonly reply: TemplateVector;
  /** The AR as oned stores it and sends it on every later action. */
  readonly ar: OnedAr;
  readonly range: RangeRecord;
}

export class InProcessOned {
  book: Book;
  config: Config;
  private requestId = 0;

  constructor(config: Config = NO_CONFIG, book: Book = EMPTY_BOOK) {
    this.config = config;
    this.book = book;
  }

  /** Runs one action on raw request XML; a decision with a book replaces the current one. */
  run(action: ActionName, xml: string): Change<Reply> {
    const request = decodeRequest(encodeRequest(xml));
    const decision = ACTIONS[action](this.book, request, {
      config: this.config,
      requestId: String(this.requestId++),
      now: NOW,
    });
    if (decision.book) this.book = { ...decision.book, generation: this.book.generation + 1 };
    return decision;
  }

  register(ar: Attrs): Registered {
    const decision = this.run('register_address_range', registerXml(ar));
    if (decision.result === undefined) throw new Error('register_address_range succeeded without a reply');
    const reply = parseTemplateReply(decision.result, 'AR');
    const stored = new OnedAr(reply.attrs);
    return { reply, ar: stored, range: this.rangeOf(stored) };
  }

  /** get_address; returns the IP and the index oned would see. */
  get(ar: OnedAr, size: number | bigint = 1): { ip: string; index: bigint; reply: TemplateVector } {
    const decision = this.run('get_address', ar.getXml(size));
    if (decision.result === undefined) throw new Error('get_address succeeded without a reply');
    const reply = parseTemplateReply(decision.result, 'ADDRESS');
    const ip = reply.attrs.get('IP')!;
    const index = ar.indexOf(ip);
    noteLeased(ar, index, size);
    return { ip, index, reply };
  }

  allocate(ar: OnedAr, index: bigint, size: number | bigint = 1): Change<Reply> {
    const decision = this.run('allocate_address', ar.allocateXml(index, size));
    noteLeased(ar, index, size);
    return decision;
  }

  free(ar: OnedAr, index: bigint): Change<Reply> {
    const decision = this.run('free_address', ar.freeXml(index));
    ar.noteFreed(index);
    return decision;
  }

  unregister(ar: OnedAr, shape: 'rmar' | 'delete' = 'rmar'): Change<Reply> {
    return this.run('unregister_address_range', ar.unregisterXml(shape));
  }

  rangeOf(ar: OnedAr): RangeRecord {
    const id = ar.attrs[RANGE_ID_ATTRIBUTE];
    const range = id === undefined ? undefined : findRange(this.book, id);
    if (!range) throw new Error(`no range ${id} in the book`);
    return range;
  }
}

/** What oned records once it accepted a lease: USED_LEASES grows by the block (huge blocks counted whole). */
function noteLeased(ar: OnedAr, index: bigint, size: number | bigint): void {
  ar.noteLeased(index, size);
}

/** Every leased index of a range, expanded (only for ranges with few leased addresses). */
export function leasedIndices(range: RangeRecord): bigint[] {
  const found: bigint[] = [];
  for (const lease of range.leases) for (let i = lease.first; i <= lease.last; i++) found.push(i);
  return found;
}
