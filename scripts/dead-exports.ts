/**
 * Exports of src/ that no other file imports (knip's "unused exports", without the package):
 * read from the source text of src/, test/, bench/, scripts/ and build.mjs. An export used only
 * in its own file should not be exported; one used nowhere should not exist.
 * `test/unit/project/dead-exports.test.ts` fails on any; run this to list them:
 *
 *   node --import tsx scripts/dead-exports.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOTS = ['src', 'test', 'bench', 'scripts', 'build.mjs'];
const ALL = '*';

/**
 * The values a module exports itself (a re-export `export { x } from` counts as a use of x
 * there). Types are left out: they cost nothing at run time, and an exported function's
 * parameter types are its callers' to name.
 */
export function exportsOf(source: string): string[] {
  const code = withoutComments(source);
  const names = [
    ...code.matchAll(
      /^export\s+(?:declare\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|const|let|var|class|enum)\s+([A-Za-z_$][\w$]*)/gm,
    ),
  ].map((m) => m[1]!);
  for (const m of code.matchAll(/^export\s+\{([^}]*)\}(?!\s*from)/gm)) names.push(...listed(m[1]!, 'as'));
  if (/^export\s+default\b/m.test(code)) names.push('default');
  return names;
}

/** What each import, re-export or dynamic import in `source` takes: specifier -> names (or all). */
export function importsOf(source: string): [string, string[]][] {
  const code = withoutComments(source);
  const found: [string, string[]][] = [];
  for (const m of code.matchAll(/\bimport\s+(?:type\s+)?([\w$]+\s*,\s*)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g))
    found.push([m[3]!, [...listed(m[2]!, 'name'), ...(m[1] ? ['default'] : [])]]);
  for (const m of code.matchAll(/\bimport\s+(?:type\s+)?[\w$]+\s*from\s*['"]([^'"]+)['"]/g))
    found.push([m[1]!, ['default']]);
  for (const m of code.matchAll(/\bimport\s+(?:type\s+)?(?:[\w$]+\s*,\s*)?\*\s*as\s+[\w$]+\s*from\s*['"]([^'"]+)['"]/g))
    found.push([m[1]!, [ALL]]);
  for (const m of code.matchAll(/\bexport\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g))
    found.push([m[2]!, listed(m[1]!, 'name')]);
  for (const m of code.matchAll(/\bexport\s*\*\s*(?:as\s+[\w$]+\s*)?from\s*['"]([^'"]+)['"]/g))
    found.push([m[1]!, [ALL]]);
  for (const m of code.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push([m[1]!, [ALL]]);
  return found;
}

/** `a, b as c, type d`: the imported names (`name`) or the exported ones (`as`). */
function listed(list: string, side: 'name' | 'as'): string[] {
  return list
    .split(',')
    .map((item) => item.trim().replace(/^type\s+/, ''))
    .filter(Boolean)
    .map((item) => {
      const [name, alias] = item.split(/\s+as\s+/);
      return (side === 'as' ? (alias ?? name) : name)!.trim();
    });
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

function filesUnder(entry: string): string[] {
  if (!fs.existsSync(entry)) return [];
  if (!fs.statSync(entry).isDirectory()) return [entry];
  return fs
    .readdirSync(entry, { withFileTypes: true })
    .flatMap((e) => (e.name === 'node_modules' || e.name === 'fixtures' ? [] : filesUnder(path.join(entry, e.name))))
    .filter((f) => /\.(ts|mjs)$/.test(f));
}

/** `src/x.ts: name` for every export of src/ no other file imports, sorted. */
export function deadExports(root: string): string[] {
  const files = ROOTS.flatMap((r) => filesUnder(path.join(root, r)));
  const used = new Map<string, Set<string>>();
  const use = (file: string, names: readonly string[]) => {
    const set = used.get(file) ?? new Set<string>();
    for (const name of names) set.add(name);
    used.set(file, set);
  };
  for (const file of files) {
    const source = fs.readFileSync(file, 'utf8');
    for (const [spec, names] of importsOf(source)) {
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), spec);
      if (target !== path.resolve(file)) use(target, names);
    }
    // Entry points named as paths (build.mjs, benchmarks bundling a module): every export is theirs to use.
    if (!file.startsWith(path.join(root, 'src')))
      for (const m of source.matchAll(/['"`/](?:\.\/)?(src\/[\w./-]+\.ts)\b/g)) use(path.resolve(root, m[1]!), [ALL]);
  }
  const dead: string[] = [];
  for (const file of files.filter((f) => f.startsWith(path.join(root, 'src') + path.sep))) {
    const names = used.get(path.resolve(file)) ?? new Set<string>();
    if (names.has(ALL)) continue;
    for (const name of exportsOf(fs.readFileSync(file, 'utf8')))
      if (!names.has(name)) dead.push(`${path.relative(root, file)}: ${name}`);
  }
  return dead.sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dead = deadExports(process.cwd());
  for (const line of dead) console.log(line);
  process.exitCode = dead.length ? 1 : 0;
}
