/**
 * One seed for the randomised tests of a test file (fast-check properties, the short torture
 * runs): NEBULA_IPAM_SEED when set (CI sets one per run, .ci/run prints it), otherwise a fresh
 * one. Printed either way, so any failure can be replayed:
 *
 *   NEBULA_IPAM_SEED=<seed> node --import tsx --test test/unit/x.test.ts
 *
 * Importing this module sets the seed for every fc.assert of the file.
 */
import fc from 'fast-check';

export const SEED_VARIABLE = 'NEBULA_IPAM_SEED';

/** The seed NEBULA_IPAM_SEED names, or a fresh one; a malformed value is refused, never ignored. */
export function seedFrom(value: string | undefined, fresh: () => number): number {
  if (value === undefined || value === '') return fresh();
  const seed = Number(value);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0x7fffffff)
    throw new Error(`${SEED_VARIABLE} must be a whole number from 0 to 2147483647, not ${JSON.stringify(value)}`);
  return seed;
}

export const SEED = seedFrom(process.env[SEED_VARIABLE], () => Math.floor(Math.random() * 1_000_000));

fc.configureGlobal({ seed: SEED });
// The test runner shows a test file's own output as a comment line ("# NEBULA_IPAM_SEED=...").
process.stdout.write(
  `${SEED_VARIABLE}=${SEED} (${process.argv[1] ? process.argv[1].split('/').slice(-2).join('/') : 'tests'})\n`,
);
