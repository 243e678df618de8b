/**
 * The pure core stays pure (STYLE: no I/O, no clock anywhere under src/core/): no file there
 * imports a Node built-in (`node:*` or a bare built-in name) or an edge (src/store, src/driver,
 * src/cli, src/targets, src/boot, src/install), directly or through any module it imports.
 * And the storage stays behind one door (issue 17 item 2): nothing outside src/store/ imports a
 * backend's folder (file, etcd, memory, encoding), only store/'s own top-level modules.
 * Checked on the source text, so it holds for type-only imports too.
 */
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../support/driver-harness.ts';

const SRC = path.join(REPO_ROOT, 'src');
const PURE = ['core'];
const EDGES = ['store', 'driver', 'cli', 'targets', 'boot', 'install'].map((dir) => path.join(SRC, dir) + path.sep);
const BUILTINS = new Set(builtinModules);

/** Every module specifier a file names: static and dynamic imports, re-exports, require. */
export function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** What `file` and everything it imports from src/ name that the pure core must not. */
function violations(roots: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const queue = [...roots.map((file) => ({ file, via: [] as string[] }))];
  while (queue.length) {
    const { file, via } = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const chain = [...via, path.relative(REPO_ROOT, file)].join(' -> ');
    for (const spec of specifiers(fs.readFileSync(file, 'utf8'))) {
      if (spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0]!)) {
        problems.push(`${chain} imports ${spec}`);
      } else if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        if (EDGES.some((edge) => target.startsWith(edge)))
          problems.push(`${chain} imports ${path.relative(REPO_ROOT, target)}`);
        else if (fs.existsSync(target)) queue.push({ file: target, via: [...via, path.relative(REPO_ROOT, file)] });
      }
    }
  }
  return problems;
}

test('src/core imports no Node built-in and no edge, even indirectly', () => {
  const roots = PURE.flatMap((dir) => filesUnder(path.join(SRC, dir)));
  assert.ok(roots.length > 20, `only ${roots.length} files found under ${PURE.join(', ')}`);
  assert.deepEqual(violations(roots), []);
});

test('the sync core (src/core/sync) names no Buffer: its text is strings, its addresses bigint', () => {
  const files = filesUnder(path.join(SRC, 'core', 'sync'));
  assert.ok(files.length > 5, `only ${files.length} files under src/core/sync`);
  const found = files.filter((file) =>
    /\bBuffer\b/.test(fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')),
  );
  assert.deepEqual(
    found.map((file) => path.relative(REPO_ROOT, file)),
    [],
  );
});

test('the check sees every form of import it must refuse', () => {
  const source = [
    "import * as fs from 'node:fs';",
    "import { join } from 'path';",
    "import type { Stats } from 'node:fs';",
    "export { x } from '../store/store.ts';",
    "import '../driver/test-hooks.ts';",
    "const z = await import('node:zlib');",
    "const c = require('child_process');",
  ].join('\n');
  assert.deepEqual(
    specifiers(source).sort(),
    ['../driver/test-hooks.ts', '../store/store.ts', 'child_process', 'node:fs', 'node:fs', 'node:zlib', 'path'].sort(),
  );
  const dir = fs.mkdtempSync(path.join(REPO_ROOT, 'src', '.pure-check-'));
  try {
    const file = path.join(dir, 'planted.ts');
    fs.writeFileSync(file, source);
    const found = violations([file]);
    assert.equal(found.length, 7, found.join('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const BACKENDS = ['file', 'etcd', 'memory', 'encoding'].map((dir) => path.join(SRC, 'store', dir) + path.sep);

/** Each import of a backend folder by a file outside src/store/ (tests may import backends directly). */
function backendImports(files: readonly string[]): string[] {
  return files
    .filter((file) => !file.startsWith(path.join(SRC, 'store') + path.sep))
    .flatMap((file) =>
      specifiers(fs.readFileSync(file, 'utf8'))
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => path.resolve(path.dirname(file), spec))
        .filter((target) => BACKENDS.some((backend) => target.startsWith(backend)))
        .map((target) => `${path.relative(REPO_ROOT, file)} imports ${path.relative(REPO_ROOT, target)}`),
    );
}

test('nothing outside src/store imports a backend folder: only store/ top-level modules', () => {
  const files = filesUnder(SRC);
  assert.ok(files.length > 100, `only ${files.length} files found under src/`);
  // The engine reading the file encoding's bytes goes with issue 17 item 1 (as above).
  const known = ['src/core/engine/overlap.ts imports src/store/encoding/codec.ts'];
  assert.deepEqual(
    backendImports(files).filter((found) => !known.includes(found)),
    [],
  );
  const dir = fs.mkdtempSync(path.join(SRC, 'cli', '.door-check-'));
  try {
    const planted = path.join(dir, 'planted.ts');
    fs.writeFileSync(
      planted,
      "import { lockPath } from '../../store/file/lock.ts';\nimport type { Book } from '../../store/store.ts';\n",
    );
    assert.deepEqual(backendImports([planted]), [
      `${path.relative(REPO_ROOT, planted)} imports src/store/file/lock.ts`,
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
