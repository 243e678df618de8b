/**
 * A minimal etcd v3 client over the JSON gateway (`POST /v3/kv/range`, `/v3/kv/txn`,
 * `/v3/auth/authenticate`), on `node:http`: the `etcd3` package reads .proto files at run time
 * (which breaks the one-file bundle) and costs ~8x a bare Node start; global `fetch` loads undici
 * (~6x). `node:https` is loaded only when an endpoint is https, since loading TLS alone costs
 * more than a whole plain action.
 *
 * The gateway speaks protobuf-as-JSON: keys and values are base64, int64 fields are strings, and
 * fields at their zero value are left out (a `count` of 0 is absent). Node decodes chunked
 * responses (the gateway sends big values that way) before we see the body.
 *
 * Failover: endpoints are tried in the configured order (the local member first). A call that
 * cannot connect, or that the member answers with "unavailable" (no leader, no quorum), moves
 * to the next endpoint. Every HTTP call has its own timeout (`timeoutMs`). A transaction whose
 * request left but whose answer did not come back is NOT retried here: it may have landed, and
 * only the caller knows how to find out (`AnswerLost`, see etcd-store.ts).
 */
import type * as http from 'node:http';
import { IpamError } from '../../errors.ts';

export interface EtcdTls {
  /** PEM text of the CA, client certificate and key (read by the config loader). */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface EtcdClientOptions {
  readonly endpoints: readonly string[];
  readonly timeoutMs: number;
  readonly tls?: EtcdTls;
  readonly user?: string;
  readonly password?: string;
  /** Test hook: called when a transaction's request has been handed to the kernel. */
  readonly onTxnSent?: () => void;
}

export interface KeyValue {
  readonly key: string;
  readonly value: Buffer;
  readonly modRevision: string;
  readonly createRevision: string;
  readonly version: string;
}

export interface RangeResult {
  /** The store's revision the answer was read at. */
  readonly revision: string;
  readonly kvs: readonly KeyValue[];
  readonly count: number;
}

export interface RangeRequest {
  readonly key: string;
  /** Exclusive end of the range; `prefixEnd(key)` for everything under a prefix. */
  readonly rangeEnd?: string;
  /** Read as of this revision (MVCC history), not the newest. */
  readonly revision?: string;
  readonly limit?: number;
  readonly countOnly?: boolean;
  readonly keysOnly?: boolean;
  readonly sort?: { readonly target: 'KEY' | 'CREATE' | 'MOD'; readonly order: 'ASCEND' | 'DESCEND' };
}

export type Compare =
  | { readonly key: string; readonly modRevision: string }
  /** The key does not exist (create_revision 0). */
  | { readonly key: string; readonly absent: true };

export type Op =
  | { readonly put: string; readonly value: string | Buffer }
  | { readonly delete: string; readonly rangeEnd?: string };

export interface TxnResult {
  readonly succeeded: boolean;
  readonly revision: string;
}

/** The request left, the answer did not come: the transaction may or may not have landed. */
export class AnswerLost extends Error {}

/** A failure of one endpoint worth trying the next for. */
class EndpointDown extends Error {}

export class EtcdClient {
  private token: string | undefined;
  private agents = new Map<string, http.Agent>();
  /** The endpoint that answered last: a process keeps talking to it. */
  private preferred = 0;
  /** Every endpoint failed on the last call: whoever only records (the audit log) need not wait again. */
  unreachable = false;

  constructor(private readonly options: EtcdClientOptions) {}

  get where(): string {
    return this.options.endpoints.join(',');
  }

  async range(request: RangeRequest): Promise<RangeResult> {
    const body: Record<string, unknown> = { key: b64(request.key) };
    if (request.rangeEnd !== undefined) body.range_end = b64(request.rangeEnd);
    if (request.revision !== undefined) body.revision = request.revision;
    if (request.limit !== undefined) body.limit = String(request.limit);
    if (request.countOnly) body.count_only = true;
    if (request.keysOnly) body.keys_only = true;
    if (request.sort) {
      body.sort_target = request.sort.target;
      body.sort_order = request.sort.order;
    }
    const answer = (await this.call('/v3/kv/range', body, false)) as RangeJson;
    return {
      revision: answer.header?.revision ?? '0',
      kvs: (answer.kvs ?? []).map((kv) => ({
        key: Buffer.from(kv.key ?? '', 'base64').toString('utf8'),
        value: Buffer.from(kv.value ?? '', 'base64'),
        modRevision: kv.mod_revision ?? '0',
        createRevision: kv.create_revision ?? '0',
        version: kv.version ?? '0',
      })),
      count: Number(answer.count ?? 0),
    };
  }

