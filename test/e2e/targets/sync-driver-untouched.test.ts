/**
 * Driver actions never talk to a sync target (issue 18 item 2): with targets configured whose
 * servers are sockets of this test that count every packet and connection, and a TSIG key file
 * that does not exist, register, get_address and free_address answer byte for byte as without
 * targets, and nothing reaches the sockets.
 */
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { createCliSandbox } from '../../support/cli-harness.ts';

const POOL = { name: 'p', network: '192.0.2.0/26', gateway: 'first', default: true };
let udp: dgram.Socket;
let tcp: net.Server;
let touched = 0;

before(async () => {
  tcp = net.createServer((socket) => {
    touched++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const { port } = tcp.address() as net.AddressInfo;
  udp = dgram.createSocket('udp4');
  udp.on('message', () => touched++);
  await new Promise<void>((resolve) => udp.bind(port, '127.0.0.1', resolve));
});
after(() => {
  udp.close();
  tcp.close();
});

it('with every target down or unreadable, driver actions answer as without targets and send nothing', async () => {
  const port = (tcp.address() as net.AddressInfo).port;
  const plain = createCliSandbox({ config: { pools: [POOL] } });
  const synced = createCliSandbox({ config: { pools: [POOL] } });
  try {
    fs.writeFileSync(
      synced.configPath!,
      JSON.stringify({
        targets: {
          dns: {
            type: 'rfc2136',
            host: '127.0.0.1',
            port,
            tsigKeyName: 'nebula',
            tsigSecretFile: path.join(synced.dir, 'no-such.key'),
          },
          kea: { type: 'kea', url: `http://127.0.0.1:${port}/` },
        },
        pools: [
          {
            ...POOL,
            dnsNames: { forwardZone: 'cloud.example.com', server: 'dns' },
            dhcp: { server: 'kea' },
          },
        ],
      }),
    );
    const arPlain = plain.register({ SIZE: '10' });
    const arSynced = synced.register({ SIZE: '10' });
    assert.deepEqual(arSynced.attrs, arPlain.attrs);
    for (let i = 0; i < 3; i++) {
      const a = plain.run('get_address', arPlain.getXml(1));
      const b = synced.run('get_address', arSynced.getXml(1));
      assert.deepEqual(b, a, 'get_address: same exit, stdout and stderr');
    }
    assert.deepEqual(synced.run('free_address', arSynced.freeXml(1n)), plain.run('free_address', arPlain.freeXml(1n)));
    // The sockets' queues are read now that the event loop runs again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(touched, 0, 'no packet or connection reached a target');
    // sync itself does reach them: the sockets count (the test can fail).
    const sync = synced.cli(['sync']);
    assert.equal(sync.code, 4, `the missing key file: ${sync.stderr}`);
    // The words of every file that is not there (no-such-file.ts), with the config's exit code.
    assert.match(sync.stderr, /tsigSecretFile "[^"]*no-such\.key": there is no such file; nothing was changed/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(touched > 0, 'sync asked the Kea target');
  } finally {
    plain.cleanup();
    synced.cleanup();
  }
});
