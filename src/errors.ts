/**
 * The failures an operator or oned can meet. Each carries the kind that decides its exit code
 * (`exit-codes.ts`) and a message of the form "Cannot X: what is wrong, with the value".
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
  | 'internal';

export class IpamError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.name = 'IpamError';
    this.kind = kind;
  }
}

/** Quotes a value taken from input for an error message, bounded so one line stays one line. */
export function shown(value: string): string {
  const flat = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  return flat;
}
