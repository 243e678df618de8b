/**
 * The DNS server an edge talks to, as the config describes it once the TSIG secret is read, and
 * how messages name it ("127.0.0.1:15353").
 */
import type { TsigKey } from './tsig-algorithm.ts';

export interface DnsServer {
  /** An IP address (or a name the system resolves). */
  readonly host: string;
  readonly port: number;
  /** Without a key, requests go unsigned (a server that allows updates by address). */
  readonly tsig?: TsigKey;
  /** How long to wait for each answer (and for a connection): past it the server counts as down. */
  readonly timeoutMs: number;
}

export const DEFAULT_DNS_PORT = 53;
export const DEFAULT_DNS_TIMEOUT_MS = 2_000;

export function serverLabel(server: Pick<DnsServer, 'host' | 'port'>): string {
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}
