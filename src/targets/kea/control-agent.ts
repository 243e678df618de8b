/**
 * One command to Kea's control agent: a JSON POST over `node:http`, bounded as a whole by
 * `timeoutMs` (connect, send and the whole answer), so an agent that accepts and never answers
 * fails as surely as one that is down. Connections are kept alive and reused (a pass sends one
 * command per lease: a new connection each costs about half of one), at most `MAX_CONNECTIONS`
 * per agent, each closed by us after `IDLE_MS` unused, before the agent's own idle timeout
 * closes it. A kept-alive connection the agent closed meanwhile fails the next command
 * before the agent read it: that command is sent once more, on a new connection. `node:http` is
 * loaded on first use: the bundle's driver actions never talk to Kea and must not pay for it.
 *
 * Kea answers a command forwarded to a server (`service`) with a list of one answer per server;
 * `result` is 0 success, 1 error, 2 command not supported, 3 empty (nothing found).
 */
import type * as httpModule from 'node:http';
import { httpPost, loadHttp, StaleConnection } from '../../lazy-http.ts';
import { IpamError, type ErrorKind } from '../../core/errors.ts';

export interface ControlAgent {
  /** The agent's URL, e.g. `http://127.0.0.1:8000/`. */
  readonly url: string;
  readonly timeoutMs: number;
}

export type KeaService = 'dhcp4' | 'dhcp6';

export interface KeaAnswer {
  readonly result: number;
  readonly text: string;
  readonly arguments?: unknown;
}

export const KEA_SUCCESS = 0;
// 1 is Kea's plain error; 2 (the command is not there: no hook library for it) is told apart.
const KEA_UNSUPPORTED = 2;
export const KEA_EMPTY = 3;

/** Sends `command` to `service` behind the agent; the server's answer, whatever its result. */
export async function sendCommand(
  agent: ControlAgent,
  service: KeaService,
  command: string,
  args?: unknown,
): Promise<KeaAnswer> {
  const body = Buffer.from(
    JSON.stringify({ command, service: [service], ...(args === undefined ? {} : { arguments: args }) }),
  );
  let text: string;
  try {
    text = await postJson(agent, body);
  } catch (error) {
    throw keaFailure('store-io', agent, service, command, (error as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw keaFailure('store-io', agent, service, command, `the answer is not JSON: ${oneLine(text).slice(0, 80)}`);
  }
  const answer = toAnswer(Array.isArray(parsed) ? parsed[0] : parsed);
  if (!answer)
    throw keaFailure('store-io', agent, service, command, `the answer has no result: ${oneLine(text).slice(0, 80)}`);
  return answer;
}

/**
 * Like sendCommand, but only `accepted` results come back (success, and empty where the caller
 * says so); anything else is the one-line failure: command not supported is `unsupported`, any
 * other refusal `refusal` (a read that fails is I/O; a change Kea refuses is a conflict).
 */
export async function runCommand(
  agent: ControlAgent,
  service: KeaService,
  command: string,
  args: unknown,
  options: { readonly emptyIsFine?: boolean; readonly refusal: ErrorKind },
): Promise<KeaAnswer> {
  const answer = await sendCommand(agent, service, command, args);
  if (answer.result === KEA_SUCCESS || (answer.result === KEA_EMPTY && options.emptyIsFine)) return answer;
  const kind = answer.result === KEA_UNSUPPORTED ? 'unsupported' : options.refusal;
  throw keaFailure(kind, agent, service, command, `Kea says (result ${answer.result}): ${oneLine(answer.text)}`);
}

/** "Cannot run lease4-add on Kea's control agent at URL (dhcp4): reason", one line. */
export function keaFailure(
  kind: ErrorKind,
  agent: ControlAgent,
  service: KeaService,
  command: string,
  reason: string,
): IpamError {
  const where = `Kea's control agent at ${agent.url} (${service})`;
  return new IpamError(kind, `Cannot run ${command} on ${where}: ${reason}`, { subject: agent.url, reason });
}

function toAnswer(value: unknown): KeaAnswer | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { result, text, arguments: args } = value as { result?: unknown; text?: unknown; arguments?: unknown };
  if (typeof result !== 'number') return undefined;
  return { result, text: typeof text === 'string' ? text : '', ...(args === undefined ? {} : { arguments: args }) };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Commands in flight to one agent at most (callers bound theirs to it, see open-kea.ts). */
export const MAX_CONNECTIONS = 8;
const IDLE_MS = 5_000;
/** One pool of kept-alive connections per agent URL, for the life of the process. */
const pools = new Map<string, httpModule.Agent>();

async function postJson(agent: ControlAgent, body: Buffer): Promise<string> {
  const http = await loadHttp();
  const url = new URL(agent.url);
  if (url.protocol !== 'http:') throw new Error(`only http:// is supported, not ${url.protocol}//`);
  let pool = pools.get(url.origin);
  if (!pool) {
    pool = new http.Agent({ keepAlive: true, maxSockets: MAX_CONNECTIONS, timeout: IDLE_MS });
    pools.set(url.origin, pool);
  }
  const deadline = Date.now() + agent.timeoutMs;
  const post = { contentType: 'application/json', timeoutMs: agent.timeoutMs };
  try {
    return await httpPost(url, body, { ...post, agent: pool });
  } catch (error) {
    const left = deadline - Date.now();
    if (!(error instanceof StaleConnection) || left <= 0) throw error;
    return await httpPost(url, body, { ...post, agent: false, timeoutMs: left });
  }
}
