/**
 * Field readers for decoding a book: each checks one value and, when it is wrong, fails with the
 * path of the bad field and its value, in the one "Cannot read the lease book" message.
 */
import { IpamError } from '../../core/errors.ts';
import type { Interval } from '../../core/intervals/interval.ts';

export type Json = Record<string, unknown>;

/**
 * What to do about a damaged book is the backend's to say (where its previous generation is);
 * this is what holds for every backend. Never "copy the .prev file over it": that brings back
 * an older range-id counter, and ids would be handed out twice; `restore` keeps the counter.
 */
export const RESTORE_ADVICE = 'inspect it, or bring back the previous generation with `nebula-ipam restore`';

export function corrupt(location: string, why: string, advice: string = RESTORE_ADVICE): IpamError {
  return new IpamError(
    'store-corrupt',
    `Cannot read the lease book ${location}: ${why}. It was left untouched; ${advice}`,
    { subject: location, reason: why },
  );
}

/**
 * Reads `field` of `at` (the value being decoded, e.g. `ranges[3]`; no field: `at` itself). The
 * path is put together only for a bad value: a book of thousands of ranges reads ~20 fields each.
 */
export class Reader {
  constructor(
    private readonly location: string,
    private readonly advice: string = RESTORE_ADVICE,
  ) {}
  corrupt(why: string): IpamError {
    return corrupt(this.location, why, this.advice);
  }
  fail(at: string, value: unknown, field?: string): IpamError {
    const path = field === undefined ? at : `${at}.${field}`;
    return this.corrupt(`${path} is ${JSON.stringify(value)?.slice(0, 60)}, which is not valid there`);
  }
  object(value: unknown, at: string, field?: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.fail(at, value, field);
    return value as Json;
  }
  list(value: unknown, at: string, field?: string): unknown[] {
    if (!Array.isArray(value)) throw this.fail(at, value, field);
    return value;
  }
  count(value: unknown, at: string, field?: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw this.fail(at, value, field);
    return value;
  }
  text(value: unknown, at: string, field?: string): string {
    if (typeof value !== 'string') throw this.fail(at, value, field);
    return value;
  }
  address(value: unknown, parse: (t: string) => bigint | undefined, at: string, field?: string): bigint {
    const parsed = typeof value === 'string' ? parse(value) : undefined;
    if (parsed === undefined) throw this.fail(at, value, field);
    return parsed;
  }
  interval(value: unknown, parse: (t: string) => bigint | undefined, at: string, field: string): Interval {
    const pair = this.list(value, at, field);
    const first = this.address(pair[0], parse, `${at}.${field}[0]`);
    const last = this.address(pair[1], parse, `${at}.${field}[1]`);
    if (pair.length !== 2 || last < first) throw this.fail(at, value, field);
    return { first, last };
  }
}
