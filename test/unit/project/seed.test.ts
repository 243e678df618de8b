/** Randomised tests are replayable: NEBULA_IPAM_SEED picks the seed, and a seed gives the same run. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { SEED, seedFrom } from '../../support/seed.ts';

test('NEBULA_IPAM_SEED is taken as given; unset, a fresh seed; malformed, refused', () => {
  assert.equal(
    seedFrom('4242', () => 1),
    4242,
  );
  assert.equal(
    seedFrom(undefined, () => 7),
    7,
  );
  assert.equal(
    seedFrom('', () => 7),
    7,
  );
  for (const bad of ['x', '-1', '1.5', '9999999999'])
    assert.throws(() => seedFrom(bad, () => 7), /NEBULA_IPAM_SEED must be a whole number/);
});

test('one seed, one run: the values a property sees are the same each time', () => {
  const seen = (seed: number) => fc.sample(fc.bigInt({ min: 0n, max: 1n << 64n }), { seed, numRuns: 20 });
  assert.deepEqual(seen(SEED), seen(SEED));
  assert.notDeepEqual(seen(SEED), seen(SEED + 1));
});

test('a test file prints its seed, and replays the one named in NEBULA_IPAM_SEED', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NEBULA_IPAM_SEED: '31337' };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_TEST_CONTEXT;
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      "const { SEED } = await import('./test/support/seed.ts'); const fc = (await import('fast-check')).default; console.log(SEED, JSON.stringify(fc.sample(fc.nat(), 3).length));",
    ],
    { env, encoding: 'utf8', timeout: 30_000 },
  );
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /^NEBULA_IPAM_SEED=31337 /m);
  assert.match(child.stdout, /^31337 3$/m);
});
