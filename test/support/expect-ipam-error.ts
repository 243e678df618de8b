/** Asserting on a failure the way an operator meets it: its kind (the exit code) and the values it names. */
import assert from 'node:assert/strict';
import type { ErrorKind } from '../../src/core/errors.ts';
import { IpamError } from '../../src/core/errors.ts';

/** Runs `fn`, expects an IpamError of `kind` whose message names every one of `mentions`; returns the message. */
export function expectIpamError(fn: () => unknown, kind: ErrorKind, mentions: readonly string[] = []): string {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof IpamError,
    `expected an IpamError of kind ${kind}, got ${caught === undefined ? 'success' : String(caught)}`,
  );
  assert.equal(caught.kind, kind, `kind of: ${caught.message}`);
  assert.doesNotMatch(caught.message, /[\r\n]/, 'one line');
  for (const text of mentions)
    assert.ok(caught.message.includes(text), `the message names ${JSON.stringify(text)}: ${caught.message}`);
  return caught.message;
}

/** expectIpamError for a promise: it must reject with an IpamError of `kind` naming every one of `mentions`. */
export async function expectIpamRejection(
  promise: Promise<unknown>,
  kind: ErrorKind,
  mentions: readonly string[] = [],
): Promise<string> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  return expectIpamError(
    () => {
      if (caught !== undefined) throw caught;
    },
    kind,
    mentions,
  );
}
