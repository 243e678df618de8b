// Runs test files by group with node:test and the TAP reporter (CI sums its "# pass N" lines).
// node:test is given explicit file names: Node 18 and 20 take no glob, and a directory or a
// quoted pattern runs zero tests and still exits 0.
//
//   node scripts/run-tests.mjs unit|e2e|torture|all [more node --test flags]
//
// unit: test/unit/**, e2e: test/e2e/** except the torture tests, torture: test/e2e/torture/**.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const GROUPS = {
  unit: (file) => file.startsWith('test/unit/'),
  e2e: (file) => file.startsWith('test/e2e/') && !file.startsWith('test/e2e/torture/'),
  torture: (file) => file.startsWith('test/e2e/torture/'),
  all: (file) => file.startsWith('test/unit/') || file.startsWith('test/e2e/'),
};

/** @param {string} dir @returns {string[]} */
function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.ts') ? [relative('.', full)] : [];
  });
}

const [group = 'all', ...flags] = process.argv.slice(2);
const wanted = GROUPS[group];
if (!wanted) {
  console.error(`run-tests: unknown group ${JSON.stringify(group)}; use one of ${Object.keys(GROUPS).join(', ')}`);
  process.exit(2);
}
const files = [...testFiles('test/unit'), ...testFiles('test/e2e')].filter(wanted).sort();
if (files.length === 0) {
  console.error(`run-tests: no test file in group ${group}`);
  process.exit(1);
}
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...flags, ...files], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
