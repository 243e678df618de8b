/**
 * The failures an operator or oned can meet. Each carries the kind that decides its exit code
 * (`core/exit-codes.ts`) and a message of the form "Cannot X: what is wrong, with the value".
 */
export type ErrorKind =
  | 'usage'
  | 'bad-request'
  | 'unsupported'
  | 'config'
  | 'conflict'
  | 'not-found'
  | 'exhausted'
  | 'store-locked'
  | 'store-corrupt'
  | 'store-io'
  | 'interrupted'
  | 'terminated'
  | 'internal';

/**
 * What a caller may need to say the failure in its own words, so that no code parses a message:
 * the thing that was read (an attribute, a file) and what is wrong with it.
 */
export interface ErrorFacts {
  /** The attribute, key or file the failure is about. */
  readonly subject?: string;
  /** What is wrong, without the "Cannot X:" head and without advice. */
  readonly reason?: string;
}

export class IpamError extends Error {
  readonly kind: ErrorKind;
  readonly facts: ErrorFacts;
  constructor(kind: ErrorKind, message: string, facts: ErrorFacts = {}) {
    super(message);
    this.name = 'IpamError';
    this.kind = kind;
    this.facts = facts;
  }
}

/** Quotes a value taken from input for an error message, bounded so one line stays one line. */
export function shown(value: string): string {
  const flat = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  return flat;
}
