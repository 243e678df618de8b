/**
 * A stand-in for Kea's control agent in unit tests: an HTTP server on 127.0.0.1 that answers each
 * command from a script (a function of the command, its service and arguments) and records what
 * it was sent, so the edge's real HTTP path is what the tests use. Answers recorded from Debian
 * 12's Kea 2.2 live in test/fixtures/kea-2.2/; `silent` accepts connections and never answers.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { REPO_ROOT } from './driver-harness.ts';

export interface SentCommand {
  readonly command: string;
  readonly service?: readonly string[];
  readonly arguments?: Record<string, unknown>;
}

export type Script = (sent: SentCommand) => unknown;

export interface FakeKeaAgent {
  readonly url: string;
  readonly sent: SentCommand[];
  close(): Promise<void>;
}

export async function startFakeKeaAgent(script: Script | 'silent'): Promise<FakeKeaAgent> {
  const sent: SentCommand[] = [];
  const server = http.createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      if (script === 'silent') return;
      const command = JSON.parse(Buffer.concat(parts).toString('utf8')) as SentCommand;
      sent.push(command);
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(script(command)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    sent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** A recorded answer of Kea 2.2 (a list with one answer, as the agent forwards it). */
export function recorded(name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'kea-2.2', `${name}.json`), 'utf8'));
}

/** One server's answer, as the agent wraps it. */
export function answer(result: number, text: string, args?: unknown): unknown {
  return [{ result, text, ...(args === undefined ? {} : { arguments: args }) }];
}

/** Kea 2.2's recorded commands plus host_cmds' (Debian's Kea 2.2 has no host_cmds to record). */
export const HOST_CMDS: readonly string[] = [
  ...(recorded('list-commands') as [{ arguments: string[] }])[0].arguments,
  'reservation-add',
  'reservation-del',
  'reservation-get',
  'reservation-get-all',
];

/** A Kea with host_cmds, after Kea's reference manual: `reservations` by address, the recorded config. */
export function reservationScript(reservations: Map<string, Record<string, unknown>>): Script {
  return (sent) => {
    const args = sent.arguments ?? {};
    switch (sent.command) {
      case 'list-commands':
        return answer(0, '', HOST_CMDS);
      case 'config-get':
        return recorded('config-get');
      case 'reservation-get': {
        const host = reservations.get(args['ip-address'] as string);
        return host ? answer(0, 'Host found.', host) : answer(3, 'Host not found.');
      }
      case 'reservation-get-all':
        return answer(0, `${reservations.size} IPv4 host(s) found.`, { hosts: [...reservations.values()] });
      case 'reservation-add': {
        const reservation = args.reservation as Record<string, unknown>;
        reservations.set(reservation['ip-address'] as string, reservation);
        return answer(0, 'Host added.');
      }
      case 'reservation-del':
        return reservations.delete(args['ip-address'] as string)
          ? answer(0, 'Host deleted.')
          : answer(3, 'Host not deleted (not found).');
      default:
        return answer(2, 'not supported');
    }
  };
}
