/** A port on 127.0.0.1 that was free a moment ago (the kernel handed it out, it was closed again): connections to it are refused. */
import * as net from 'node:net';

export function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
