/**
 * Messages an operator meets (issue 19 item 7), from the built bundle as separate processes:
 * a config JSON error by line and column, did-you-mean for a misspelled config key, and
 * counts in the singular.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { createSandbox, registerXml } from '../../support/driver-harness.ts';
import { ISSUE2_POOLS } from '../../support/sample-config.ts';

test('a JSON error in the config is named by line and column, one line, exit 4', () => {
  const sandbox = createSandbox({ config: { pools: ISSUE2_POOLS } });
  try {
    fs.writeFileSync(
      sandbox.configPath!,
      '{\n  "lockTimeoutMs": 5000,\n  "pools": [ { "name": "p" "network": "10.0.0.0/8" } ]\n}\n',
    );
    const result = sandbox.runRaw('nebula-ipam', { args: ['status'] });
    assert.equal(result.code, 4, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0]!,
      new RegExp(
        `${sandbox.configPath!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*is not valid JSON at line 3, column 28: expected "," or "}"`,
      ),
    );
  } finally {
    sandbox.cleanup();
  }
});

test('a misspelled config key gets a did-you-mean, at the top and in a pool', () => {
  const sandbox = createSandbox({ config: { pools: ISSUE2_POOLS } });
  try {
    fs.writeFileSync(sandbox.configPath!, JSON.stringify({ lockTimeoutMS: 5000, pools: ISSUE2_POOLS }));
    const top = sandbox.runRaw('nebula-ipam', { args: ['status'] });
    assert.equal(top.code, 4, top.stderr);
    assert.match(top.stderr, /lockTimeoutMS is not a known key; did you mean "lockTimeoutMs"\?/);
    fs.writeFileSync(sandbox.configPath!, JSON.stringify({ pools: [{ ...ISSUE2_POOLS[0], subnetPrefx: 24 }] }));
    const inPool = sandbox.runRaw('nebula-ipam', { args: ['status'] });
    assert.equal(inPool.code, 4, inPool.stderr);
    assert.match(inPool.stderr, /pools\[0\]\.subnetPrefx is not a known key; did you mean "subnetPrefix"\?/);
  } finally {
    sandbox.cleanup();
  }
});

test('a full pool refuses one more address in the singular: "room for 1 address"', () => {
  const sandbox = createSandbox({ config: { pools: [{ name: 'tiny', network: '10.9.0.0/29', subnetPrefix: 29 }] } });
  try {
    const first = sandbox.run(
      'register_address_range',
      registerXml({ IPAM_MAD: 'mydrv', IPAM_POOL: 'tiny', SIZE: '1' }),
    );
    assert.equal(first.code, 0, first.stderr);
    const full = sandbox.run(
      'register_address_range',
      registerXml({ IPAM_MAD: 'mydrv', IPAM_POOL: 'tiny', SIZE: '1' }),
    );
    assert.notEqual(full.code, 0);
    assert.match(full.stdout + full.stderr, /room for 1 address\b(?!es)/);
  } finally {
    sandbox.cleanup();
  }
});

test('a damaged file book: the advice is restore (its .prev named), never "copy leases.json.prev over it"', () => {
  const sandbox = createSandbox({ config: { pools: ISSUE2_POOLS } });
  try {
    const first = sandbox.run(
      'register_address_range',
      registerXml({ IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '4' }),
    );
    assert.equal(first.code, 0, first.stderr);
    fs.writeFileSync(sandbox.bookPath, '{"schema":1,');
    const result = sandbox.runRaw('nebula-ipam', { args: ['status'] });
    assert.equal(result.code, 7, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.ok(
      lines[0]!.includes(`bring back the previous generation (${sandbox.bookPath}.prev) with \`nebula-ipam restore\``),
      lines[0],
    );
    assert.doesNotMatch(lines[0]!, /copy \S+ over it/);
  } finally {
    sandbox.cleanup();
  }
});

test('an unknown pool gets the same line from lease, range add, range list and register, with the nearest name (issue 17 item 6)', () => {
  const sandbox = createSandbox({ config: { pools: ISSUE2_POOLS } });
  try {
    const seen = `is not a pool of ${sandbox.configPath}; did you mean "private"? (pools: private, public6)`;
    for (const [args, cannot] of [
      [['lease', '--pool', 'privat', '--owner', 'h1'], 'Cannot lease from pool "privat": it '],
      [['range', 'add', '--pool', 'privat', '--size', '4'], 'Cannot add a range to pool "privat": it '],
      [['range', 'list', '--pool', 'privat'], 'Cannot list the ranges of pool "privat": it '],
    ] as const) {
      const result = sandbox.runRaw('nebula-ipam', { args });
      assert.equal(result.code, 5, result.stderr);
      assert.equal(result.stderr, `${cannot}${seen}\n`);
    }
    const before = fs.readFileSync(sandbox.bookPath, 'utf8');
    const register = sandbox.run(
      'register_address_range',
      registerXml({ IPAM_MAD: 'mydrv', IPAM_POOL: 'privat', SIZE: '4' }),
    );
    assert.notEqual(register.code, 0);
    assert.ok(register.stderr.includes(`Cannot register the range: IPAM_POOL "privat" ${seen}`), register.stderr);
    assert.equal(fs.readFileSync(sandbox.bookPath, 'utf8'), before, 'nothing written');
  } finally {
    sandbox.cleanup();
  }
});
