/**
 * The hostile-input corpus (test/corpus, format in its README): loading the case files, the seed
 * book every case runs against, and running one case through the built bundle with the checks
 * every refusal must pass: the documented exit code, exactly one line on stderr that oned will
 * show, nothing on stdout, the book byte-identical, nothing written anywhere else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  OnedAr,
  ONED_LOG_LINE,
  parseTemplateReply,
  REPO_ROOT,
  registerXml,
  type Action,
  type DriverSandbox,
} from '../support/driver-harness.ts';
import { tortureSandbox } from './sandbox.ts';
import { spawnAction } from './spawn-action.ts';

export const CORPUS_DIR = path.join(REPO_ROOT, 'test', 'corpus');
const DRIVER = 'mydrv';

export type CaseConfig =
  | { readonly kind: 'seed' }
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'inline'; readonly text: string }
  | { readonly kind: 'directory' }
  | { readonly kind: 'missing' };

export interface CorpusCase {
  /** Path below test/corpus, e.g. `xml/09-billion-laughs.case`. */
  readonly name: string;
  readonly description: string;
  readonly action: Action;
  readonly exit: number;
  readonly stdin: Buffer;
  readonly args: readonly string[];
  readonly config: CaseConfig;
  readonly env: Readonly<Record<string, string>>;
}

export function loadCorpus(dir = CORPUS_DIR): CorpusCase[] {
  const found: CorpusCase[] = [];
  for (const group of fs.readdirSync(dir).sort()) {
    const groupDir = path.join(dir, group);
    if (!fs.statSync(groupDir).isDirectory() || group === 'configs') continue;
    for (const file of fs.readdirSync(groupDir).sort()) {
      if (file.endsWith('.case'))
        found.push(parseCase(`${group}/${file}`, fs.readFileSync(path.join(groupDir, file), 'utf8')));
    }
  }
  return found;
}

export function parseCase(name: string, text: string): CorpusCase {
  const fail = (why: string): never => {
    throw new Error(`test/corpus/${name}: ${why}`);
  };
  const lines = text.split('\n');
  const description = /^# (.+)$/.exec(lines[0] ?? '')?.[1] ?? fail('the first line must be "# <description>"');
  const fields = new Map<string, string>();
  let at = 1;
  let inlineConfig: string | undefined;
  for (; at < lines.length && lines[at] !== '---'; at++) {
    const line = lines[at]!;
    if (line === '---config') {
      const end = lines.indexOf('---', at + 1);
      if (end < 0) fail('"---config" without a closing "---"');
      inlineConfig = lines.slice(at + 1, end).join('\n');
      at = end - 1;
      continue;
    }
    const field = /^([a-z]+): ?(.*)$/.exec(line) ?? fail(`not a "key: value" line: ${JSON.stringify(line)}`);
    fields.set(field[1]!, field[2]!);
  }
  if (at >= lines.length) fail('no "---" line before the body');
  const body = expandMacros(
    lines
      .slice(at + 1)
      .join('\n')
      .replace(/\n$/, ''),
  );
  const action = (fields.get('action') ?? fail('no action')) as Action;
  const exit = Number(fields.get('exit') ?? fail('no exit'));
  if (!Number.isInteger(exit) || exit <= 0) fail('exit must be a non-zero code');

  const encoding = fields.get('stdin') ?? 'xml';
  const stdin =
    encoding === 'xml' || encoding === 'b64'
      ? Buffer.from(Buffer.from(body, 'utf8').toString('base64'))
      : encoding === 'b64hex'
        ? Buffer.from(Buffer.from(body, 'hex').toString('base64'))
        : encoding === 'raw'
          ? Buffer.from(body, 'utf8')
          : encoding === 'hex'
            ? Buffer.from(body, 'hex')
            : fail(`unknown stdin encoding ${encoding}`);

  const configField = fields.get('config');
  const config: CaseConfig =
    configField === undefined
      ? { kind: 'seed' }
      : configField === 'inline'
        ? { kind: 'inline', text: inlineConfig ?? fail('config: inline without a ---config block') }
        : configField === 'directory' || configField === 'missing'
          ? { kind: configField }
          : { kind: 'named', name: configField };

  const env: Record<string, string> = {};
  const envField = fields.get('env');
  if (envField !== undefined) {
    const [key, ...value] = envField.split('=');
    env[key!] = value.join('=');
  }
  const argv = fields.get('argv');
  return { name, description, action, exit, stdin, args: argv === undefined ? ['1'] : [argv], config, env };
}

/** `{{repeat N TEXT}}`: keeps 10 MB inputs out of the repository. */
export function expandMacros(text: string): string {
  return text.replace(/\{\{repeat ([0-9]+) ([^}]*)\}\}/g, (_, count: string, unit: string) =>
    unit.repeat(Number(count)),
  );
}

