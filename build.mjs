// Bundles src/main.ts and its runtime packages into one CommonJS file that runs on Node 18+.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const outfile = 'dist/nebula-ipam.cjs';
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

await build({
  entryPoints: ['src/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  banner: { js: '#!/usr/bin/env node' },
  define: { NEBULA_IPAM_VERSION: JSON.stringify(version) },
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