  /** Compares all hold: do `success`; else nothing. Throws AnswerLost when the outcome is unknown. */
  async txn(compare: readonly Compare[], success: readonly Op[]): Promise<TxnResult> {
    const body = {
      compare: compare.map((c) =>
        'absent' in c
          ? { key: b64(c.key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }
          : { key: b64(c.key), target: 'MOD', result: 'EQUAL', mod_revision: c.modRevision },
      ),
      success: success.map((op) =>
        'put' in op
          ? { request_put: { key: b64(op.put), value: (typeof op.value === 'string' ? Buffer.from(op.value, 'utf8') : op.value).toString('base64') } }
          : { request_delete_range: { key: b64(op.delete), ...(op.rangeEnd === undefined ? {} : { range_end: b64(op.rangeEnd) }) } },
      ),
    };
    const answer = (await this.call('/v3/kv/txn', body, true)) as { header?: { revision?: string }; succeeded?: boolean };
    return { succeeded: answer.succeeded === true, revision: answer.header?.revision ?? '0' };
  }

  /** Lets the process exit without waiting for idle keep-alive sockets. */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  /**
   * One gateway call, failing over across endpoints. `isWrite`: once the request may have
   * reached a member, a failure is AnswerLost, not a reason to send it again elsewhere.
   */
  private async call(path: string, body: unknown, isWrite: boolean): Promise<unknown> {
    const { endpoints } = this.options;
    const failures: string[] = [];
    for (let attempt = 0; attempt < endpoints.length; attempt++) {
      const index = (this.preferred + attempt) % endpoints.length;
      const endpoint = endpoints[index]!;
      try {
        if (this.options.user !== undefined && this.token === undefined) await this.authenticate(endpoint);
        const answer = await this.post(endpoint, path, body, isWrite);
        this.preferred = index;
        this.unreachable = false;
        return answer;
      } catch (error) {
        if (error instanceof EndpointDown) {
          failures.push(`${endpoint}: ${error.message}`);
          continue;
        }
        throw error;
      }
    }
    this.unreachable = true;
    throw new IpamError('store-io', `Cannot reach etcd: no endpoint answered (${failures.join('; ')}); nothing was written`);
  }

  private async authenticate(endpoint: string): Promise<void> {
    const answer = (await this.post(endpoint, '/v3/auth/authenticate', { name: this.options.user, password: this.options.password }, false)) as { token?: string };
    if (!answer.token) throw new IpamError('config', `Cannot log in to etcd at ${endpoint} as ${JSON.stringify(this.options.user)}: no token in the answer`);
    this.token = answer.token;
  }

  private async post(endpoint: string, path: string, body: unknown, isWrite: boolean): Promise<unknown> {
    const url = new URL(path, endpoint);
    const secure = url.protocol === 'https:';
    const transport = secure ? await loadHttps() : await loadHttp();
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    const { timeoutMs, tls, onTxnSent } = this.options;
    return new Promise((resolve, reject) => {
      let sent = false;
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        // A pending timer would hold a failed one-shot process open for up to timeoutMs.
        clearTimeout(timer);
        request.destroy();
        // A write that left may be in the log already: only a read can tell.
        reject(isWrite && sent ? new AnswerLost(`${endpoint}: ${why}`) : new EndpointDown(why));
      };
      const request = transport.request(
        url,
        {
          method: 'POST',
          agent: this.agent(endpoint, transport),
          headers: {
            'content-type': 'application/json',
            'content-length': payload.length,
            ...(this.token === undefined || path.startsWith('/v3/auth/') ? {} : { authorization: this.token }),
          },
          ...(secure && tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {}),
        },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (part: Buffer) => parts.push(part));
          response.on('error', (error) => fail(error.message));
          response.on('end', () => {
            if (settled) return;
            clearTimeout(timer);
            const text = Buffer.concat(parts).toString('utf8');
            let json: Record<string, unknown>;
            try {
              json = JSON.parse(text) as Record<string, unknown>;
            } catch {
              return fail(`HTTP ${response.statusCode} with a body that is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
            }
            if (response.statusCode === 200) {
              settled = true;
              return resolve(json);
            }
            const message = String(json.message ?? json.error ?? text).slice(0, 200);
            const code = Number(json.code);
            // gRPC codes: 14 unavailable (no leader, stopping), 4 deadline exceeded (no quorum).
            if (code === 14 || code === 4 || response.statusCode === 503) return fail(`etcd says ${message}`);
            if (code === 16 || /invalid auth token|token/i.test(message)) this.token = undefined;
            settled = true;
            // 7/16: permission, login; 11 (out of range): a revision etcd has compacted away.
            const kind = code === 7 || code === 16 ? 'config' : code === 11 ? 'not-found' : 'store-io';
            reject(new IpamError(kind, `Cannot use etcd at ${endpoint}: ${path} was refused with ${message}${isWrite ? '; nothing was written' : ''}`));
          });
        },
      );
      const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
      request.on('error', (error) => fail((error as NodeJS.ErrnoException).code ?? error.message));
      // An idle keep-alive socket must not keep a one-shot process alive; the timer holds it while a call is out.
      request.on('socket', (socket) => socket.unref());
      request.on('finish', () => {
        sent = true;
        if (isWrite && onTxnSent) onTxnSent();
      });
      request.end(payload);
    });
  }

  private agent(endpoint: string, transport: typeof http): http.Agent {
    let agent = this.agents.get(endpoint);
    if (!agent) {
      agent = new transport.Agent({ keepAlive: true, maxSockets: 1 });
      this.agents.set(endpoint, agent);
    }
    return agent;
  }
}

interface RangeJson {
  header?: { revision?: string };
  kvs?: { key?: string; value?: string; mod_revision?: string; create_revision?: string; version?: string }[];
  count?: string;
}

/**
 * Built-ins loaded on first use, so the file backend's actions never load them. The bundle runs
 * each half in a CommonJS wrapper compiled through vm (boot/start.ts), where `import()` has no
 * loader and fails; the tests run the source as ESM, where `require` does not exist.
 */
async function loadHttp(): Promise<typeof http> {
  return typeof require === 'function' ? (require('node:http') as typeof http) : ((await import('node:http')) as unknown as typeof http);
}

async function loadHttps(): Promise<typeof http> {
  return (typeof require === 'function' ? require('node:https') : await import('node:https')) as unknown as typeof http;
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The smallest key after every key that starts with `prefix`: the range_end of a prefix read. */
export function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  // Prefixes are ASCII (parse-backend.ts), so the last byte is below 0x7f and one more stays ASCII.
  const end = Buffer.from(bytes.subarray(0, bytes.length));
  end[end.length - 1] = bytes[bytes.length - 1]! + 1;
  return end.toString('latin1');
}
