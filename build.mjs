// Bundles the program and its runtime packages into dist/nebula-ipam.cjs, one CommonJS file for
// Node 18+. Its layout, the one shipped (the test bundle differs only in its test hooks):
//
//   #!/usr/bin/env node
//   // nebula-ipam <version>
//   <the start-up part: src/boot/entry.ts, where Node starts>
//   /*<src/program.ts built for the driver: the five actions>*/
//   /*<src/program.ts built for the CLI>*/
//
// The entry reads the one comment its role needs (PARTS below), compiles it with V8's code cache
// and runs it: an action never compiles the CLI. See entry.ts for why, docs/performance.md for
// what it buys.
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

// `--test-hooks`: the bundle the crash tests and the torture suite run, with the test hooks of
// src/store/file/test-hooks.ts compiled in; the production bundle has them compiled out.
const testHooks = process.argv.includes('--test-hooks');
// `--out=FILE`: somewhere else than dist/ (scripts/startup-devices.ts builds beside its copies).
const outfile =
  process.argv.find((a) => a.startsWith('--out='))?.slice('--out='.length) ??
  (testHooks ? 'dist/test/nebula-ipam.cjs' : 'dist/nebula-ipam.cjs');
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
/** The program's parts, in the file's order: src/program.ts reads which it is from NEBULA_IPAM_PART. */
const PARTS = ['driver', 'cli'];

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
  // ASCII only, so entry.ts may read its part as latin1, the cheapest exact decoding.
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

/** One part: the wrapper Node puts around a CommonJS module, which entry.ts calls with its own five values. */
async function programPart(part) {
  const program = await text({
    entryPoints: ['src/program.ts'],
    define: {
      NEBULA_IPAM_VERSION: JSON.stringify(version),
      NEBULA_IPAM_PART: JSON.stringify(part),
      NEBULA_IPAM_TEST_HOOKS: String(testHooks),
      NEBULA_IPAM_PACKAGING: packaging,
    },
  });
  if (!testHooks && program.includes('NEBULA_IPAM_TEST_'))
    throw new Error(`build: the ${part} part of the production bundle still holds a test hook`);
  let wrapped = `${WRAPPER_START}${program}${WRAPPER_END}`;
  // Unminified, esbuild keeps some comments, where it leaves non-ASCII text as it is.
  if (!common.minify) wrapped = wrapped.replace(/[^\x00-\x7f]/g, '?');
  if (!/^[\x00-\x7f]*$/.test(wrapped)) throw new Error(`build: the ${part} part is not ASCII`);
  return wrapped;
}
const helper = await text({ entryPoints: ['src/boot/program-comment.ts'], format: 'esm', minify: false });
const { hideInComment, programFrom, WRAPPER_START, WRAPPER_END } = await import(
  `data:text/javascript,${encodeURIComponent(helper)}`
);
const programs = await Promise.all(PARTS.map(programPart));

// Offsets are only known once the file is laid out: a placeholder of fixed width goes in first.
const PLACEHOLDER = Array(3 * PARTS.length)
  .fill('0'.repeat(10))
  .join(':');
const hash = createHash('sha256');
for (const program of programs) hash.update(program);
const entry = await text({
  entryPoints: ['src/boot/entry.ts'],
  define: {
    NEBULA_IPAM_BUILD: JSON.stringify(hash.digest('hex').slice(0, 16)),
    NEBULA_IPAM_LAYOUT: JSON.stringify(PLACEHOLDER),
  },
});
// The second line names the release: `install` reads it from an installed copy (without running
// it) to say which version replaces which (src/install/bundle-version.ts reads this exact form).
let bundle = `#!/usr/bin/env node\n// nebula-ipam ${version}\n${entry}`;
const layout = [];
for (const program of programs) {
  bundle += '\n';
  const at = bundle.length;
  bundle += hideInComment(program);
  // The body lies between "/*" and "*/".
  layout.push(at + 2, bundle.length - 2, bundle.slice(0, at).split('\n').length - 1);
}
bundle += '\n';
if (bundle.split(PLACEHOLDER).length !== 2)
  throw new Error('build: the layout placeholder is not in the start-up part exactly once');
bundle = bundle.replace(PLACEHOLDER, layout.map((n) => String(n).padStart(10, '0')).join(':'));
programs.forEach((program, i) => {
  if (programFrom(bundle.slice(layout[3 * i], layout[3 * i + 1])) !== program)
    throw new Error(`build: the ${PARTS[i]} part does not read back from its comment`);
});
// Renamed into place: a process starting meanwhile reads the old file or the new one, whole.
mkdirSync(dirname(outfile), { recursive: true });
const temp = `${outfile}.${process.pid}.tmp`;
writeFileSync(temp, bundle, { mode: 0o755 });
chmodSync(temp, 0o755);
renameSync(temp, outfile);
