/**
 * `metrics --output FILE` for node_exporter's textfile collector (issue 19, Why 9; build item 5):
 * written atomically, with `nebula_ipam_up` and `nebula_ipam_last_success_timestamp_seconds`;
 * when the book cannot be read, the file says `nebula_ipam_up 0` and keeps the last success
 * time instead of serving the old numbers as if fresh. The built bundle, as cron would run it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCliSandbox, expectOk, type CliSandbox } from '../../support/cli-harness.ts';

const UP = /^nebula_ipam_up\{driver="[^"]+"\} (\d)$/m;
const LAST = /^nebula_ipam_last_success_timestamp_seconds\{driver="[^"]+"\} (\d+)$/m;

describe('metrics --output', () => {
  let s: CliSandbox;
  let file: string;
  before(() => {
    s = createCliSandbox({
      config: { pools: [{ name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, default: true }] },
    });
    s.register({ SIZE: '20' }, '1');
    fs.mkdirSync(path.join(s.dir, 'collector'));
    file = path.join(s.dir, 'collector', 'nebula-ipam.prom');
  });
  after(() => s.cleanup());

  it('a good run writes the numbers with nebula_ipam_up 1 and the time of this success', () => {
    const started = Math.floor(Date.now() / 1000);
    assert.equal(expectOk(s.cli(['metrics', '--output', file])), '');
    const text = fs.readFileSync(file, 'utf8');
    assert.equal(UP.exec(text)?.[1], '1');
    const last = Number(LAST.exec(text)?.[1]);
    assert.ok(last >= started && last <= Math.floor(Date.now() / 1000) + 1, `last success ${last}`);
    assert.match(text, /^nebula_ipam_range_size_addresses\{[^}]*range="r1"[^}]*\} 20$/m);
    assert.match(text, /^# TYPE nebula_ipam_up gauge$/m);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['nebula-ipam.prom'], 'no temporary file left');
    // stdout carries the same two series.
    assert.equal(UP.exec(expectOk(s.cli(['metrics'])))?.[1], '1');
  });

  it('a failed run marks the file nebula_ipam_up 0, keeps the last success time and drops the stale numbers', () => {
    const before = fs.readFileSync(file, 'utf8');
    const last = LAST.exec(before)?.[1];
    const good = fs.readFileSync(s.bookPath);
    fs.writeFileSync(s.bookPath, '{ damaged');
    try {
      const failed = s.cli(['metrics', '--output', file]);
      assert.notEqual(failed.code, 0);
      assert.match(failed.stderr, /^[^\n]+\n$/, `one stderr line: ${failed.stderr}`);
      const text = fs.readFileSync(file, 'utf8');
      assert.equal(UP.exec(text)?.[1], '0', text);
      assert.equal(LAST.exec(text)?.[1], last, 'the last success is still the earlier one');
      assert.ok(!text.includes('nebula_ipam_range_'), 'no stale range numbers served as current');
      assert.deepEqual(fs.readdirSync(path.dirname(file)), ['nebula-ipam.prom']);
    } finally {
      fs.writeFileSync(s.bookPath, good);
    }
    expectOk(s.cli(['metrics', '--output', file]));
    assert.equal(UP.exec(fs.readFileSync(file, 'utf8'))?.[1], '1');
  });
});
