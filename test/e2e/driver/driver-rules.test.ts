/**
 * Every rule of docs/oned-contract.md that oned can observe from outside the process, checked on the built
 * bundle run through its symlinks: replies, exit codes, stderr, the book file on disk.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { expectFailure, expectQuietSuccess, expectReply } from '../../support/driver-assert.ts';
import {
  OnedAr,
  createSandbox,
  encodeRequest,
  registerXml,
  requestXml,
  type Attrs,
  type DriverSandbox,
  type SandboxOptions,
} from '../../support/driver-harness.ts';

function withSandbox(options: SandboxOptions, body: (sandbox: DriverSandbox) => void): void {
  const sandbox = createSandbox(options);
  try {
    body(sandbox);
  } finally {
    sandbox.cleanup();
  }
}

const IP4 = { TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv' };

/** Registers `ar` and returns oned's stored AR. */
function register(sandbox: DriverSandbox, ar: Attrs): OnedAr {
  const reply = expectReply(sandbox.run('register_address_range', registerXml(ar)), 'AR');
  return new OnedAr(reply);
}

/** get_address as oned does it: on success oned records the lease in its own books. */
function lease(sandbox: DriverSandbox, ar: OnedAr, size = 1): string {
  const ip = expectReply(sandbox.run('get_address', ar.getXml(size)), 'ADDRESS');
  assert.equal(ip.get('SIZE'), String(size));
  const address = ip.get('IP')!;
  ar.noteLeased(ar.indexOf(address), size);
  return address;
}

const POOLS = {
  pools: [
    {
      name: 'private',
      network: '10.20.0.0/16',
      subnetPrefix: 24,
      dns: ['10.20.0.2'],
      mtu: 1500,
      searchDomain: 'cloud.example.com',
      default: true,
    },
    { name: 'small', network: '10.99.0.0/28', subnetPrefix: 29 },
    { name: 'public6', network: '2001:db8:100::/48', subnetPrefix: 64, default: true },
  ],
};

test('register echoes custom attributes exactly, escaping quotes, and trims values as oned does', () => {
  withSandbox({}, (sandbox) => {
    const custom = {
      X_NOTE: 'say "hi" & <b>it\'s</b> ünïcode',
      SECURITY_GROUPS: '0,100',
      DNS: '1.1.1.1 8.8.8.8',
      X_PADDED: '  padded  ',
      PARENT_NETWORK_ID: '',
    };
    const reply = expectReply(sandbox.run('register_address_range', registerXml({ ...IP4, ...custom })), 'AR');
    assert.equal(reply.get('X_NOTE'), custom.X_NOTE);
    assert.equal(reply.get('SECURITY_GROUPS'), '0,100');
    assert.equal(reply.get('DNS'), '1.1.1.1 8.8.8.8');
    assert.equal(reply.get('X_PADDED'), 'padded');
    for (const key of Object.keys(IP4)) assert.equal(reply.get(key), IP4[key as keyof typeof IP4], key);
  });
});

test("the user's own network settings win over the pool's, the pool fills in the rest", () => {
  withSandbox({ config: POOLS }, (sandbox) => {
    const reply = expectReply(
      sandbox.run(
        'register_address_range',
        registerXml({ IPAM_MAD: 'mydrv', SIZE: '5', DNS: '9.9.9.9', GUEST_MTU: '9000', X_ID: 'abc' }),
      ),
      'AR',
    );
    assert.equal(reply.get('DNS'), '9.9.9.9');
    assert.equal(reply.get('GUEST_MTU'), '9000');
    assert.equal(reply.get('X_ID'), 'abc');
    assert.equal(reply.get('SEARCH_DOMAIN'), 'cloud.example.com');
    assert.equal(reply.get('NETWORK_MASK'), '255.255.255.0');
  });
});

