/** `nebula-ipam verify` run the way an operator runs it, on books the driver actions made. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { expectFailure, expectReply } from '../../support/driver-assert.ts';
import {
  createSandbox,
  OnedAr,
  registerXml,
  type DriverSandbox,
  type RunResult,
} from '../../support/driver-harness.ts';
import { ISSUE2_POOLS } from '../../support/sample-config.ts';

function cli(sandbox: DriverSandbox, ...args: string[]): RunResult {
  return sandbox.runRaw('nebula-ipam', { args });
}

/** A carved range with three leases and an explicit one, made by the driver as oned drives it. */
function buildBook(sandbox: DriverSandbox): OnedAr {
  const ar = new OnedAr(
    expectReply(
      sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '20' })),
      'AR',
    ),
  );
  // oned takes each answer: its count (USED_LEASES) grows.
  for (let i = 0; i < 3; i++)
    ar.noteLeased(ar.indexOf(expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP')!));
  expectReply(
    sandbox.run(
      'register_address_range',
      registerXml({ TYPE: 'IP4', IP: '192.168.50.10', SIZE: '10', IPAM_MAD: 'mydrv' }),
    ),
    'AR',
  );
  return ar;
}

function writeConfig(sandbox: DriverSandbox, pools: readonly object[]): void {
  fs.writeFileSync(sandbox.configPath!, JSON.stringify({ pools }));
}

test('a book made by the driver verifies clean: exit 0, and it is not touched', () => {
  const sandbox = createSandbox({ config: { pools: ISSUE2_POOLS } });
  try {
    assert.equal(cli(sandbox, 'verify').code, 0, 'no book yet is a sound book');
    buildBook(sandbox);
    const before = sandbox.bookBytes();
    const result = cli(sandbox, 'verify');
    assert.equal(result.code, 0, result.stdout);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /\(generation 5, 2 ranges, 3 leases\)/);
    // No driver directory and no oneadmin here: access is checked as the user running verify.
    assert.match(
      result.stdout,
      /OK: every invariant holds, and uid \d+ \(\w+\), the user running verify, can use the lease book\.\n$/,
    );
    const json = JSON.parse(cli(sandbox, 'verify', '--json').stdout) as {
      ok: boolean;
      findings: unknown[];
      generation: number;
    };
    assert.deepEqual([json.ok, json.findings, json.generation], [true, [], 5]);
    assert.deepEqual(sandbox.bookBytes(), before);
  } finally {
    sandbox.cleanup();
  }
});

test('the config changed under the book: a dropped pool and a new exclude are listed, exit 1', () => {
  const sandbox = createSandbox({ config: { pools: ISSUE2_POOLS } });
  try {
    buildBook(sandbox);
    // The operator excluded 10.20.0.4/30 (leased .4 and .5 are in it) and renamed the pool.
    writeConfig(sandbox, [{ ...ISSUE2_POOLS[0], exclude: ['10.20.0.4/30'] }]);
    const excluded = cli(sandbox, 'verify');
    assert.equal(excluded.code, 1);
    const lines = excluded.stdout.split('\n');
    assert.ok(
      lines.some((l) =>
        /^lease on excluded address\s+r1\s+10\.20\.0\.4 \(opennebula\) is in 10\.20\.0\.4\/30, excluded from pool "private"$/.test(
          l,
        ),
      ),
      excluded.stdout,
    );
    assert.ok(lines.some((l) => /^lease on excluded address\s+r1\s+10\.20\.0\.5 /.test(l)));
    assert.ok(
      lines.some((l) => /^range on excluded space\s+r1\s+10\.20\.0\.0-10\.20\.0\.255 touches 10\.20\.0\.4\/30/.test(l)),
    );
    assert.match(excluded.stdout, /\n3 problems found\.\n$/);

    writeConfig(sandbox, [{ ...ISSUE2_POOLS[0], name: 'renamed' }]);
    const json = cli(sandbox, 'verify', '--json');
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      findings: { kind: string; range?: string; pool?: string }[];
    };
    assert.equal(report.ok, false);
    assert.deepEqual(report.findings, [
      { kind: 'range-pool-unknown', range: 'r1', family: 'ipv4', pool: 'private', config: sandbox.configPath },
    ]);
  } finally {
    sandbox.cleanup();
  }
});

test("a book that does not decode is one finding with the decoder's message, exit 7, and stays as it is", () => {
  const sandbox = createSandbox({ config: { pools: ISSUE2_POOLS } });
  try {
    buildBook(sandbox);
    const text = sandbox.bookBytes()!.toString().replace('"type":"IP4"', '"type":"IP5"');
    assert.notEqual(text, sandbox.bookBytes()!.toString(), 'the book was damaged');
    fs.writeFileSync(sandbox.bookPath, text);
    const result = cli(sandbox, 'verify');
    assert.equal(result.code, 7);
    assert.match(
      result.stdout,
      /^book unreadable\s+-\s+Cannot read the lease book .*leases\.json: ranges\[0\]\.type is "IP5"/m,
    );
    assert.match(result.stdout, /1 problem found\.\n$/);
    assert.equal(sandbox.bookBytes()!.toString(), text);
    const json = JSON.parse(cli(sandbox, 'verify', '--json').stdout) as {
      findings: { kind: string }[];
      generation: null;
    };
    assert.deepEqual([json.findings.map((f) => f.kind), json.generation], [['book-unreadable'], null]);
  } finally {
    sandbox.cleanup();
  }
});

test("verify takes no arguments and fails on a bad config with the config's exit code", () => {
  const sandbox = createSandbox({ config: '{"pools": [{"name": "x"}]}' });
  try {
    expectFailure(cli(sandbox, 'verify', 'extra'), 2, ['verify']);
    expectFailure(cli(sandbox, 'verify'), 4, ['pools[0].network']);
  } finally {
    sandbox.cleanup();
  }
});
