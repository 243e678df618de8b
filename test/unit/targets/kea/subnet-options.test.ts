/**
 * A pool's settings against Kea's subnet (pure): the subnets read from a real Kea 2.2
 * `config-get`, the findings where the subnet would serve other options or has no pool for the
 * pool's ranges, and the configuration rendered for the operator.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { subnetFor, subnetsOfConfig } from '../../../../src/targets/kea/kea-subnets.ts';
import {
  checkSubnet,
  type DhcpPool,
  describeFinding,
  dropTest,
  renderKeaSubnets,
} from '../../../../src/targets/kea/subnet-options.ts';
import { recorded } from '../../../support/fake-kea-agent.ts';

const KEA_22 = subnetsOfConfig('ipv4', (recorded('config-get') as [{ arguments: unknown }])[0].arguments);

const POOL: DhcpPool = {
  family: 'ipv4',
  subnet: '10.77.0.0/24',
  ranges: [{ first: '10.77.0.50', last: '10.77.0.99' }],
  gateway: '10.77.0.1',
  dnsServers: ['10.77.0.2', '10.77.0.3'],
  mtu: 1450,
  searchDomain: 'cloud.example.com',
};

test('the subnets of a real Kea 2.2 config-get: id, canonical prefix, pools and options', () => {
  assert.equal(KEA_22.length, 1);
  const [subnet] = KEA_22;
  assert.deepEqual(
    [subnet!.id, subnet!.subnet, subnet!.pools.map((p) => p.pool)],
    [7, '10.77.0.0/24', ['10.77.0.10-10.77.0.200']],
  );
  assert.deepEqual(
    subnet!.options.map((o) => [o.code, o.data]),
    [
      [3, '10.77.0.1'],
      [6, '10.77.0.2, 10.77.0.3'],
      [26, '1450'],
      [119, 'cloud.example.com, example.com'],
      [15, 'cloud.example.com'],
    ],
  );
  assert.equal(subnetFor(KEA_22, 'ipv4', '10.77.0.0/24'), subnet);
  assert.equal(subnetFor(KEA_22, 'ipv4', '10.77.1.0/24'), undefined);
  assert.equal(subnetFor(KEA_22, 'ipv6', '10.77.0.0/24'), undefined);
});

test("options are the subnet's over its shared network's over the global ones; subnets of shared networks are found", () => {
  const subnets = subnetsOfConfig('ipv4', {
    Dhcp4: {
      'option-data': [
        { code: 6, name: 'domain-name-servers', data: '192.0.2.53' },
        { code: 26, name: 'interface-mtu', data: '9000' },
      ],
      subnet4: [
        { id: 1, subnet: '10.1.0.0/24', pools: [], 'option-data': [{ code: 3, name: 'routers', data: '10.1.0.1' }] },
      ],
      'shared-networks': [
        {
          name: 'rack',
          'option-data': [{ code: 6, name: 'domain-name-servers', data: '10.2.0.53' }],
          subnet4: [{ id: 2, subnet: '10.2.0.0/24', 'client-class': 'rack-a', pools: [{ pool: '10.2.0.0/25' }] }],
        },
      ],
    },
  });
  const values = (id: number) =>
    Object.fromEntries(subnets.find((s) => s.id === id)!.options.map((o) => [o.name, o.data]));
  assert.deepEqual(values(1), { 'domain-name-servers': '192.0.2.53', 'interface-mtu': '9000', routers: '10.1.0.1' });
  assert.deepEqual(values(2), { 'interface-mtu': '9000', 'domain-name-servers': '10.2.0.53' });
  assert.equal(subnets.find((s) => s.id === 2)!.clientClass, 'rack-a');
});

test("a subnet that serves what the pool says has no findings; the search list may hold more than the pool's domain only as a finding", () => {
  const { searchDomain: _, ...noSearch } = POOL;
  assert.deepEqual(checkSubnet(noSearch, KEA_22[0]), []);
  const findings = checkSubnet(POOL, KEA_22[0]);
  assert.deepEqual(findings, [
    {
      kind: 'option-differs',
      subnet: '10.77.0.0/24',
      option: 'domain-search',
      expected: 'cloud.example.com',
      actual: 'cloud.example.com, example.com',
    },
  ]);
});

test('a different gateway, DNS order, MTU or a missing option is a finding each, in words an operator reads', () => {
  const { searchDomain: _, ...noSearch } = POOL;
  const findings = checkSubnet(
    { ...noSearch, gateway: '10.77.0.254', dnsServers: ['10.77.0.3', '10.77.0.2'], mtu: 1500 },
    KEA_22[0],
  );
  assert.deepEqual(
    findings.map((f) => f.kind === 'option-differs' && [f.option, f.expected, f.actual]),
    [
      ['routers', '10.77.0.254', '10.77.0.1'],
      ['domain-name-servers', '10.77.0.3, 10.77.0.2', '10.77.0.2, 10.77.0.3'],
      ['interface-mtu', '1500', '1450'],
    ],
  );
  const bare = { ...KEA_22[0]!, options: [] };
  const missing = checkSubnet(POOL, bare);
  assert.equal(missing.length, 5);
  assert.equal(
    describeFinding(missing[0]!),
    'Kea\'s subnet 10.77.0.0/24 sends routers not at all, the pool says "10.77.0.1"',
  );
});

test('options Kea holds as hex (csv-format false) are compared by value', () => {
  const subnet = {
    ...KEA_22[0]!,
    options: [
      { code: 3, data: '0A4D0001', csvFormat: false },
      { code: 6, data: '0a:4d:00:02:0a:4d:00:03', csvFormat: false },
      { code: 26, data: '05AA', csvFormat: false },
      { code: 15, data: Buffer.from('cloud.example.com').toString('hex'), csvFormat: false },
      { code: 119, data: '05636c6f7564076578616d706c6503636f6d00', csvFormat: false },
    ],
  };
  assert.deepEqual(checkSubnet(POOL, subnet), []);
});

test('pool ranges outside every Kea pool are findings (Kea does not serve leases there), part by part', () => {
  const findings = checkSubnet(
    {
      ...POOL,
      ranges: [
        { first: '10.77.0.2', last: '10.77.0.20' },
        { first: '10.77.0.150', last: '10.77.0.250' },
      ],
    },
    KEA_22[0],
  );
  assert.deepEqual(
    findings
      .filter((f) => f.kind === 'range-outside-pools')
      .map((f) => f.kind === 'range-outside-pools' && `${f.first}-${f.last}`),
    ['10.77.0.2-10.77.0.9', '10.77.0.201-10.77.0.250'],
  );
  assert.deepEqual(checkSubnet(POOL, undefined), [{ kind: 'subnet-missing', subnet: '10.77.0.0/24' }]);
});

test('the rendered configuration: one subnet per pool, pools over its ranges, its options, and a DROP class for other MACs', () => {
  const rendered = renderKeaSubnets([{ ...POOL, id: 7 }], { macs: ['02:00:0A:4D:00:32', '02:00:0a:4d:00:33'] });
  assert.deepEqual(rendered, {
    Dhcp4: {
      'client-classes': [{ name: 'DROP', test: 'not (pkt4.mac == 0x02000a4d0032 or pkt4.mac == 0x02000a4d0033)' }],
      subnet4: [
        {
          id: 7,
          subnet: '10.77.0.0/24',
          pools: [{ pool: '10.77.0.50 - 10.77.0.99' }],
          'option-data': [
            { name: 'routers', data: '10.77.0.1' },
            { name: 'domain-name-servers', data: '10.77.0.2, 10.77.0.3' },
            { name: 'interface-mtu', data: '1450' },
            { name: 'domain-name', data: 'cloud.example.com' },
            { name: 'domain-search', data: 'cloud.example.com' },
          ],
        },
      ],
    },
  });
  // What it renders passes its own check.
  const back = subnetsOfConfig('ipv4', { Dhcp4: rendered.Dhcp4 });
  assert.deepEqual(checkSubnet(POOL, back[0]), []);
  assert.equal(dropTest({ macPrefix: '02:00' }), 'not (substring(pkt4.mac,0,2) == 0x0200)');
  assert.deepEqual(
    renderKeaSubnets(
      [
        {
          family: 'ipv6',
          subnet: '2001:db8::/64',
          ranges: [{ first: '2001:db8::10', last: '2001:db8::ff' }],
          dnsServers: ['2001:db8::53'],
          id: 2,
        },
      ],
      { macPrefix: '02:00' },
    ),
    {
      Dhcp6: {
        subnet6: [
          {
            id: 2,
            subnet: '2001:db8::/64',
            pools: [{ pool: '2001:db8::10 - 2001:db8::ff' }],
            'option-data': [{ name: 'dns-servers', data: '2001:db8::53' }],
          },
        ],
      },
    },
  );
});
