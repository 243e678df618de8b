/**
 * DNS over one TCP connection (RFC 1035 4.2.2, RFC 7766): each message is preceded by its
 * length in two bytes. Requests may be written back to back (pipelined, RFC 7766 6.2.1.1) and
 * answers are read one by one; every wait, for the connection or for the next answer, is bounded
 * by the server's timeout, so a server that stops answering is an error, never a hang.
 */
import * as net from 'node:net';
import { type DnsAction, closedEarly, networkFailure, noAnswer } from './dns-failure.ts';
import type { DnsServer } from './dns-server.ts';

export class TcpStream {
  private readonly socket: net.Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly answers: Buffer[] = [];
  private failure: Error | undefined;
  private ended = false;
  private wake: (() => void) | undefined;

  private constructor(
    private readonly server: DnsServer,
    socket: net.Socket,
  ) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 2) {
        const length = this.buffered.readUInt16BE(0);
        if (this.buffered.length < 2 + length) break;
        this.answers.push(this.buffered.subarray(2, 2 + length));
        this.buffered = this.buffered.subarray(2 + length);
      }
      this.poke();
    });
    socket.on('error', (error) => {
      this.failure ??= error;
      this.poke();
    });
    socket.on('close', () => {
      this.ended = true;
      this.poke();
    });
  }

  /** Connects within the server's timeout. */
  static open(server: DnsServer, action: DnsAction): Promise<TcpStream> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: server.host, port: server.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(noAnswer(action, server, 'TCP'));
      }, server.timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(networkFailure(action, server, error));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new TcpStream(server, socket));
      });
    });
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  send(message: Buffer): void {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(message.length, 0);
    this.socket.write(Buffer.concat([length, message]));
  }

  /** The next answer; `action` and `unanswered` say what a failure is about. */
  async next(action: DnsAction, unanswered: number): Promise<Buffer> {
    for (;;) {
      const answer = this.answers.shift();
      if (answer !== undefined) return answer;
      if (this.failure !== undefined) throw networkFailure(action, this.server, this.failure);
      if (this.ended) throw closedEarly(action, this.server, unanswered);
      const arrived = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), this.server.timeoutMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      if (!arrived) throw noAnswer(action, this.server, 'TCP');
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
