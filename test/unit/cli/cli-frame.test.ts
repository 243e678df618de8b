import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSince, matchesAudit } from '../../../src/audit/audit-query.ts';
import { parseAuditLine } from '../../../src/store/file/audit-log.ts';
import { runCli, splitGlobalOptions } from '../../../src/cli/run-cli.ts';
import { useColor } from '../../../src/cli/context.ts';
import { failureOf } from '../../../src/core/failure.ts';
import { COMMANDS } from '../../../src/cli/commands/index.ts';
import { IpamError } from '../../../src/core/errors.ts';
import {
  planInstall,
  planUninstall,
  onedConfLine,
  checkDriverName,
  type Entry,
} from '../../../src/install/driver-dir.ts';
import { ACTION_NAMES } from '../../../src/core/actions/action.ts';
import { utilisationBar } from '../../../src/cli/render/bar.ts';
import { renderTable } from '../../../src/cli/render/table.ts';
import { formatCount } from '../../../src/cli/render/count.ts';
import { renderJson } from '../../../src/cli/render/json.ts';
import { harnessOneLocation } from '../../support/driver-harness.ts';

describe('global options', () => {
  it('are taken out wherever they stand, leaving the command line in order', () => {
    const split = splitGlobalOptions([
      '--json',
      'lease',
      '--pool',
      'p',
      '--store=/tmp/b.json',
      '--owner',
      'x',
      '--config',
      'c.json',
      '--driver',
      'd1',
    ]);
    assert.deepEqual(split.rest, ['lease', '--pool', 'p', '--owner', 'x']);
    assert.deepEqual(split.globals, {
      driver: 'd1',
      driverGiven: true,
      verbose: false,
      json: true,
      config: 'c.json',
      store: '/tmp/b.json',
    });
    assert.equal(splitGlobalOptions(['status', '--wide']).globals.wide, true);
    assert.equal(splitGlobalOptions(['status']).globals.driverGiven, false);
    assert.equal(splitGlobalOptions(['status', '--verbose']).globals.verbose, true);
  });

  it('refuse a missing value and a bad driver name as usage errors', () => {
    assert.throws(
      () => splitGlobalOptions(['status', '--store']),
      (e: unknown) => e instanceof IpamError && e.kind === 'usage' && /--store needs a value/.test(e.message),
    );
    assert.throws(
      () => splitGlobalOptions(['--driver', 'a,b', 'status']),
      (e: unknown) => e instanceof IpamError && e.kind === 'usage',
    );
  });
});

describe('runCli', () => {
  async function run(args: string[]) {
    let out = '';
    let err = '';
    // ONE_LOCATION: the driver lookup and every default stay out of the host's /etc/one and /var/lib/one.
    const code = await runCli(args, {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      env: { ONE_LOCATION: harnessOneLocation() },
      stdoutIsTty: false,
    });
    return { code, out, err };
  }

  it('prints usage with every command, and exits 2 without a command', async () => {
    const bare = await run([]);
    assert.equal(bare.code, 2);
    for (const command of COMMANDS) assert.match(bare.err, new RegExp(`\\n  ${command.name} `));
    assert.equal((await run(['--help'])).code, 0);
  });

  it('gives every command a --help that starts with its usage line', async () => {
    for (const command of COMMANDS) {
      const { code, out } = await run([command.name, '--help']);
      assert.equal(code, 0);
      assert.match(out, new RegExp(`^Usage: nebula-ipam ${command.name}`));
    }
  });

  it('fails an unknown command or option with one line and exit 2', async () => {
    const unknown = await run(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /^Cannot run "frobnicate": not a nebula-ipam command[^\n]*\n$/);
    const option = await run(['status', '--bogus']);
    assert.equal(option.code, 2);
    assert.match(option.err, /--bogus/);
  });
});

describe('failureOf', () => {
  it('maps each error kind through the one table and keeps one line', () => {
    assert.deepEqual(failureOf(new IpamError('conflict', 'Cannot x:\ny')), { code: 5, line: 'Cannot x: y' });
    assert.equal(failureOf(new IpamError('exhausted', 'full')).code, 255);
    assert.equal(failureOf(new Error('boom')).code, 1);
  });
});

