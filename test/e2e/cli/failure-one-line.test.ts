/**
 * Every failure an operator can meet is one stderr line (STYLE, HELPERS): a command that used a
 * book and failed must not add the runner's "Lease book ..." line after its failure line, which
 * read as a second message. Through the built bundle, as separate processes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { createCliSandbox, expectCliFailure } from '../../support/cli-harness.ts';
import { freeDnsPort } from '../../support/dns-server-process.ts';
import type { DnsTestServer } from '../../support/dns-test-server.ts';
import { expectCliFailureLine } from '../../support/sync-dns-scenarios.ts';
import { createSyncSandbox } from '../../support/sync-sandbox.ts';

const POOLS = [{ name: 'p', network: '10.9.0.0/16', subnetPrefix: 24 }];

test('failing commands print exactly one stderr line, naming the value', () => {
  const s = createCliSandbox({ config: { pools: POOLS } });
  try {
    s.register({ IPAM_POOL: 'p', SIZE: '10' });
    expectCliFailure(s.cli(['lease', '--pool', 'nope', '--owner', 'x']), 5, ['"nope"']);
    expectCliFailure(s.cli(['lease', '--pool', 'p', '--owner', 'x', '--ip', '10.9.300.1']), 2, ['10.9.300.1']);
    expectCliFailure(s.cli(['lease', '--pool', 'p', '--owner', 'x', '--ip', '10.9.0.1']), 5, ['10.9.0.1', 'gateway']);
    expectCliFailure(s.cli(['release', '--ip', '10.9.0.250']), 5, ['10.9.0.250']);
    expectCliFailure(s.cli(['show', '10.99.0.99']), 5, ['10.99.0.99']);
    expectCliFailure(s.cli(['hold', 'release', '10.9.0.5']), 5, ['10.9.0.5']);
    expectCliFailure(s.cli(['range', 'remove', 'r99']), 5, ['"r99"']);
    fs.writeFileSync(s.bookPath, '{"garbage');
    for (const args of [['status'], ['leases'], ['lease', '--pool', 'p', '--owner', 'x'], ['export']])
      expectCliFailure(s.cli(args), 7, [s.bookPath, 'not valid JSON']);
    fs.rmSync(s.bookPath);
    expectCliFailure(s.cli(['leases']), 5, [s.bookPath, 'no lease book there']);
    fs.rmSync(s.configPath!);
    expectCliFailure(s.cli(['status']), 5, [s.configPath!, 'no such file']);
  } finally {
    s.cleanup();
  }
});

test('verify on a book that does not decode: its table on stdout, and one stderr line naming the book, exit 7', () => {
  const s = createCliSandbox({ config: { pools: POOLS } });
  try {
    s.register({ IPAM_POOL: 'p', SIZE: '10' });
    fs.writeFileSync(s.bookPath, '{"garbage');
    const table = s.cli(['verify']);
    expectCliFailureLine(table, 7, [s.bookPath, 'not valid JSON']);
    assert.match(table.stdout, /^book unreadable\s+-\s+Cannot read the lease book /m);
    const json = s.cli(['verify', '--json']);
    expectCliFailureLine(json, 7, [s.bookPath, 'not valid JSON']);
    assert.deepEqual(
      (JSON.parse(json.stdout) as { findings: { kind: string }[] }).findings.map((f) => f.kind),
      ['book-unreadable'],
    );
  } finally {
    s.cleanup();
  }
});

test('sync to a DNS server that does not answer: one line naming the target, exit 8', async () => {
  // Nothing listens on the port: the target is down. Only port and key are read from the server.
  const down = { port: await freeDnsPort(), key: { name: 'k', secret: Buffer.alloc(32, 1) } } as DnsTestServer;
  const s = createSyncSandbox(down, { size: 4, timeoutMs: 500 });
  try {
    s.lease();
    const result = s.cli(['sync']);
    assert.equal(result.code, 8, result.stdout + result.stderr);
    assert.match(result.stderr, /^Cannot sync target dns: [^\n]+\n$/, JSON.stringify(result.stderr));
  } finally {
    s.cleanup();
  }
});
