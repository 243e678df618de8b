// Bundles the program and its runtime packages into one CommonJS file that runs on Node 18+.
//
// Layout: a shebang, a small start-up part (src/boot/start.ts), then two block comments holding
// the program built twice from src/main.ts: the driver half (the five actions) and the CLI half.
// start.ts reads the half it needs, compiles it with V8's code cache and runs it; see start.ts
// for why, docs/performance.md for what it buys.
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';

const outfile = 'dist/nebula-ipam.cjs';
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

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
const text = async (options) => (await build({ ...common, ...options })).outputFiles[0].text;

/** One half: the wrapper Node puts around a CommonJS module, which start.ts calls with its own five values. */
async function half(part) {
  const program = await text({ entryPoints: ['src/main.ts'], define: { NEBULA_IPAM_VERSION: JSON.stringify(version), NEBULA_IPAM_PART: JSON.stringify(part) } });
  let wrapped = `(function (exports, require, module, __filename, __dirname) {${program}\n})`;
  // Unminified, esbuild keeps some comments, where it leaves non-ASCII text as it is.
  if (!common.minify) wrapped = wrapped.replace(/[^\x00-\x7f]/g, '?');
  if (!/^[\x00-\x7f]*$/.test(wrapped)) throw new Error(`build: the ${part} half is not ASCII`);
  return wrapped;
}
const halves = { driver: await half('driver'), cli: await half('cli') };

const helper = await text({ entryPoints: ['src/boot/program-comment.ts'], format: 'esm', minify: false });
const { hideInComment, programFrom } = await import(`data:text/javascript,${encodeURIComponent(helper)}`);

// Offsets are only known once the file is laid out: a placeholder of fixed width goes in first.
const PLACEHOLDER = Array(6).fill('0'.repeat(10)).join(':');
const start = await text({
  entryPoints: ['src/boot/start.ts'],
  define: {
    NEBULA_IPAM_BUILD: JSON.stringify(createHash('sha256').update(halves.driver).update(halves.cli).digest('hex').slice(0, 16)),
    NEBULA_IPAM_LAYOUT: JSON.stringify(PLACEHOLDER),
  },
});
let bundle = `#!/usr/bin/env node\n${start}`;
const layout = [];
for (const wrapped of [halves.driver, halves.cli]) {
  bundle += '\n';
  const at = bundle.length;
  bundle += hideInComment(wrapped);
  // The body lies between "/*" and "*/".
  layout.push(at + 2, bundle.length - 2, bundle.slice(0, at).split('\n').length - 1);
}
bundle += '\n';
if (bundle.split(PLACEHOLDER).length !== 2) throw new Error('build: the layout placeholder is not in the start-up part exactly once');
bundle = bundle.replace(PLACEHOLDER, layout.map((n) => String(n).padStart(10, '0')).join(':'));
for (const [i, wrapped] of [halves.driver, halves.cli].entries()) {
  if (programFrom(bundle.slice(layout[i * 3], layout[i * 3 + 1])) !== wrapped) throw new Error('build: a half does not read back from its comment');
}
writeFileSync(outfile, bundle);
chmodSync(outfile, 0o755);
