/**
 * A minimal etcd v3 client over the JSON gateway (`POST /v3/kv/range`, `/v3/kv/txn`,
 * `/v3/auth/authenticate`), one plain HTTP/1.1 exchange per call (http-exchange.ts, on
 * `node:net`, or `node:tls` for https endpoints): the `etcd3` package reads .proto files at run
 * time (which breaks the one-file bundle) and costs ~8x a bare Node start; global `fetch` loads
 * undici (~6x); `node:http` costs 5-15 ms of loading per action.
 *
 * The gateway speaks protobuf-as-JSON: keys and values are base64, int64 fields are strings, and
 * fields at their zero value are left out (a `count` of 0 is absent).
 *
 * Failover: endpoints are tried in the configured order (the local member first), starting from
 * the one that answered last. A call that cannot connect, or that the member answers with
 * "unavailable" (no leader, no quorum), moves to the next endpoint. Every HTTP call has its own
 * timeout (`timeoutMs`). A transaction whose request left but whose answer did not come back is
 * NOT retried here: it may have landed, and only the caller knows how to find out (`AnswerLost`,
 * see etcd-store.ts).
 */
import { IpamError } from '../../errors.ts';
import { ExchangeFailed, postOnce, type Answer } from './http-exchange.ts';

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

export type Op = { readonly put: string; readonly value: string | Buffer } | { readonly delete: string; readonly rangeEnd?: string };

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
        'absent' in c ? { key: b64(c.key), target: 'CREATE', result: 'EQUAL', create_revision: '0' } : { key: b64(c.key), target: 'MOD', result: 'EQUAL', mod_revision: c.modRevision },
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

  /**
   * Drops etcd's history before `revision` (the whole cluster's, as etcd compacts). Not
   * physical: etcd answers at once and frees the space in the background.
   */
  async compact(revision: string): Promise<void> {
    await this.call('/v3/kv/compaction', { revision, physical: false }, false);
  }

  /** The answering member's database size, on disk and in use (`/v3/maintenance/status`). */
  async dbSize(): Promise<{ readonly bytes: number; readonly inUseBytes?: number }> {
    const answer = (await this.call('/v3/maintenance/status', {}, false)) as { dbSize?: string; dbSizeInUse?: string };
    return { bytes: Number(answer.dbSize ?? 0), ...(answer.dbSizeInUse === undefined ? {} : { inUseBytes: Number(answer.dbSizeInUse) }) };
  }

  /**
   * A member's own Prometheus text (`/metrics`, which etcd serves without authentication):
   * its quota, which no API call tells. The first endpoint that answers; undefined when none does.
   */
  async metricsText(): Promise<string | undefined> {
    const { endpoints, timeoutMs, tls } = this.options;
    for (let attempt = 0; attempt < endpoints.length; attempt++) {
      const endpoint = endpoints[(this.preferred + attempt) % endpoints.length]!;
      try {
        const answer = await postOnce({ url: new URL('/metrics', endpoint), headers: {}, body: Buffer.alloc(0), timeoutMs, ...(tls ? { tls } : {}) });
        if (answer.status === 200) return answer.body.toString('utf8');
      } catch (error) {
        if (!(error instanceof ExchangeFailed)) throw error;
      }
    }
    return undefined;
  }

  /** Nothing to release: every call has its own connection (http-exchange.ts). */
  close(): void {}

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
    const { timeoutMs, tls, onTxnSent } = this.options;
    let answer: Answer;
    try {
      answer = await postOnce({
        url: new URL(path, endpoint),
        headers: this.token === undefined || path.startsWith('/v3/auth/') ? {} : { Authorization: this.token },
        body: Buffer.from(JSON.stringify(body), 'utf8'),
        timeoutMs,
        ...(tls ? { tls } : {}),
        ...(isWrite && onTxnSent ? { onSent: onTxnSent } : {}),
      });
    } catch (error) {
      if (!(error instanceof ExchangeFailed)) throw error;
      // A write that left may be in the log already: only a read can tell.
      throw isWrite && error.sent ? new AnswerLost(`${endpoint}: ${error.message}`) : new EndpointDown(error.message);
    }
    const text = answer.body.toString('utf8');
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      const why = `HTTP ${answer.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 80))}`;
      throw isWrite ? new AnswerLost(`${endpoint}: ${why}`) : new EndpointDown(why);
    }
    if (answer.status === 200) return json;
    const message = String(json.message ?? json.error ?? text).slice(0, 200);
    const code = Number(json.code);
    // gRPC codes: 14 unavailable (no leader, stopping), 4 deadline exceeded (no quorum). Either
    // may come after the member took the write into its log: a write's outcome is then unknown.
    if (code === 14 || code === 4 || answer.status === 503) throw isWrite ? new AnswerLost(`${endpoint}: etcd says ${message}`) : new EndpointDown(`etcd says ${message}`);
    if (code === 16) this.token = undefined;
    // A refused login, 7/16 (permission, token): the config's user, password or grants; 11 (out
    // of range): a revision etcd has compacted away.
    const kind = path.startsWith('/v3/auth/') || code === 7 || code === 16 ? 'config' : code === 11 ? 'not-found' : 'store-io';
    throw new IpamError(kind, `Cannot use etcd at ${endpoint}: ${path} was refused with ${message}${isWrite ? '; nothing was written' : ''}`);
  }
}

interface RangeJson {
  header?: { revision?: string };
  kvs?: { key?: string; value?: string; mod_revision?: string; create_revision?: string; version?: string }[];
  count?: string;
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
