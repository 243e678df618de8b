/**
 * The failures of the DNS edge, each one line naming what was being done ("update zone
 * cloud.example.com"), the server and what went wrong. A key the server refuses is the
 * operator's to fix (`config`); a server that does not answer, or answers garbage, is I/O
 * (`store-io`, the kind every other "could not talk to it" failure has). A failed prerequisite is
 * never one of these: it is an outcome (`DnsUpdateOutcome`), reported, not thrown.
 */
import { type ErrorKind, IpamError } from '../../core/errors.ts';
import { type DnsServer, serverLabel } from './dns-server.ts';
import type { TsigProblem } from './tsig.ts';

/** What was being done, e.g. "update zone cloud.example.com" or "read zone 2.0.192.in-addr.arpa". */
export type DnsAction = string;

function failure(kind: ErrorKind, action: DnsAction, server: DnsServer, reason: string): IpamError {
  const where = serverLabel(server);
  return new IpamError(kind, `Cannot ${action} on ${where}: ${reason}`, { subject: where, reason });
}

export function tsigFailure(action: DnsAction, server: DnsServer, problem: TsigProblem): IpamError {
  const key = `TSIG key ${JSON.stringify(server.tsig?.name ?? '')}`;
  switch (problem.kind) {
    case 'refused': {
      const advice =
        problem.error === 'BADSIG'
          ? "check the key's secret"
          : problem.error === 'BADKEY'
            ? "check the key's name and algorithm, and that the server has the key"
            : problem.error === 'BADTIME'
              ? `check both clocks (the server's says ${problem.serverTime ?? 'nothing'}, ours ${Math.floor(Date.now() / 1000)})`
              : 'check the key';
      return failure('config', action, server, `the server refused ${key} (${problem.error}); ${advice}`);
    }
    case 'refused-unsigned':
      // An unsigned refusal does not say whether the key or the zone was the trouble (PowerDNS
      // answers both so), so the advice names both.
      return failure(
        'config',
        action,
        server,
        `the server refused ${key} (${problem.rcode}, unsigned); check the key's name, algorithm and secret, and that it serves the zone`,
      );
    case 'unsigned':
      return failure(
        'config',
        action,
        server,
        `its answer is not signed with ${key}; check that the server has the key`,
      );
    case 'other-key':
      return failure(
        'config',
        action,
        server,
        `its answer is signed with key ${JSON.stringify(problem.name)} (${problem.algorithm}), not ${key}`,
      );
    case 'bad-mac':
      return failure('config', action, server, `its answer's signature does not match ${key}; check the key's secret`);
    case 'mac-size':
      return failure(
        'config',
        action,
        server,
        `its answer's MAC has ${problem.size} bytes, outside ${problem.shortest} to ${problem.longest} for ${key}`,
      );
    case 'time':
      return failure(
        'config',
        action,
        server,
        `its answer was signed at ${problem.signed}, more than ${problem.fudge} s from our clock's ${problem.now}; check both clocks`,
      );
    case 'too-many-unsigned':
      return failure('config', action, server, 'the transfer sent 100 messages in a row without a TSIG signature');
  }
}

export function noAnswer(action: DnsAction, server: DnsServer, transport: 'UDP' | 'TCP'): IpamError {
  return failure(
    'store-io',
    action,
    server,
    `no answer within ${server.timeoutMs} ms over ${transport}; is the server up?`,
  );
}

const NETWORK_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused; is the server up on that port?',
  ECONNRESET: 'the server reset the connection',
  EPIPE: 'the server closed the connection',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ENOTFOUND: 'the host name does not resolve',
};

export function networkFailure(action: DnsAction, server: DnsServer, error: Error): IpamError {
  const code = (error as NodeJS.ErrnoException).code;
  const words = code === undefined ? undefined : NETWORK_WORDS[code];
  return failure('store-io', action, server, words === undefined ? error.message : `${words} (${code})`);
}

export function closedEarly(action: DnsAction, server: DnsServer, unanswered: number): IpamError {
  return failure(
    'store-io',
    action,
    server,
    `the server closed the connection with ${unanswered} request(s) unanswered`,
  );
}

export function malformedAnswer(action: DnsAction, server: DnsServer, what: string): IpamError {
  return failure('store-io', action, server, `its answer cannot be read: ${what}`);
}

export function refusedTransfer(action: DnsAction, server: DnsServer, rcode: string): IpamError {
  return failure(
    'config',
    action,
    server,
    `the server answered ${rcode}; check that it serves the zone and allows the transfer (allow-transfer, TSIG-ALLOW-AXFR)`,
  );
}

export function unencodable(action: DnsAction, server: DnsServer, why: string): IpamError {
  return failure('internal', action, server, `the update cannot be written as a DNS message: ${why}`);
}
