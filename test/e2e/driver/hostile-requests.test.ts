/**
 * Every hostile input of test/corpus (issue 4 item 4) through the built bundle: each must be
 * refused with its documented exit code, exactly one line on stderr, nothing on stdout, the book
 * byte-identical and no file written anywhere but the audit log.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { READ_TIMEOUT_MS } from '../../../src/driver/read-request.ts';
import { childEnv, createSandbox } from '../../support/driver-harness.ts';
import { buildSeedBook, inParallel, loadCorpus, runCase } from '../../torture/corpus.ts';

/**
 * A request whose stdin is never closed: the driver must give up on its own (one_ipam runs
 * actions one at a time, so a driver waiting forever would stall the whole cloud's IPAM).
 */
async function neverClosedStdin(): Promise<{ code: number | null; stderr: string; ms: number }> {
  const sandbox = createSandbox({ config: {} });
  const child = spawn(path.join(sandbox.driverDir, 'get_address'), ['1'], {
    env: childEnv('default', { NEBULA_IPAM_STORE: sandbox.bookPath, NEBULA_IPAM_CONFIG: sandbox.configPath }),
  });
  child.stdin.write('PElQQU1f');
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const started = Date.now();
  const guard = setTimeout(() => child.kill('SIGKILL'), READ_TIMEOUT_MS + 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(guard);
  sandbox.cleanup();
  return { code, stderr, ms: Date.now() - started };
}

const hanging = neverClosedStdin();
const corpus = loadCorpus();
const seed = buildSeedBook();
const problems = await inParallel(corpus, 4, (c) => runCase(seed, c));

test('stdin that is never closed: the driver gives up by itself with one clear line, exit 3', async () => {
  const { code, stderr, ms } = await hanging;
  assert.equal(code, 3, stderr);
  assert.match(stderr, /^Cannot read the request: standard input was not closed within [0-9]+ s[^\n]*\n$/);
  assert.ok(ms < READ_TIMEOUT_MS + 10_000, `took ${ms} ms`);
});

test('the corpus holds at least 60 hostile inputs, each with a one-line description', () => {
  assert.ok(corpus.length >= 60, `only ${corpus.length} cases`);
  for (const c of corpus) assert.match(c.description, /^\S.{5,}$/, c.name);
  const covered = new Set(corpus.map((c) => c.name.split('/')[0]));
  for (const group of ['transport', 'xml', 'register', 'get', 'allocate', 'free', 'config'])
    assert.ok(covered.has(group), group);
});

corpus.forEach((c, i) => {
  test(`refused cleanly: ${c.name}: ${c.description}`, () => {
    assert.deepEqual(problems[i], []);
  });
});
