/**
 * The oned contract lives in the repository (docs/oned-contract.md): code and tests cite it, never
 * a file outside the repository, and every section they cite exists.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../support/driver-harness.ts';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'runtimes' ? [] : sources(full);
    return /\.(ts|mjs|md)$/.test(entry.name) ? [full] : [];
  });
}

const FILES = ['src', 'test', 'scripts', 'bench', 'docs']
  .flatMap((dir) => sources(path.join(REPO_ROOT, dir)))
  .concat(path.join(REPO_ROOT, 'README.md'), path.join(REPO_ROOT, 'build.mjs'));
const CONTRACT = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'oned-contract.md'), 'utf8');
const SECTIONS = new Set([...CONTRACT.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]!));

test('nothing cites the contract outside the repository', () => {
  const outside = FILES.filter(
    (file) =>
      file !== path.join(REPO_ROOT, 'test', 'unit', 'contract-citations.test.ts') &&
      /PROTOCOL\.md/.test(fs.readFileSync(file, 'utf8')),
  );
  assert.deepEqual(
    outside.map((f) => path.relative(REPO_ROOT, f)),
    [],
  );
});

test('every section of docs/oned-contract.md that is cited exists', () => {
  assert.ok(SECTIONS.has('1') && SECTIONS.has('2.3') && SECTIONS.has('6'), [...SECTIONS].join(' '));
  const missing: string[] = [];
  let cited = 0;
  for (const file of FILES) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(/oned-contract\.md,? (\d+(?:\.\d+)?)/g)) {
      cited++;
      if (!SECTIONS.has(match[1]!)) missing.push(`${path.relative(REPO_ROOT, file)}: ${match[0]}`);
    }
  }
  assert.ok(cited > 20, `only ${cited} citations found`);
  assert.deepEqual(missing, []);
});