describe('colour', () => {
  it('only on a terminal, never with NO_COLOR or TERM=dumb', () => {
    assert.equal(useColor({}, true), true);
    assert.equal(useColor({}, false), false);
    assert.equal(useColor({ NO_COLOR: '1' }, true), false);
    assert.equal(useColor({ NO_COLOR: '' }, true), true);
    assert.equal(useColor({ TERM: 'dumb' }, true), false);
  });
});

describe('renderers', () => {
  it('align columns ignoring colour codes', () => {
    const text = renderTable(
      [{ header: 'A' }, { header: 'N', align: 'right' }],
      [
        ['x', '\u001b[31m5\u001b[0m'],
        ['long', '100'],
      ],
    );
    assert.equal(text.replace(/\u001b\[[0-9;]*m/g, ''), 'A       N\nx       5\nlong  100\n');
  });

  it('draw a bar that shows any use, and counts people can read', () => {
    assert.equal(utilisationBar(0n, 10n, false), '[....................]   0%');
    assert.equal(utilisationBar(1n, 1000n, false), '[#...................]  <1%');
    assert.equal(utilisationBar(10n, 1000n, false), '[#...................]   1%');
    assert.equal(utilisationBar(1n, 1000n, false, 0), ' <1%');
    assert.equal(utilisationBar(10n, 10n, false), '[####################] 100%');
    assert.equal(formatCount(65536n), '65536');
    assert.equal(formatCount(1n << 80n), '2^80');
    assert.equal(renderJson({ a: 5n, b: 1n << 64n }), '{\n  "a": 5,\n  "b": "18446744073709551616"\n}\n');
  });
});

describe('install plan', () => {
  const link = (target: string, ours: boolean): Entry => ({ kind: 'link', target, ours });
  it('creates, keeps and re-points its own links and never touches foreign files', () => {
    const entries = new Map<string, Entry>([
      ['register_address_range', link('/opt/x/nebula-ipam.cjs', true)],
      ['get_address', link('/usr/bin/nebula-ipam', true)],
      ['free_address', { kind: 'file', ours: false }],
    ]);
    assert.deepEqual(
      planInstall(entries, '/usr/bin/nebula-ipam').map((p) => p.step),
      ['replace', 'create', 'create', 'keep', 'foreign'],
    );
    assert.deepEqual(
      planUninstall(entries).map((p) => p.step),
      ['remove', 'absent', 'absent', 'remove', 'foreign'],
    );
    assert.equal(ACTION_NAMES.length, 5);
  });

  it('writes the oned.conf line without a space after the comma, and refuses "internal"', () => {
    assert.equal(onedConfLine('mydrv'), 'IPAM_MAD = [ EXECUTABLE = "one_ipam", ARGUMENTS = "-t 1 -i dummy,mydrv" ]');
    assert.throws(() => checkDriverName('internal'), /internal/);
    assert.throws(() => checkDriverName('a b'), /directory name/);
  });
});

describe('audit queries', () => {
  const now = new Date('2025-06-02T00:00:00Z');
  it('read --since as a date, a time or a duration back', () => {
    assert.equal(parseSince('2025-06-01', now)?.toISOString(), '2025-06-01T00:00:00.000Z');
    assert.equal(parseSince('12h', now)?.toISOString(), '2025-06-01T12:00:00.000Z');
    assert.equal(parseSince('yesterday', now), undefined);
  });

  it("match an address inside a record's span, and skip lines that are not records", () => {
    const record = parseAuditLine(
      '{"time":"2025-06-01T10:00:00Z","actor":"oned:3","action":"register_address_range","range":"r1","addresses":"10.0.0.10-10.0.0.19","result":"ok"}',
    )!;
    assert.equal(matchesAudit(record, { address: { space: 'ipv4', value: 0x0a00000fn } }), true);
    assert.equal(matchesAudit(record, { address: { space: 'ipv4', value: 0x0a000014n } }), false);
    assert.equal(matchesAudit(record, { since: new Date('2025-06-01T11:00:00Z') }), false);
    assert.equal(parseAuditLine('{"time":"x"'), undefined);
  });
});
