/**
 * The Kea edge against a scripted control agent (real HTTP on 127.0.0.1): which mode it picks,
 * which commands a put, a renewal and a remove send, what it refuses and how it fails. Lease
 * answers are recorded from Debian 12's Kea 2.2 (test/fixtures/kea-2.2/); host_cmds answers are
 * written after Kea's reference manual (Kea 2.2 on Debian has no host_cmds to record them from).
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type * as net from 'node:net';
import { test } from 'node:test';
import type { DhcpHost, ObservedDhcpEntry } from '../../../../src/core/sync/target-records.ts';
import { openKea } from '../../../../src/targets/kea/open-kea.ts';
import { expectIpamRejection } from '../../../support/expect-ipam-error.ts';
import {
  answer,
  recorded,
  reservationScript,
  type Script,
  type SentCommand,
  startFakeKeaAgent,
} from '../../../support/fake-kea-agent.ts';
import { closedPort } from '../../../support/closed-port.ts';

const HOST: DhcpHost = {
  family: 'ipv4',
  mac: '02:00:0a:4d:00:32',
  address: '10.77.0.50',
  hostname: 'vm-50.cloud.example.com',
  subnet: '10.77.0.0/24',
  gateway: '10.77.0.1',
  dnsServers: ['10.77.0.2'],
};

/** A Kea 2.2 with lease_cmds: recorded answers for the look-ups, `leases` the leases it holds. */
function leaseServer(leases: Map<string, Record<string, unknown>>): Script {
  return (sent) => {
    const args = sent.arguments ?? {};
    switch (sent.command) {
      case 'list-commands':
        return recorded('list-commands');
      case 'config-get':
        return recorded('config-get');
      case 'lease4-get': {
        const held = leases.get(args['ip-address'] as string);
        return held ? answer(0, 'IPv4 lease found.', held) : recorded('lease4-get-empty');
      }
      case 'lease4-get-page': {
        // Kea's paging: the leases above `from` ('start': all) in address order, `limit` of them.
        const from = args.from === 'start' ? -1 : ipValue(args.from as string);
        const page = [...leases.values()]
          .filter((l) => ipValue(l['ip-address'] as string) > from)
          .sort((a, b) => ipValue(a['ip-address'] as string) - ipValue(b['ip-address'] as string))
          .slice(0, args.limit as number);
        return answer(page.length ? 0 : 3, `${page.length} IPv4 lease(s) found.`, { leases: page, count: page.length });
      }
      case 'lease4-get-all':
        return leases.size
          ? answer(0, `${leases.size} IPv4 lease(s) found.`, { leases: [...leases.values()] })
          : answer(3, '0 IPv4 lease(s) found.', { leases: [] });
      case 'lease4-add':
        if (leases.has(args['ip-address'] as string)) return recorded('lease4-add-exists');
        leases.set(args['ip-address'] as string, { ...args, cltt: 1_800_000_000 });
        return answer(0, `Lease for address ${args['ip-address']}, subnet-id 7 added.`);
      case 'lease4-update':
        leases.set(args['ip-address'] as string, { ...args, cltt: 1_800_000_000 });
        return answer(0, `IPv4 lease updated.`);
      case 'lease4-del':
        return leases.delete(args['ip-address'] as string)
          ? answer(0, 'IPv4 lease deleted.')
          : answer(3, 'IPv4 lease not found.');
      default:
        return answer(2, `'${sent.command}' command not supported.`);
    }
  };
}

const commands = (sent: readonly SentCommand[]) => sent.map((s) => s.command);
const ipValue = (text: string) => text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

test('a Kea 2.2 with lease_cmds and no host_cmds is used in lease mode; lease4-add carries the lifetime, the hostname, the subnet id and our mark', async () => {
  const agent = await startFakeKeaAgent(leaseServer(new Map()));
  try {
    const kea = openKea({ url: agent.url, timeoutMs: 2_000 });
    assert.equal(await kea.mode(), 'leases');
    await kea.put(HOST, 3_600);
    const add = agent.sent.find((s) => s.command === 'lease4-add')!;
    assert.deepEqual(add.service, ['dhcp4']);
    assert.deepEqual(add.arguments, {
      'ip-address': '10.77.0.50',
      'subnet-id': 7,
      'valid-lft': 3_600,
      'hw-address': '02:00:0a:4d:00:32',
      hostname: 'vm-50.cloud.example.com',
      'user-context': { 'nebula-ipam': {} },
    });
    assert.deepEqual(await kea.read(), [
      {
        family: 'ipv4',
        mac: '02:00:0a:4d:00:32',
        address: '10.77.0.50',
        hostname: 'vm-50.cloud.example.com',
        ours: true,
        expiresAt: 1_800_003_600,
      },
    ]);
  } finally {
    await agent.close();
  }
});

