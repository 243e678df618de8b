/**
 * Running the built bundle as an operator does: under the name `nebula-ipam` (a symlink in the
 * sandbox's driver directory, beside the five action links oned uses), against the sandbox's
 * config and lease book. Builds on the driver harness, so a test can mix driver actions (as
 * oned would send them) and CLI commands on one book.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectReply } from './driver-assert.ts';
import {
  BUNDLE,
  createSandbox,
  OnedAr,
  registerXml,
  type DriverSandbox,
  type NodeVersion,
  type RunResult,
  type SandboxOptions,
} from './driver-harness.ts';

export interface CliRun {
  readonly node?: NodeVersion;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Exact stdin bytes; empty by default. */
  readonly stdin?: string;
}

export interface CliSandbox extends DriverSandbox {
  /** The `nebula-ipam` link in the driver directory, to run by hand (e.g. on a pseudo-terminal). */
  readonly program: string;
  /** `nebula-ipam <args>` with the sandbox's NEBULA_IPAM_CONFIG and NEBULA_IPAM_STORE. */
  cli(args: readonly string[], run?: CliRun): RunResult;
  /** `nebula-ipam --json <args>`, expecting exit 0 and one JSON document. */
  json<T = Record<string, unknown>>(args: readonly string[], run?: CliRun): T;
  /** Registers an AR as oned would and returns oned's stored AR. */
  register(attrs: Readonly<Record<string, string>>, requestId?: string): OnedAr;
}

export function createCliSandbox(options: SandboxOptions = {}): CliSandbox {
  const sandbox = createSandbox(options);
  const program = path.join(sandbox.driverDir, 'nebula-ipam');
  if (!fs.existsSync(program)) fs.symlinkSync(BUNDLE, program);
  // The sandbox's own ONE_LOCATION unless a test gives one: the CLI never reads the host's oned.conf or remotes.
  const cli = (args: readonly string[], run: CliRun = {}) =>
    sandbox.runRaw('nebula-ipam', {
      args,
      ...(run.node ? { node: run.node } : {}),
      ...(run.stdin === undefined ? {} : { stdin: run.stdin }),
      env: { ONE_LOCATION: sandbox.oneLocation, ...run.env },
    });
  return {
    ...sandbox,
    program,
    cli,
    json<T>(args: readonly string[], run: CliRun = {}): T {
      const result = cli(['--json', ...args], run);
      assert.equal(result.code, 0, `nebula-ipam ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
      return JSON.parse(result.stdout) as T;
    },
    register(attrs, requestId = '0') {
      const reply = expectReply(
        sandbox.run('register_address_range', registerXml({ IPAM_MAD: sandbox.driver, ...attrs }), { requestId }),
        'AR',
      );
      return new OnedAr(reply);
    },
  };
}

/** A failed command: the exit code, nothing on stdout, one stderr line naming every `mention`. */
export function expectCliFailure(result: RunResult, code: number, mentions: readonly string[]): string {
  assert.equal(
    result.code,
    code,
    `expected exit ${code}, got ${result.code}; stdout: ${result.stdout} stderr: ${result.stderr}`,
  );
  assert.equal(result.stdout, '', 'a failure prints nothing on stdout');
  assert.match(result.stderr, /^[^\n]+\n$/, `exactly one stderr line: ${JSON.stringify(result.stderr)}`);
  for (const mention of mentions)
    assert.ok(result.stderr.includes(mention), `stderr names ${JSON.stringify(mention)}: ${result.stderr}`);
  return result.stderr.trimEnd();
}

export function expectOk(result: RunResult): string {
  assert.equal(result.code, 0, `expected exit 0, got ${result.code}; stderr: ${result.stderr}`);
  return result.stdout;
}
