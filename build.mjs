// Bundles the program and its runtime packages into one CommonJS file that runs on Node 18+.
//
// Layout: a shebang, a small start-up part (src/boot/start.ts), then two block comments holding
// the program built twice from src/main.ts: the driver half (the five actions) and the CLI half.
// (The CLI half was once stored deflated; it bought less than it cost, docs/performance.md.)
// start.ts reads the half it needs, compiles it with V8's code cache and runs it; see start.ts
// for why, docs/performance.md for what it buys.
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

// `--test-hooks`: the bundle the crash tests and the torture suite run, with the test hooks of
// src/store/file/test-hooks.ts compiled in; the production bundle has them compiled out.
const testHooks = process.argv.includes('--test-hooks');
/**
 * `--variant=single|deflated-cli` (with `--out=FILE`): builds with one start-up device taken away
 * or put back, for scripts/startup-devices.ts to measure what it buys. single: one program for
 * every role (no split halves); deflated-cli: the CLI half stored deflated, as it once was.
 */
const variant = process.argv.find((a) => a.startsWith('--variant='))?.slice('--variant='.length);
if (variant !== undefined && variant !== 'single' && variant !== 'deflated-cli')
  throw new Error(`build: unknown --variant=${variant}`);
const outfile =
  process.argv.find((a) => a.startsWith('--out='))?.slice('--out='.length) ??
  (testHooks ? 'dist/test/nebula-ipam.cjs' : 'dist/nebula-ipam.cjs');
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  legalComments: 'none',
  // Node compiles what it runs on every start (one per action, one at a time for the whole
  // cloud): minified, that is about half the work. Error messages are strings and survive.
  // NEBULA_IPAM_BUILD_READABLE=1 keeps names and lines, for reading CPU profiles.
  minify: !process.env.NEBULA_IPAM_BUILD_READABLE,
  // ASCII only, so start.ts may read its half as latin1, the cheapest exact decoding.
  charset: 'ascii',
  logLevel: 'warning',
  write: false,
};
/**
 * `import * as fs from 'node:fs'` in CommonJS output becomes a fresh copy of the module's ~100
 * properties in every module that says it (esbuild's __toESM), each time one is first loaded:
 * one shared namespace per built-in instead.
 */
const sharedBuiltins = {
  name: 'shared-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:(fs|path|os)$/ }, (args) => ({
      path: args.path.slice('node:'.length),
      namespace: 'shared-builtin',
    }));
    b.onLoad({ filter: /.*/, namespace: 'shared-builtin' }, (args) => ({
      contents: `export * from ${JSON.stringify(args.path)};`,
      loader: 'js',
    }));
  },
};
/**
 * proper-lockfile's dependencies, as a one-shot process needs them: graceful-fs patches and
 * clones all of fs (and reads its stream getters, loading Node's stream modules) to retry EMFILE,
 * which a process holding a handful of files never meets, so proper-lockfile gets plain fs;
 * signal-exit loads node:assert for one argument check, so it gets that check alone.
 */
const leanDependencies = {
  name: 'lean-dependencies',
  setup(b) {
    b.onResolve({ filter: /^graceful-fs$/ }, () => ({ path: 'fs', external: true }));
    b.onResolve({ filter: /^assert$/ }, (args) =>
      /[\\/]signal-exit[\\/]/.test(args.importer)
        ? { path: new URL('./build/signal-exit-assert.cjs', import.meta.url).pathname }
        : undefined,
    );
  },
};
/** @param {import('esbuild').BuildOptions} options @returns {Promise<string>} */
const text = async (options) => {
  const out = (await build({ ...common, plugins: [sharedBuiltins, leanDependencies], ...options })).outputFiles?.[0];
  if (!out) throw new Error('build: esbuild wrote no output');
  return out.text;
};

// packaging/ (systemd units, logrotate, zsh completion) rides inside the bundle: the one file an
// air-gapped front-end receives installs them too (`install --system-files`).
const packagingDir = new URL('./packaging/', import.meta.url);
const packaging = JSON.stringify(
  Object.fromEntries(
    readdirSync(packagingDir)
      .sort()
      .map((name) => [name, readFileSync(new URL(name, packagingDir), 'utf8')]),
  ),
);