test('putting our lease again renews it with lease4-update (Kea refuses to add one that exists)', async () => {
  const agent = await startFakeKeaAgent(leaseServer(new Map()));
  try {
    const kea = openKea({ url: agent.url, timeoutMs: 2_000 });
    await kea.put(HOST, 3_600);
    await kea.put(HOST, 7_200);
    assert.deepEqual(
      commands(agent.sent).filter((c) => c.startsWith('lease4-add') || c.startsWith('lease4-update')),
      ['lease4-add', 'lease4-update'],
    );
    assert.equal(agent.sent.at(-1)!.arguments!['valid-lft'], 7_200);
  } finally {
    await agent.close();
  }
});

test('given what read() found at the address, put asks Kea nothing more: absent is an add, ours an update, foreign a conflict', async () => {
  const agent = await startFakeKeaAgent(leaseServer(new Map()));
  try {
    const kea = openKea({ url: agent.url, timeoutMs: 2_000 });
    await kea.subnets();
    const before = agent.sent.length;
    await kea.put(HOST, 600, 'absent');
    const [ours] = await kea.read();
    await kea.put(HOST, 600, ours);
    await expectIpamRejection(kea.put(HOST, 600, { ...ours!, ours: false, mac: '52:54:00:12:34:56' }), 'conflict', [
      '10.77.0.50',
      '52:54:00:12:34:56',
    ]);
    assert.deepEqual(commands(agent.sent.slice(before)), [
      'list-commands',
      'lease4-add',
      'lease4-get-page',
      'lease4-update',
    ]);
  } finally {
    await agent.close();
  }
});

test('read() pages through every lease with lease4-get-page, each page from the last address of the one before', async () => {
  const leases = new Map<string, Record<string, unknown>>();
  for (const n of [9, 30, 31, 200, 7])
    leases.set(`10.77.0.${n}`, { 'ip-address': `10.77.0.${n}`, 'hw-address': `52:54:00:00:00:${n}`, 'subnet-id': 7 });
  const agent = await startFakeKeaAgent(leaseServer(leases));
  try {
    const kea = openKea({ url: agent.url, timeoutMs: 2_000, leasePage: 2 });
    const read = await kea.read();
    assert.deepEqual(
      read.map((e) => e.address),
      ['10.77.0.7', '10.77.0.9', '10.77.0.30', '10.77.0.31', '10.77.0.200'],
    );
    assert.deepEqual(
      agent.sent.filter((s) => s.command === 'lease4-get-page').map((s) => s.arguments),
      [
        { from: 'start', limit: 2 },
        { from: '10.77.0.9', limit: 2 },
        { from: '10.77.0.31', limit: 2 },
      ],
    );
  } finally {
    await agent.close();
  }
});

test('a server without lease4-get-page is read with lease4-get-all', async () => {
  const leases = new Map([['10.77.0.9', { 'ip-address': '10.77.0.9', 'hw-address': '52:54:00:00:00:09' }]]);
  const paged = leaseServer(leases);
  const agent = await startFakeKeaAgent((sent) =>
    sent.command === 'lease4-get-page' ? answer(2, "'lease4-get-page' command not supported.") : paged(sent),
  );
  try {
    const read = await openKea({ url: agent.url, timeoutMs: 2_000 }).read();
    assert.deepEqual(
      read.map((e) => e.address),
      ['10.77.0.9'],
    );
    assert.deepEqual(commands(agent.sent), ['list-commands', 'lease4-get-page', 'lease4-get-all']);
  } finally {
    await agent.close();
  }
});

test('an address Kea holds for a lease without our mark is a conflict: nothing is added, updated or deleted', async () => {
  const leases = new Map([
    ['10.77.0.50', { 'ip-address': '10.77.0.50', 'hw-address': '52:54:00:12:34:56', cltt: 1, 'valid-lft': 600 }],
  ]);
  const agent = await startFakeKeaAgent(leaseServer(leases));
  try {
    const kea = openKea({ url: agent.url, timeoutMs: 2_000 });
    await expectIpamRejection(kea.put(HOST, 3_600), 'conflict', [
      agent.url,
      'lease4-add',
      '10.77.0.50',
      '52:54:00:12:34:56',
    ]);
    const [foreign] = await kea.read();
    assert.equal(foreign!.ours, false);
    await expectIpamRejection(kea.remove(foreign!), 'conflict', ['lease4-del', '10.77.0.50']);
    // Even an entry the caller calls ours is checked against what Kea holds now.
    await expectIpamRejection(kea.remove({ ...foreign!, ours: true }), 'conflict', ['10.77.0.50']);
    assert.deepEqual(
      commands(agent.sent).filter((c) => /add|update|del$/.test(c)),
      [],
    );
    assert.equal(leases.size, 1);
  } finally {
    await agent.close();
  }
});