export function configFile(name: string): string {
  return path.join(CORPUS_DIR, 'configs', `${name}.json`);
}

/**
 * The book every case starts from: r1 = IP4 10.0.0.10+10 with 10.0.0.12 leased, r2 =
 * IP6_STATIC 2001:db8:200::10+16, made by the driver itself so it always has today's format.
 */
export function buildSeedBook(): Buffer {
  const sandbox = tortureSandbox({ driver: DRIVER, config: fs.readFileSync(configFile('seed'), 'utf8'), book: 'init' });
  try {
    const must = (action: Action, xml: string) => {
      const run = sandbox.run(action, xml);
      if (run.code !== 0) throw new Error(`seed: ${action} failed: ${run.stderr}`);
      return run;
    };
    const r1 = new OnedAr(
      parseTemplateReply(
        must('register_address_range', registerXml({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: DRIVER }))
          .stdout,
        'AR',
      ).attrs,
    );
    must('allocate_address', r1.allocateXml(2n));
    must(
      'register_address_range',
      registerXml({ TYPE: 'IP6_STATIC', IP6: '2001:db8:200::10', PREFIX_LENGTH: '64', SIZE: '16', IPAM_MAD: DRIVER }),
    );
    return sandbox.bookBytes()!;
  } finally {
    sandbox.cleanup();
  }
}

/** Runs one case; returns what is wrong with how the driver refused it (empty: all good). */
export async function runCase(seed: Buffer, c: CorpusCase): Promise<string[]> {
  // The seed book is written below: no init (a broken inline config could not make one anyway).
  const sandbox = tortureSandbox({
    driver: DRIVER,
    config: c.config.kind === 'inline' ? c.config.text : fs.readFileSync(configFile('seed'), 'utf8'),
    book: 'none',
  });
  try {
    fs.mkdirSync(path.dirname(sandbox.bookPath), { mode: 0o700 });
    fs.writeFileSync(sandbox.bookPath, seed, { mode: 0o600 });
    const before = listTree(sandbox.dir);
    const configEnv =
      c.config.kind === 'named'
        ? configFile(c.config.name)
        : c.config.kind === 'directory'
          ? sandbox.dir
          : c.config.kind === 'missing'
            ? path.join(sandbox.dir, 'etc', 'absent.json')
            : undefined;
    const run = await spawnAction(sandbox, c.action, '', {
      requestId: '1',
      args: c.args,
      stdin: c.stdin,
      env: { ...(configEnv === undefined ? {} : { NEBULA_IPAM_CONFIG: configEnv }), ...c.env },
    });
    const problems: string[] = [];
    // OpenNebula 5 (the request in argv) reads the message between markers: the one line is inside them.
    const legacy = c.args[0] !== undefined && !/^[0-9]{1,20}$/.test(c.args[0]);
    const marked = /^ERROR MESSAGE --8<------\n([^\n]*\n)ERROR MESSAGE ------>8--\n$/.exec(run.stderr);
    if (legacy && !marked)
      problems.push(
        `stderr is not one line between OpenNebula 5's markers: ${JSON.stringify(run.stderr.slice(0, 300))}`,
      );
    const lines = (legacy && marked ? marked[1]! : run.stderr).split('\n');
    if (run.code !== c.exit) problems.push(`exit ${run.signal ?? run.code}, expected ${c.exit}`);
    if (run.stdout !== '') problems.push(`stdout is not empty: ${JSON.stringify(run.stdout.slice(0, 200))}`);
    if (lines.length !== 2 || lines[1] !== '' || lines[0]!.trim() === '')
      problems.push(`stderr is not exactly one line: ${JSON.stringify(run.stderr.slice(0, 300))}`);
    else if (ONED_LOG_LINE.test(lines[0]!.trim()))
      problems.push(`stderr would be filed by oned as a log line: ${lines[0]}`);
    if (!seed.equals(sandbox.bookBytes() ?? Buffer.alloc(0))) problems.push('the book changed');
    const created = listTree(sandbox.dir).filter((entry) => !before.includes(entry) && entry !== auditEntry(sandbox));
    if (created.length) problems.push(`files appeared: ${created.join(', ')}`);
    return problems.map((p) => `${c.name} (${c.description}): ${p}; stderr: ${run.stderr.trim().slice(0, 300)}`);
  } finally {
    sandbox.cleanup();
  }
}

function auditEntry(sandbox: DriverSandbox): string {
  return path.relative(sandbox.dir, `${sandbox.bookPath}.audit.jsonl`);
}

/** Every path below `dir`, relative, directories with a trailing slash. */
export function listTree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(`${rel}/`, ...listTree(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** Runs `tasks` with at most `width` at a time, results in order. */
export async function inParallel<T, R>(
  items: readonly T[],
  width: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return results;
}
