/**
 * The engine's placement rules through the built bundle (issue 8 items 5, 6, 13, 14): oned's
 * exact requests through the action links and the operator's `nebula-ipam`, one process each,
 * on one book. Each test is a scenario that handed an address to two machines before.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { expectFailure, expectQuietSuccess, expectReply } from '../../support/driver-assert.ts';
import { createCliSandbox, expectCliFailure, expectOk, type CliSandbox } from '../../support/cli-harness.ts';
import { createSandbox, registerXml, type OnedAr } from '../../support/driver-harness.ts';
import { PRIVATE_POOL } from '../../support/sample-config.ts';

function withSandbox(config: object, body: (s: CliSandbox) => void): void {
  const s = createCliSandbox({ config });
  try {
    body(s);
  } finally {
    s.cleanup();
  }
}

function get(s: CliSandbox, ar: OnedAr, size = 1, requestId = '0'): string {
  const ip = expectReply(s.run('get_address', ar.getXml(size), { requestId }), 'ADDRESS').get('IP')!;
  ar.noteLeased(ar.indexOf(ip), size);
  return ip;
}

function writeConfig(s: CliSandbox, config: object): void {
  fs.writeFileSync(s.configPath!, JSON.stringify(config, null, 2));
}

function auditLines(s: CliSandbox): Record<string, string>[] {
  return fs
    .readFileSync(`${s.bookPath}.audit.jsonl`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, string>);
}

describe('pool edits hold for ranges carved before them (issue 8 item 5)', () => {
  it('a DNS server added inside a carved range: get_address never returns it, lease --ip refuses it, verify reports the lease that had it', () => {
    withSandbox({ pools: [PRIVATE_POOL] }, (s) => {
      const ar = s.register({ SIZE: '6' }); // 10.20.0.3-8
      assert.equal(get(s, ar), '10.20.0.3');
      expectOk(s.cli(['lease', '--pool', 'private', '--ip', '10.20.0.7', '--owner', 'bm-01']));
      expectOk(s.cli(['verify']));
      // The operator adds DNS servers on addresses already leased (.3 by oned, .7 by bm-01) and a free one (.4).
      writeConfig(s, { pools: [{ ...PRIVATE_POOL, dns: ['10.20.0.2', '10.20.0.3', '10.20.0.4', '10.20.0.7'] }] });
      const handed = [get(s, ar), get(s, ar), get(s, ar)];
      assert.deepEqual(handed, ['10.20.0.5', '10.20.0.6', '10.20.0.8']);
      expectFailure(s.run('get_address', ar.getXml(1)), 255, ['no free block']);
      const bytes = s.bookBytes();
      expectCliFailure(s.cli(['lease', '--pool', 'private', '--ip', '10.20.0.4', '--owner', 'bm-02']), 5, [
        '10.20.0.4',
        'DNS server',
        '10.20.0.0/24',
      ]);
      expectFailure(s.run('allocate_address', ar.allocateXml(1n)), 5, ['10.20.0.4', 'DNS server']);
      assert.deepEqual(s.bookBytes(), bytes, 'refusals change nothing');
      const verify = s.cli(['verify']);
      assert.equal(verify.code, 1, verify.stdout + verify.stderr);
      assert.match(verify.stdout, /10\.20\.0\.3 \(opennebula\) is the DNS server of 10\.20\.0\.0\/24/);
      assert.match(verify.stdout, /10\.20\.0\.7 \(operator \(bm-01\)\) is the DNS server of 10\.20\.0\.0\/24/);
      assert.doesNotMatch(verify.stdout, /10\.20\.0\.4 /, 'a free reserved address is no finding');
      const json = s.cli(['--json', 'verify']);
      const findings = (JSON.parse(json.stdout) as { findings: { kind: string; address?: string; role?: string }[] })
        .findings;
      assert.deepEqual(
        findings.map((f) => [f.kind, f.address, f.role]),
        [
          ['lease-on-reserved', '10.20.0.3', 'DNS server'],
          ['lease-on-reserved', '10.20.0.7', 'DNS server'],
        ],
      );
    });
  });

  it('a gateway rule that now puts the gateway inside a range: never handed out', () => {
    withSandbox({ pools: [{ ...PRIVATE_POOL, gateway: 'none' }] }, (s) => {
      const ar = s.register({ TYPE: 'IP4', IP: '10.20.7.1', SIZE: '3' });
      writeConfig(s, { pools: [{ ...PRIVATE_POOL, gateway: 'first' }] });
      assert.deepEqual([get(s, ar), get(s, ar)], ['10.20.7.2', '10.20.7.3']);
      expectFailure(s.run('get_address', ar.getXml(1)), 255, ['no free block']);
      expectCliFailure(s.cli(['lease', '--pool', 'private', '--ip', '10.20.7.1', '--owner', 'bm']), 5, [
        '10.20.7.1',
        'gateway',
      ]);
    });
  });
});

describe('onevnet rmar never drops an operator lease (issue 8 item 6)', () => {
  it('unregister succeeds, the operator lease stays as its own range, audited, and no later carve takes it', () => {
    withSandbox({ pools: [PRIVATE_POOL] }, (s) => {
      const ar = s.register({ SIZE: '10' }, '1'); // 10.20.0.3-12
      get(s, ar, 1, '2');
      expectOk(s.cli(['lease', '--pool', 'private', '--ip', '10.20.0.8', '--owner', 'bm-01']));
      expectQuietSuccess(s.run('unregister_address_range', ar.unregisterXml('rmar'), { requestId: '3' }));
      assert.match(expectOk(s.cli(['show', '10.20.0.8'])), /^10\.20\.0\.8 is leased to "bm-01" \(operator lease\)/);
      const ranges = s.book()!.ranges;
      assert.deepEqual(
        ranges.map((r) => [r.id, r.ip, r.size]),
        [['r2', '10.20.0.8', 1]],
      );
      const kept = auditLines(s).filter((l) => l.action === 'unregister_address_range');
      assert.deepEqual(
        kept.map((l) => [l.actor, l.range, l.addresses, l.owner, l.result]),
        [
          ['oned:3', 'r1', '10.20.0.3-10.20.0.12', undefined, 'ok'],
          ['oned:3', 'r2', '10.20.0.8', 'bm-01', 'ok'],
        ],
      );
      assert.match(kept[1]!.detail ?? '', /kept as unmanaged range r2 when range r1 was unregistered/);
      // The next network's range is carved elsewhere, and no explicit range can take the address.
      assert.equal(s.register({ SIZE: '10' }, '4').attrs.IP, '10.20.1.2');
      expectFailure(
        s.run(
          'register_address_range',
          `<IPAM_DRIVER_ACTION_DATA><AR><IP><![CDATA[10.20.0.6]]></IP><IPAM_MAD><![CDATA[${s.driver}]]></IPAM_MAD><SIZE><![CDATA[5]]></SIZE><TYPE><![CDATA[IP4]]></TYPE></AR><ADDRESS><MAC/><IP/><IP6_GLOBAL/><IP6_ULA/><IP6/><SIZE/></ADDRESS></IPAM_DRIVER_ACTION_DATA>`,
        ),
        5,
        ['10.20.0.6', 'r2'],
      );
      expectCliFailure(s.cli(['lease', '--pool', 'private', '--ip', '10.20.0.8', '--owner', 'bm-02']), 5, [
        '10.20.0.8',
        '"bm-01"',
      ]);
      expectOk(s.cli(['verify']));
    });
  });
});

describe('a free is not always final: round-robin (issue 8 item 13)', () => {
  it('get_address after a free hands out another address; once the range is used up, the freed ones come back in rotation', () => {
    withSandbox({}, (s) => {
      const ar = s.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '5' });
      assert.equal(get(s, ar), '10.0.0.10');
      // onevnet release: free_address succeeds, and the VM keeps using the address.
      expectQuietSuccess(s.run('free_address', ar.freeXml(0n)));
      ar.noteFreed(0n);
      assert.deepEqual([get(s, ar), get(s, ar), get(s, ar)], ['10.0.0.11', '10.0.0.12', '10.0.0.13']);
      expectQuietSuccess(s.run('free_address', ar.freeXml(2n)));
      ar.noteFreed(2n);
      assert.equal(get(s, ar), '10.0.0.14', 'never-used first');
      assert.deepEqual(
        [get(s, ar), get(s, ar)],
        ['10.0.0.10', '10.0.0.12'],
        'then the freed ones, oldest first by rotation',
      );
      expectFailure(s.run('get_address', ar.getXml(1)), 255, ['no free block']);
    });
  });

  it('reservations (get_address SIZE n) keep their contiguous blocks and wrap round', () => {
    withSandbox({}, (s) => {
      const ar = s.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '8' });
      assert.equal(get(s, ar, 3), '10.0.0.10');
      for (const i of [0n, 1n, 2n]) {
        expectQuietSuccess(s.run('free_address', ar.freeXml(i)));
        ar.noteFreed(i);
      }
      assert.equal(get(s, ar, 3), '10.0.0.13');
      assert.equal(get(s, ar, 3), '10.0.0.10', 'no room for 3 after the cursor: wraps');
      expectFailure(s.run('get_address', ar.getXml(3)), 255, ['no free block of 3']);
    });
  });

  it('lease --count follows the same rule', () => {
    withSandbox({ pools: [PRIVATE_POOL] }, (s) => {
      const first = s.json<{ addresses: string }>([
        'lease',
        '--pool',
        'private',
        '--count',
        '1',
        '--owner',
        'bm',
      ]).addresses;
      assert.equal(first, '10.20.0.3');
      expectOk(s.cli(['release', '--ip', first]));
      assert.equal(
        s.json<{ addresses: string }>(['lease', '--pool', 'private', '--count', '1', '--owner', 'bm']).addresses,
        '10.20.0.4',
      );
      assert.equal(
        s.json<{ addresses: string }>(['lease', '--pool', 'private', '--count', '2', '--owner', 'bm']).addresses,
        '10.20.0.5-10.20.0.6',
      );
    });
  });
});

describe('ranges that overlap in a hand-edited book (issue 8 item 14)', () => {
  it('get_address refuses to lease from either, in one line naming both, and changes nothing', () => {
    withSandbox({}, (s) => {
      const a = s.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10' });
      const b = s.register({ TYPE: 'IP4', IP: '10.0.1.10', SIZE: '10' });
      // Someone edits the book by hand: r2 now starts inside r1.
      const doc = JSON.parse(fs.readFileSync(s.bookPath, 'utf8')) as { ranges: { id: string; ip: string }[] };
      doc.ranges.find((r) => r.id === 'r2')!.ip = '10.0.0.15';
      fs.writeFileSync(s.bookPath, JSON.stringify(doc, null, 2));
      const bytes = s.bookBytes();
      expectFailure(s.run('get_address', a.getXml(1)), 5, ['r1 IP4 10.0.0.10+10', 'r2 IP4 10.0.0.15+10']);
      const moved = new (a.constructor as typeof OnedAr)({ ...b.attrs, IP: '10.0.0.15' });
      expectFailure(s.run('get_address', moved.getXml(1)), 5, ['r2 IP4 10.0.0.15+10', 'r1 IP4 10.0.0.10+10']);
      assert.deepEqual(s.bookBytes(), bytes);
    });
  });
});

it('a pool gateway given as an address is the GATEWAY of the subnet that holds it, never in a range there, and no other subnet gets it', () => {
  const sandbox = createSandbox({
    config: {
      pools: [{ name: 'lan', network: '10.30.0.0/27', subnetPrefix: 28, gateway: '10.30.0.9', default: true }],
    },
  });
  try {
    const before = sandbox.bookBytes();
    expectFailure(
      sandbox.run(
        'register_address_range',
        registerXml({ IPAM_MAD: 'mydrv', TYPE: 'IP4', IP: '10.30.0.8', SIZE: '3' }),
      ),
      5,
      ['10.30.0.9', 'gateway'],
    );
    assert.deepEqual(sandbox.bookBytes(), before, 'nothing recorded');
    const first = expectReply(
      sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv', SIZE: '6' })),
      'AR',
    );
    assert.deepEqual([first.get('IP'), first.get('GATEWAY')], ['10.30.0.1', '10.30.0.9']);
    const second = expectReply(
      sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv', SIZE: '6' })),
      'AR',
    );
    assert.deepEqual(
      [second.get('NETWORK_ADDRESS'), second.get('GATEWAY')],
      ['10.30.0.16', undefined],
      'the other subnet has no gateway of its own',
    );
  } finally {
    sandbox.cleanup();
  }
});