test('a lease marked by another owner is not ours', async () => {
  const leases = new Map([
    [
      '10.77.0.50',
      {
        'ip-address': '10.77.0.50',
        'hw-address': HOST.mac,
        'user-context': { 'nebula-ipam': { owner: 'frontend-b' } },
      },
    ],
  ]);
  const agent = await startFakeKeaAgent(leaseServer(leases));
  try {
    const a = openKea({ url: agent.url, timeoutMs: 2_000, owner: 'frontend-a' });
    assert.equal((await a.read())[0]!.ours, false);
    await expectIpamRejection(a.put(HOST, 60), 'conflict', ['10.77.0.50']);
    const b = openKea({ url: agent.url, timeoutMs: 2_000, owner: 'frontend-b' });
    assert.equal((await b.read())[0]!.ours, true);
  } finally {
    await agent.close();
  }
});

test('remove deletes our lease, and one already gone is not an error', async () => {
  const leases = new Map<string, Record<string, unknown>>();
  const agent = await startFakeKeaAgent(leaseServer(leases));
  try {
    const kea = openKea({ url: agent.url, timeoutMs: 2_000 });
    await kea.put(HOST, 60);
    const [ours] = await kea.read();
    await kea.remove(ours!);
    assert.equal(leases.size, 0);
    await kea.remove(ours!);
    assert.deepEqual(
      commands(agent.sent).filter((c) => c === 'lease4-del'),
      ['lease4-del'],
    );
  } finally {
    await agent.close();
  }
});

test('a host whose network Kea has no subnet for is refused with a config error naming it, and nothing is sent', async () => {
  const agent = await startFakeKeaAgent(leaseServer(new Map()));
  try {
    const kea = openKea({ url: agent.url, timeoutMs: 2_000 });
    await expectIpamRejection(kea.put({ ...HOST, subnet: '10.99.0.0/24', address: '10.99.0.5' }, 60), 'config', [
      agent.url,
      '10.99.0.0/24',
      '10.77.0.0/24',
      HOST.mac,
    ]);
    assert.deepEqual(
      commands(agent.sent).filter((c) => c.startsWith('lease')),
      [],
    );
  } finally {
    await agent.close();
  }
});

test('a server without lease_cmds or host_cmds is unsupported, in one line saying which hook to load', async () => {
  const agent = await startFakeKeaAgent((sent) =>
    sent.command === 'list-commands'
      ? answer(0, '', ['config-get', 'list-commands', 'status-get'])
      : answer(2, 'not supported'),
  );
  try {
    await expectIpamRejection(openKea({ url: agent.url, timeoutMs: 2_000 }).mode(), 'unsupported', [
      agent.url,
      'libdhcp_lease_cmds.so',
    ]);
  } finally {
    await agent.close();
  }
});

test("a Kea refusal is one line with the agent URL, the command and Kea's text", async () => {
  const agent = await startFakeKeaAgent((sent) =>
    sent.command === 'lease4-get-page'
      ? answer(1, 'Unable to communicate with\nthe lease backend')
      : leaseServer(new Map())(sent),
  );
  try {
    await expectIpamRejection(openKea({ url: agent.url, timeoutMs: 2_000 }).read(), 'store-io', [
      agent.url,
      'lease4-get-page',
      'Unable to communicate with the lease backend',
    ]);
  } finally {
    await agent.close();
  }
});

