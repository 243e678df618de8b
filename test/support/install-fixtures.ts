/**
 * Bundles and layouts of earlier installs, for the install tests: the built bundle with its
 * release line changed (same length, so the bundle still runs) and a run of the CLI by path.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUNDLE, childEnv, type RunResult } from './driver-harness.ts';

const RELEASE_LINE = /^#![^\n]*\n(\/\/ nebula-ipam [^\n]*)\n/;

/**
 * The built bundle as release `version` would carry it; `undefined`: as 0.1.0 did, with no
 * release line (the line is blanked to the same length, so the halves stay where the start-up
 * part looks for them).
 */
export function bundleAs(version: string | undefined): Buffer {
  const text = fs.readFileSync(BUNDLE, 'latin1');
  const line = RELEASE_LINE.exec(text)?.[1];
  if (!line) throw new Error(`${BUNDLE} has no release line`);
  const replacement = version === undefined ? `//${' '.repeat(line.length - 2)}` : `// nebula-ipam ${version}`;
  if (replacement.length > line.length) throw new Error(`release ${version} is longer than the built one`);
  return Buffer.from(text.replace(line, replacement.padEnd(line.length, ' ')), 'latin1');
}

/** Writes a bundle as a program file. */
export function writeBundle(file: string, bytes: Buffer): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes, { mode: 0o755 });
  return file;
}

/** `program args...` run directly (its shebang picks node), as an operator types it. */
export function runProgram(
  program: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): RunResult {
  const run = spawnSync(program, args, {
    env: childEnv('default', env),
    encoding: 'utf8',
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  return { code: run.status ?? 128, stdout: run.stdout, stderr: run.stderr };
}