/** One half: the wrapper Node puts around a CommonJS module, which start.ts calls with its own five values. */
async function half(part) {
  // The single variant decides at run time (start.ts sets globalThis.NEBULA_IPAM_PART).
  const partDefine = part === 'single' ? 'globalThis.NEBULA_IPAM_PART' : JSON.stringify(part);
  const program = await text({
    entryPoints: ['src/main.ts'],
    define: {
      NEBULA_IPAM_VERSION: JSON.stringify(version),
      NEBULA_IPAM_PART: partDefine,
      NEBULA_IPAM_TEST_HOOKS: String(testHooks),
      NEBULA_IPAM_PACKAGING: packaging,
    },
  });
  if (!testHooks && program.includes('NEBULA_IPAM_TEST_'))
    throw new Error(`build: the ${part} half of the production bundle still holds a test hook`);
  let wrapped = `${WRAPPER_START}${program}${WRAPPER_END}`;
  // Unminified, esbuild keeps some comments, where it leaves non-ASCII text as it is.
  if (!common.minify) wrapped = wrapped.replace(/[^\x00-\x7f]/g, '?');
  if (!/^[\x00-\x7f]*$/.test(wrapped)) throw new Error(`build: the ${part} half is not ASCII`);
  return wrapped;
}
const helper = await text({ entryPoints: ['src/boot/program-comment.ts'], format: 'esm', minify: false });
const { hideInComment, programFrom, WRAPPER_START, WRAPPER_END } = await import(
  `data:text/javascript,${encodeURIComponent(helper)}`
);

const halves =
  variant === 'single'
    ? { driver: await half('single'), cli: '' }
    : { driver: await half('driver'), cli: await half('cli') };
const cliDeflated = variant === 'deflated-cli';

// Offsets are only known once the file is laid out: a placeholder of fixed width goes in first.
const PLACEHOLDER = Array(6).fill('0'.repeat(10)).join(':');
const start = await text({
  entryPoints: ['src/boot/start.ts'],
  define: {
    NEBULA_IPAM_BUILD: JSON.stringify(
      createHash('sha256').update(halves.driver).update(halves.cli).digest('hex').slice(0, 16),
    ),
    NEBULA_IPAM_LAYOUT: JSON.stringify(PLACEHOLDER),
    NEBULA_IPAM_CLI_DEFLATED: String(cliDeflated),
  },
});
// deflated-cli: base64 of raw deflate, which holds no "*/", a third of the CLI half's size.
const stored = {
  driver: hideInComment(halves.driver),
  cli: cliDeflated ? `/*${deflateRawSync(halves.cli, { level: 9 }).toString('base64')}*/` : hideInComment(halves.cli),
};
// The second line names the release: `install` reads it from an installed copy (without running
// it) to say which version replaces which (src/install/bundle-version.ts reads this exact form).
let bundle = `#!/usr/bin/env node\n// nebula-ipam ${version}\n${start}`;
const layout = [];
for (const part of [stored.driver, stored.cli]) {
  bundle += '\n';
  const at = bundle.length;
  bundle += part;
  // The body lies between "/*" and "*/".
  layout.push(at + 2, bundle.length - 2, bundle.slice(0, at).split('\n').length - 1);
}
bundle += '\n';
// One program for both roles: the CLI reads the driver's comment too.
if (variant === 'single') layout.splice(3, 3, layout[0], layout[1], layout[2]);
if (bundle.split(PLACEHOLDER).length !== 2)
  throw new Error('build: the layout placeholder is not in the start-up part exactly once');
bundle = bundle.replace(PLACEHOLDER, layout.map((n) => String(n).padStart(10, '0')).join(':'));
if (programFrom(bundle.slice(layout[0], layout[1])) !== halves.driver)
  throw new Error('build: the driver half does not read back from its comment');
const cliBack = cliDeflated
  ? inflateRawSync(Buffer.from(bundle.slice(layout[3], layout[4]), 'base64')).toString('latin1')
  : programFrom(bundle.slice(layout[3], layout[4]));
if (variant !== 'single' && cliBack !== halves.cli)
  throw new Error('build: the CLI half does not read back from its comment');
// Renamed into place: a process starting meanwhile reads the old file or the new one, whole.
mkdirSync(dirname(outfile), { recursive: true });
const temp = `${outfile}.${process.pid}.tmp`;
writeFileSync(temp, bundle, { mode: 0o755 });
chmodSync(temp, 0o755);
renameSync(temp, outfile);