test('commands reuse kept-alive connections; one the agent closes under the next command is sent again on a new one', async () => {
  // An agent that serves the first command of each connection and drops the connection at the second.
  const sent: string[] = [];
  const served = new WeakMap<net.Socket, number>();
  const server = http.createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const { command } = JSON.parse(Buffer.concat(parts).toString('utf8')) as { command: string };
      sent.push(command);
      const count = (served.get(request.socket) ?? 0) + 1;
      served.set(request.socket, count);
      if (count > 1) {
        request.socket.destroy();
        return;
      }
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(recorded(command === 'list-commands' ? 'list-commands' : 'config-get')));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  try {
    const kea = openKea({ url: `http://127.0.0.1:${port}/`, timeoutMs: 2_000 });
    assert.equal(await kea.mode(), 'leases');
    assert.equal((await kea.subnets()).length > 0, true);
    // The second command went out on the kept-alive connection, was dropped, and went again.
    assert.deepEqual(sent, ['list-commands', 'config-get', 'config-get']);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('an agent that accepts and never answers fails within the timeout; one that is down fails at once', async () => {
  const agent = await startFakeKeaAgent('silent');
  try {
    await expectIpamRejection(openKea({ url: agent.url, timeoutMs: 300 }).read(), 'store-io', [
      agent.url,
      'list-commands',
      'no answer within 300 ms',
    ]);
  } finally {
    await agent.close();
  }
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}/`;
  await expectIpamRejection(openKea({ url, timeoutMs: 2_000 }).mode(), 'store-io', [url, 'ECONNREFUSED']);
});

test('IPv6 uses the lease6 commands on the dhcp6 server, keyed by a DUID-LL and IAID made from the MAC', async () => {
  const held = new Map<string, Record<string, unknown>>();
  const agent = await startFakeKeaAgent((sent) => {
    const args = sent.arguments ?? {};
    if (sent.command === 'list-commands')
      return answer(0, '', ['config-get', 'lease6-add', 'lease6-update', 'lease6-del', 'lease6-get', 'lease6-get-all']);
    if (sent.command === 'config-get')
      return answer(0, '', {
        Dhcp6: { subnet6: [{ id: 3, subnet: '2001:db8:77::/64', pools: [{ pool: '2001:db8:77::/80' }] }] },
      });
    if (sent.command === 'lease6-get')
      return held.has(args['ip-address'] as string)
        ? answer(0, 'IPv6 lease found.', held.get(args['ip-address'] as string))
        : answer(3, 'Lease not found.');
    if (sent.command === 'lease6-add') {
      held.set(args['ip-address'] as string, { ...args, cltt: 100 });
      return answer(0, 'Lease added.');
    }
    if (sent.command === 'lease6-get-all') return answer(0, '1 IPv6 lease(s) found.', { leases: [...held.values()] });
    return answer(2, 'not supported');
  });
  try {
    const kea = openKea({ url: agent.url, timeoutMs: 2_000, families: ['ipv6'] });
    const host: DhcpHost = {
      family: 'ipv6',
      mac: '02:00:0a:4d:00:32',
      address: '2001:db8:77::32',
      subnet: '2001:db8:77::/64',
      dnsServers: [],
    };
    await kea.put(host, 600);
    const add = agent.sent.find((s) => s.command === 'lease6-add')!;
    assert.deepEqual(add.service, ['dhcp6']);
    assert.equal(add.arguments!.duid, '00:03:00:01:02:00:0a:4d:00:32');
    assert.equal(add.arguments!.iaid, 0x0a4d0032);
    assert.equal(add.arguments!['subnet-id'], 3);
    const expected: ObservedDhcpEntry[] = [
      { family: 'ipv6', mac: '02:00:0a:4d:00:32', address: '2001:db8:77::32', ours: true, expiresAt: 700 },
    ];
    assert.deepEqual(await kea.read(), expected);
  } finally {
    await agent.close();
  }
});

test("with host_cmds the edge uses reservations: per subnet, with the host's options, replaced rather than renewed", async () => {
  const reservations = new Map<string, Record<string, unknown>>();
  const agent = await startFakeKeaAgent(reservationScript(reservations));
  try {
    const kea = openKea({ url: agent.url, timeoutMs: 2_000 });
    assert.equal(await kea.mode(), 'reservations');
    await kea.put(HOST, 3_600);
    const add = agent.sent.find((s) => s.command === 'reservation-add')!;
    assert.deepEqual(add.arguments, {
      reservation: {
        'subnet-id': 7,
        'hw-address': HOST.mac,
        'ip-address': '10.77.0.50',
        hostname: 'vm-50.cloud.example.com',
        'option-data': [
          { name: 'routers', data: '10.77.0.1' },
          { name: 'domain-name-servers', data: '10.77.0.2' },
        ],
        'user-context': { 'nebula-ipam': {} },
      },
    });
    assert.deepEqual(await kea.read(), [
      { family: 'ipv4', mac: HOST.mac, address: '10.77.0.50', hostname: 'vm-50.cloud.example.com', ours: true },
    ]);
    assert.deepEqual(agent.sent.find((s) => s.command === 'reservation-get-all')!.arguments, { 'subnet-id': 7 });
    await kea.put({ ...HOST, hostname: 'renamed' }, 3_600);
    assert.deepEqual(
      commands(agent.sent).filter((c) => c === 'reservation-add' || c === 'reservation-del'),
      ['reservation-add', 'reservation-del', 'reservation-add'],
    );
    reservations.set('10.77.0.60', { 'hw-address': '52:54:00:12:34:56', 'ip-address': '10.77.0.60' });
    const foreign = (await kea.read()).find((e) => e.address === '10.77.0.60')!;
    assert.equal(foreign.ours, false);
    await expectIpamRejection(kea.remove(foreign), 'conflict', ['reservation-del', '10.77.0.60']);
    await kea.remove((await kea.read()).find((e) => e.address === '10.77.0.50')!);
    assert.deepEqual([...reservations.keys()], ['10.77.0.60']);
  } finally {
    await agent.close();
  }
});