test('IPAM_MAD is in every register reply: explicit, carved IPv4, carved IPv6, static IPv6, ETHER', () => {
  withSandbox({ config: POOLS }, (sandbox) => {
    const shapes: Attrs[] = [
      { ...IP4, IP: '192.168.1.10' },
      { IPAM_MAD: 'mydrv', SIZE: '21' },
      { IPAM_MAD: 'mydrv', SIZE: '21', TYPE: 'IP6' },
      { IPAM_MAD: 'mydrv', SIZE: '21', TYPE: 'IP6_STATIC' },
      { IPAM_MAD: 'mydrv', SIZE: '21', TYPE: 'IP4_6_STATIC' },
      { IPAM_MAD: 'mydrv', SIZE: '16', TYPE: 'ETHER', MAC: '02:00:00:00:01:00' },
    ];
    for (const ar of shapes) {
      const reply = expectReply(sandbox.run('register_address_range', registerXml(ar)), 'AR');
      assert.equal(reply.get('IPAM_MAD'), 'mydrv', JSON.stringify(ar));
      assert.ok(reply.get('TYPE') && reply.get('SIZE'), 'oned needs TYPE and SIZE');
    }
  });
});

test("an AR that arrives without IPAM_MAD gets the driver's own name back, so oned keeps calling the driver", () => {
  withSandbox({ driver: 'nebula-ipam-test' }, (sandbox) => {
    const reply = expectReply(
      sandbox.run('register_address_range', registerXml({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10' })),
      'AR',
    );
    assert.equal(reply.get('IPAM_MAD'), 'nebula-ipam-test');
  });
});

test("an AR copied with another range's id (onevnet addar from `onevnet show`) gets its own id, once", () => {
  withSandbox({}, (sandbox) => {
    const original = register(sandbox, IP4);
    const copy = expectReply(
      sandbox.run(
        'register_address_range',
        registerXml({ ...IP4, IP: '10.0.1.10', NEBULA_IPAM_RANGE: original.attrs.NEBULA_IPAM_RANGE! }),
      ),
      'AR',
    );
    assert.notEqual(copy.get('NEBULA_IPAM_RANGE'), original.attrs.NEBULA_IPAM_RANGE);
    assert.equal(lease(sandbox, new OnedAr(copy)), '10.0.1.10');
    assert.equal(lease(sandbox, original), '10.0.0.10');
  });
});

test('a value holding "]]>" is refused, not echoed into oned\'s XML', () => {
  withSandbox({}, (sandbox) => {
    const empty = sandbox.bookBytes();
    expectFailure(sandbox.run('register_address_range', registerXml({ ...IP4, X_BAD: 'a]]>b' })), 3, ['X_BAD']);
    assert.deepEqual(sandbox.bookBytes(), empty, 'nothing recorded');
  });
});

test('get_address leases contiguous blocks, exits 0 only with the vector, and 255 with one line when full', () => {
  withSandbox({}, (sandbox) => {
    const ar = register(sandbox, { ...IP4, SIZE: '6' });
    assert.equal(lease(sandbox, ar, 1), '10.0.0.10');
    assert.equal(lease(sandbox, ar, 4), '10.0.0.11');
    const tooBig = sandbox.run('get_address', ar.getXml(2));
    expectFailure(tooBig, 255, ['2']);
    assert.equal(lease(sandbox, ar, 1), '10.0.0.15');
    expectFailure(sandbox.run('get_address', ar.getXml(1)), 255);
  });
});

test('get_address honours a SIZE lowered by onevnet updatear', () => {
  withSandbox({}, (sandbox) => {
    const reply = expectReply(sandbox.run('register_address_range', registerXml({ ...IP4, SIZE: '4' })), 'AR');
    const shrunk = new OnedAr(new Map([...reply, ['SIZE', '2']]));
    assert.equal(lease(sandbox, shrunk), '10.0.0.10');
    assert.equal(lease(sandbox, shrunk), '10.0.0.11');
    expectFailure(sandbox.run('get_address', shrunk.getXml(1)), 255);
  });
});

test('get_address on IP6, IP6_STATIC and ETHER fails at once, saying why; allocate and free work by MAC', () => {
  withSandbox({ config: { lockTimeoutMs: 10_000 } }, (sandbox) => {
    const ranges = {
      IP6: register(sandbox, { TYPE: 'IP6', GLOBAL_PREFIX: '2001:db8:1::', SIZE: '16', IPAM_MAD: 'mydrv' }),
      IP6_STATIC: register(sandbox, {
        TYPE: 'IP6_STATIC',
        IP6: '2001:db8:2::10',
        PREFIX_LENGTH: '64',
        SIZE: '16',
        IPAM_MAD: 'mydrv',
      }),
      ETHER: register(sandbox, { TYPE: 'ETHER', MAC: '02:00:00:00:01:00', SIZE: '16', IPAM_MAD: 'mydrv' }),
    };
    const bookBefore = sandbox.bookBytes();
    // A held lock must not delay the answer: the type alone decides it.
    fs.mkdirSync(`${sandbox.bookPath}.lock`);
    try {
      for (const [type, ar] of Object.entries(ranges)) {
        const started = Date.now();
        expectFailure(sandbox.run('get_address', ar.getXml(1)), 3, [type]);
        // Waiting for the lock would take lockTimeoutMs (10 s), or the 5 s until it is stale.
        assert.ok(Date.now() - started < 4000, `${type}: failed after ${Date.now() - started} ms, not at once`);
      }
    } finally {
      fs.rmdirSync(`${sandbox.bookPath}.lock`);
    }
    assert.deepEqual(sandbox.bookBytes(), bookBefore);

    for (const [type, ar] of Object.entries(ranges)) {
      expectQuietSuccess(sandbox.run('allocate_address', ar.allocateXml(3n, 2)));
      expectFailure(sandbox.run('allocate_address', ar.allocateXml(4n)), 5, [
        ar.address(4n).MAC,
        ...(type === 'IP6_STATIC' ? [ar.ip6Of(4n)!] : []),
      ]);
      expectQuietSuccess(sandbox.run('free_address', ar.freeXml(3n)));
      expectQuietSuccess(sandbox.run('free_address', ar.freeXml(4n)));
      expectQuietSuccess(sandbox.run('allocate_address', ar.allocateXml(3n, 2)));
    }
  });
});

test('allocate_address refuses a block that leaves the range', () => {
  withSandbox({}, (sandbox) => {
    const ar = register(sandbox, IP4);
    expectFailure(sandbox.run('allocate_address', ar.allocateXml(8n, 3)), 5, ['10.0.0.18']);
    expectQuietSuccess(sandbox.run('allocate_address', ar.allocateXml(8n, 2)));
  });
});

test('free_address is idempotent: twice, never leased, outside the range, unknown range all succeed', () => {
  withSandbox({}, (sandbox) => {
    const ar = register(sandbox, IP4);
    lease(sandbox, ar);
    expectQuietSuccess(sandbox.run('free_address', ar.freeXml(0n)));
    expectQuietSuccess(sandbox.run('free_address', ar.freeXml(0n)));
    expectQuietSuccess(sandbox.run('free_address', ar.freeXml(7n)));
    expectQuietSuccess(sandbox.run('free_address', ar.freeXml(40n)));
    const stranger = new OnedAr({ ...IP4, IP: '172.16.0.1', NEBULA_IPAM_RANGE: 'r999' });
    expectQuietSuccess(sandbox.run('free_address', stranger.freeXml(0n)));
    const unrecorded = new OnedAr({ ...IP4, IP: '172.16.0.1' });
    expectQuietSuccess(sandbox.run('free_address', unrecorded.freeXml(0n)));
  });
});

test('a block leased with SIZE 4 is freed by four SIZE 1 calls, each giving back just its address', () => {
  withSandbox({}, (sandbox) => {
    const ar = register(sandbox, IP4);
    assert.equal(lease(sandbox, ar, 4), '10.0.0.10');
    expectQuietSuccess(sandbox.run('free_address', ar.freeXml(1n)));
    ar.noteFreed(1n);
    // Round-robin: the never-used rest of the range goes first, then the freed address.
    assert.equal(lease(sandbox, ar, 6), '10.0.0.14');
    assert.equal(lease(sandbox, ar), '10.0.0.11', 'only the freed address came back');
    expectFailure(sandbox.run('get_address', ar.getXml(1)), 255, ['no free block']);
    for (const index of [0n, 1n, 2n, 3n]) {
      expectQuietSuccess(sandbox.run('free_address', ar.freeXml(index)));
      ar.noteFreed(index);
    }
    assert.equal(lease(sandbox, ar, 4), '10.0.0.10', 'the whole block is free again');
  });
});

for (const shape of ['rmar', 'delete'] as const) {
  test(`unregister (${shape} shape) drops the range with its leases, is idempotent, and gives the space back`, () => {
    withSandbox({ config: POOLS }, (sandbox) => {
      const explicit = register(sandbox, IP4);
      lease(sandbox, explicit, 3);
      const carved = register(sandbox, { IPAM_MAD: 'mydrv', SIZE: '20' });
      lease(sandbox, carved);

      const allocated = shape === 'delete' ? ' 0 34359738378 1 34359738378' : '';
      expectQuietSuccess(sandbox.run('unregister_address_range', explicit.unregisterXml(shape, allocated)));
      expectQuietSuccess(sandbox.run('unregister_address_range', carved.unregisterXml(shape)));
      expectQuietSuccess(sandbox.run('unregister_address_range', carved.unregisterXml(shape)));
      assert.deepEqual(sandbox.book()?.ranges, []);

      const again = register(sandbox, IP4);
      assert.equal(lease(sandbox, again), '10.0.0.10', 'the old leases went with the old range');
      const recarved = register(sandbox, { IPAM_MAD: 'mydrv', SIZE: '20' });
      assert.equal(recarved.attrs.IP, carved.attrs.IP, 'the pool got its subnet back');
      assert.notEqual(recarved.attrs.NEBULA_IPAM_RANGE, carved.attrs.NEBULA_IPAM_RANGE, 'range ids are not reused');
    });
  });
}

test('a stale range id left in oned is never taken for a new range', () => {
  withSandbox({}, (sandbox) => {
    const old = register(sandbox, IP4);
    expectQuietSuccess(sandbox.run('unregister_address_range', old.unregisterXml('rmar')));
    const next = register(sandbox, { ...IP4, IP: '10.0.1.10' });
    lease(sandbox, next);
    const before = sandbox.bookBytes();
    expectQuietSuccess(sandbox.run('free_address', old.freeXml(0n)));
    expectQuietSuccess(sandbox.run('unregister_address_range', old.unregisterXml('rmar')));
    assert.deepEqual(sandbox.bookBytes(), before);
  });
});

test('the book and the files beside it are readable by their owner only', () => {
  withSandbox({}, (sandbox) => {
    const ar = register(sandbox, IP4);
    lease(sandbox, ar);
    const mode = (file: string) => fs.statSync(file).mode & 0o777;
    assert.equal(mode(sandbox.bookPath), 0o600, 'book');
    assert.equal(mode(`${sandbox.bookPath}.prev`), 0o600, 'previous generation');
    const dir = path.dirname(sandbox.bookPath);
    for (const name of fs.readdirSync(dir)) assert.equal(mode(path.join(dir, name)), 0o600, name);
    assert.equal(mode(dir), 0o700, 'the directory the driver created');
  });
});

test('bad input fails with one line and the right code, and leaves the book byte-identical', () => {
  withSandbox({ config: POOLS }, (sandbox) => {
    const ar = register(sandbox, IP4);
    lease(sandbox, ar);
    const book = sandbox.bookBytes();
    const stranger = new OnedAr({ ...IP4, IP: '172.16.0.1', NEBULA_IPAM_RANGE: 'r999' });
    const arOnly = ar.storedInner();
    const cases: [string, () => ReturnType<DriverSandbox['run']>, number, string[]][] = [
      ['broken base64', () => sandbox.runRaw('get_address', { args: ['1'], stdin: 'not*base64' }), 3, []],
      ['base64 of text', () => sandbox.runRaw('get_address', { args: ['1'], stdin: encodeRequest('hello') }), 3, []],
      [
        'truncated XML',
        () => sandbox.runRaw('get_address', { args: ['1'], stdin: encodeRequest(ar.getXml(1).slice(0, 80)) }),
        3,
        [],
      ],
      ['empty stdin', () => sandbox.runRaw('get_address', { args: ['1'] }), 3, []],
      ['DOCTYPE', () => sandbox.run('get_address', `<!DOCTYPE x [<!ENTITY a "b">]>${ar.getXml(1)}`), 3, ['DOCTYPE']],
      [
        'overlapping register',
        () => sandbox.run('register_address_range', registerXml({ ...IP4, IP: '10.0.0.15' })),
        5,
        ['10.0.0.15'],
      ],
      [
        'SIZE 0',
        () => sandbox.run('register_address_range', registerXml({ ...IP4, IP: '10.5.0.1', SIZE: '0' })),
        3,
        ['SIZE', '"0"'],
      ],
      [
        'octal IP',
        () => sandbox.run('register_address_range', registerXml({ ...IP4, IP: '010.5.0.1' })),
        3,
        ['010.5.0.1'],
      ],
      ['unknown TYPE', () => sandbox.run('register_address_range', registerXml({ ...IP4, TYPE: 'IP5' })), 3, ['IP5']],
      [
        'unknown pool',
        () => sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv', SIZE: '4', IPAM_POOL: 'nope' })),
        3,
        ['nope'],
      ],
      [
        'past 255.255.255.255',
        () => sandbox.run('register_address_range', registerXml({ ...IP4, IP: '255.255.255.250' })),
        3,
        ['255.255.255.250'],
      ],
      ['allocate a leased address', () => sandbox.run('allocate_address', ar.allocateXml(0n)), 5, ['10.0.0.10']],
      ['allocate outside the range', () => sandbox.run('allocate_address', ar.allocateXml(12n)), 5, ['10.0.0.22']],
      [
        'allocate without IP',
        () =>
          sandbox.run(
            'allocate_address',
            requestXml(arOnly, '<ADDRESS><MAC>02:00:0a:00:00:0c</MAC><SIZE>1</SIZE></ADDRESS>'),
          ),
        3,
        ['IP'],
      ],
      ['get without SIZE', () => sandbox.run('get_address', requestXml(arOnly, '<ADDRESS/>')), 3, ['SIZE']],
      ['get in an unknown range', () => sandbox.run('get_address', stranger.getXml(1)), 5, ['r999']],
      ['get more than the range holds', () => sandbox.run('get_address', ar.getXml(10)), 255, []],
      // A named config that is not there is exit 5, as every missing file (issue 11 item 4).
      [
        'missing config',
        () =>
          sandbox.run('get_address', ar.getXml(1), {
            env: { NEBULA_IPAM_CONFIG: path.join(sandbox.dir, 'missing.json') },
          }),
        5,
        ['missing.json', 'no such file'],
      ],
    ];
    for (const [why, run, code, mentions] of cases) {
      try {
        expectFailure(run(), code, mentions);
      } catch (error) {
        throw new Error(`${why}: ${(error as Error).message}`);
      }
      assert.deepEqual(sandbox.bookBytes(), book, `${why}: the book changed`);
    }
  });
});

test('a broken config file is named with its key', () => {
  withSandbox({ config: '{"pools":[{"name":"p","network":"10.0.0.1/8"}]}' }, (sandbox) => {
    const line = expectFailure(sandbox.run('register_address_range', registerXml(IP4)), 4, ['pools[0].network']);
    assert.ok(line.includes(sandbox.configPath!), line);
    assert.equal(sandbox.bookBytes(), undefined);
  });
});

test('with a config of no pools, explicit ranges still work', () => {
  withSandbox({ config: { pools: [] } }, (sandbox) => {
    const ar = register(sandbox, IP4);
    assert.equal(lease(sandbox, ar), '10.0.0.10');
    expectFailure(sandbox.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv', SIZE: '4' })), 3, ['pool']);
  });
});
