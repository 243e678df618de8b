/**
 * The pure core stays pure (STYLE: no I/O, no clock anywhere under src/core/): no file there
 * imports a Node built-in (`node:*` or a bare built-in name) or an edge (src/store, src/driver,
 * src/cli, src/targets, src/boot, src/install), directly or through any module it imports.
 * And the storage stays behind one door (issue 17 item 2): nothing outside src/store/ imports a
 * backend's folder (file, etcd, memory, encoding), only store/'s own top-level modules.
 * The core also names no host global (Buffer, process, timers, the clock): see HOST_GLOBALS.
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

/** Code without its comments, so a comment may still explain why a global is not used. */
function code(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
}

/**
 * The globals that would let the core reach the host without an import: bytes (`Buffer`), the
 * process, timers, and the clock (`Date.now()`, `new Date()` without an argument). The core takes
 * the time it needs as an argument (`now`, `documentTime`); `new Date(given)` and `Date.parse` only
 * convert it, so they stay allowed.
 */
const HOST_GLOBALS: readonly [string, RegExp][] = [
  ['Buffer', /\bBuffer\b/],
  ['process', /(?<![.\w])process\b/],
  ['a timer', /\b(?:setTimeout|setInterval|setImmediate|queueMicrotask)\b/],
  ['Date.now()', /\bDate\.now\b/],
  ['new Date() without an argument', /\bnew\s+Date\s*\(\s*\)/],
  ['performance', /\bperformance\b/],
];

function hostGlobals(files: readonly string[]): string[] {
  return files.flatMap((file) => {
    const text = code(fs.readFileSync(file, 'utf8'));
    return HOST_GLOBALS.filter(([, pattern]) => pattern.test(text)).map(
      ([name]) => `${path.relative(REPO_ROOT, file)} uses ${name}`,
    );
  });
}

test('src/core names no host global: no Buffer, process, timer or clock reading (its text is strings, its time passed in)', () => {
  const files = PURE.flatMap((dir) => filesUnder(path.join(SRC, dir)));
  assert.ok(files.length > 20, `only ${files.length} files found under ${PURE.join(', ')}`);
  assert.deepEqual(hostGlobals(files), []);
  const dir = fs.mkdtempSync(path.join(SRC, 'core', '.globals-check-'));
  try {
    const planted = path.join(dir, 'planted.ts');
    const uses = [
      'const b = Buffer.from("x");',
      'const e = process.env;',
      'setTimeout(() => {}, 1);',
      'const t = Date.now();',
      'const d = new Date();',
      'const p = performance.now();',
    ];
    const allowed = [
      '// Buffer, process.env and Date.now() are named in a comment only',
      'new Date(now); Date.parse(s);',
    ];
    fs.writeFileSync(planted, [...allowed, ...uses].join('\n'));
    assert.deepEqual(hostGlobals([planted]), [
      ...HOST_GLOBALS.map(([name]) => `${path.relative(REPO_ROOT, planted)} uses ${name}`),
    ]);
    fs.writeFileSync(planted, allowed.join('\n'));
    assert.deepEqual(hostGlobals([planted]), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
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
  assert.deepEqual(backendImports(files), []);
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

/**
 * The part of src/ a reader takes a module for: each top-level folder of src/ (cli, config, driver,
 * oned, …), except that the core's sub-folders are parts of their own (core/engine, core/actions,
 * …; the files directly in src/core/ are "core"), since each is one idea a reader learns apart,
 * and that all of src/store/ is one part, "store": its backends sit behind one door
 * (store/store.ts) and may lean on each other. A file directly in src/ is a part by itself.
 */
export function partOf(file: string): string {
  const [top, second, third] = path.relative(SRC, file).split(path.sep) as [string, string?, string?];
  if (second === undefined) return top;
  if (top === 'core' && third !== undefined) return `core/${second}`;
  return top;
}

/** part -> part -> the imports that make that edge, for every relative import between parts. */
function partGraph(files: readonly string[]): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of files) {
    for (const spec of specifiers(fs.readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), spec);
      const [from, to] = [partOf(file), partOf(target)];
      if (from === to) continue;
      const edges = graph.get(from) ?? graph.set(from, new Map()).get(from)!;
      const why = edges.get(to) ?? edges.set(to, []).get(to)!;
      why.push(`${path.relative(SRC, file)} -> ${path.relative(SRC, target)}`);
    }
  }
  return graph;
}

/** The parts that reach each other (strongly connected components of more than one part), sorted. */
export function folderCycles(files: readonly string[]): string[][] {
  const graph = partGraph(files);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (part: string): void => {
    index.set(part, index.size);
    low.set(part, index.get(part)!);
    stack.push(part);
    for (const next of graph.get(part)?.keys() ?? []) {
      if (!index.has(next)) visit(next);
      if (stack.includes(next)) low.set(part, Math.min(low.get(part)!, low.get(next)!));
    }
    if (low.get(part) !== index.get(part)) return;
    const component = stack.splice(stack.indexOf(part));
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const part of [...graph.keys()].sort()) if (!index.has(part)) visit(part);
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** Each import between two parts of one cycle: what a reader must move to break it. */
function cycleEdges(files: readonly string[], cycle: readonly string[]): string[] {
  const graph = partGraph(files);
  return cycle.flatMap((from) =>
    [...(graph.get(from) ?? [])].filter(([to]) => cycle.includes(to)).map(([to, why]) => `${from} -> ${to}: ${why[0]}`),
  );
}

test('no folder-level import cycle among the parts of src/', () => {
  const files = filesUnder(SRC);
  // The config model (core/config/), oned's attribute readers (core/oned/) and DNS names
  // (core/dns/) live in the core, so the core never imports config/ or oned/ back (issue 17 item 6).
  const found = folderCycles(files);
  assert.deepEqual(found, [], found.map((cycle) => cycleEdges(files, cycle).join('\n')).join('\n\n'));
  const dir = fs.mkdtempSync(path.join(SRC, 'install', '.cycle-check-'));
  try {
    const planted = path.join(dir, 'planted.ts');
    fs.writeFileSync(planted, "import { commandTable } from '../../cli/command-table.ts';\n");
    const withPlanted = folderCycles([...files, planted]);
    assert.ok(
      withPlanted.some((cycle) => cycle.includes('cli') && cycle.includes('install')),
      `install/ importing cli/ (which imports install/) is not seen as a cycle: ${JSON.stringify(withPlanted)}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
