/**
 * A minimal etcd v3 client over the JSON gateway (`POST /v3/kv/range`, `/v3/kv/txn`,
 * `/v3/auth/authenticate`, `/v3/maintenance/status`), one plain HTTP/1.1 exchange per call
 * (http-exchange.ts, on `node:net`, or `node:tls` for https endpoints): the `etcd3` package
 * reads .proto files at run time (which breaks the one-file bundle) and costs ~8x a bare Node
 * start; global `fetch` loads undici (~6x); `node:http` costs 5-15 ms of loading per action.
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
 *
 * An answer is taken for what it is: a 200 whose body lacks what every etcd answer has (the
 * header's revision) did not come from etcd (a proxy, a load balancer's default page): for a
 * read it is a failed endpoint, for a transaction an unknown outcome (AnswerLost), never "the
 * compare failed". A refusal maps to an exit code by etcd's own error description
 * (etcd-errors.ts): auth on and no user in the config is the config's fault (exit 4).
 *
 * When no endpoint answers, each member is asked for its status (one call each, in parallel,
 * within the timeout) so that the failure says what is wrong: members up without a leader are
 * "no quorum", not "no answer within 2000 ms".
 */
import { IpamError } from '../../core/errors.ts';
import { refusalOf } from './etcd-errors.ts';
import { ExchangeFailed, postOnce, type Answer } from './http-exchange.ts';

export interface EtcdTls {
  /** PEM text of the CA, client certificate and key (tls-files.ts). */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface EtcdClientOptions {
  readonly endpoints: readonly string[];
  readonly timeoutMs: number;
  /**
   * The TLS files, called on the first https connection only (an http-only cluster never reads
   * them); it reads them once and gives the same answer after.
   */
  readonly tls?: () => EtcdTls;
  /**
   * Reads are serializable: the member's own copy, answered without asking the leader (quorum
   * lost), possibly behind. Such a client never writes.
   */
  readonly serializable?: boolean;
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

/** `/v3/maintenance/status` of one member, as etcd sends it (int64 fields as strings). */
export interface MemberStatusJson {
  header?: { cluster_id?: string; member_id?: string; revision?: string; raft_term?: string };
  version?: string;
  dbSize?: string;
  dbSizeInUse?: string;
  /** Absent (0) while the member knows no leader. */
  leader?: string;
  raftIndex?: string;
  raftTerm?: string;
  raftAppliedIndex?: string;
  /** Alarms and troubles: "etcdserver: no leader", "NOSPACE". */
  errors?: string[];
  isLearner?: boolean;
}

/** One member's status, or why it gave none. */
export type MemberStatus =
  | { readonly endpoint: string; readonly status: MemberStatusJson }
  | { readonly endpoint: string; readonly error: string };

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

  /** A client that reads `endpoint`'s own copy (serializable) and never writes. */
  oneMember(endpoint: string): EtcdClient {
    return new EtcdClient({ ...this.options, endpoints: [endpoint], serializable: true });
  }

  /** Every endpoint's status, asked at once, each within the timeout; never throws. */
  async statuses(): Promise<MemberStatus[]> {
    return Promise.all(
      this.options.endpoints.map(async (endpoint) => {
        try {
          const status = (await this.post(endpoint, '/v3/maintenance/status', {}, false)) as MemberStatusJson;
          return { endpoint, status };
        } catch (error) {
          return { endpoint, error: (error as Error).message };
        }
      }),
    );
  }

  async range(request: RangeRequest): Promise<RangeResult> {
    const body: Record<string, unknown> = { key: b64(request.key) };
    if (request.rangeEnd !== undefined) body.range_end = b64(request.rangeEnd);
    if (request.revision !== undefined) body.revision = request.revision;
    if (request.limit !== undefined) body.limit = String(request.limit);
    if (request.countOnly) body.count_only = true;
    if (this.options.serializable) body.serializable = true;
    if (request.keysOnly) body.keys_only = true;
    if (request.sort) {
      body.sort_target = request.sort.target;
      body.sort_order = request.sort.order;
    }
    const answer = (await this.call('/v3/kv/range', body, false)) as RangeJson;
    return {
      revision: answer.header!.revision!,
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
    if (this.options.serializable)
      throw new IpamError(
        'internal',
        `Cannot write to etcd at ${this.where}: this client reads one member's copy only`,
      );
    const body = {
      compare: compare.map((c) =>
        'absent' in c
          ? { key: b64(c.key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }
          : { key: b64(c.key), target: 'MOD', result: 'EQUAL', mod_revision: c.modRevision },
      ),
      success: success.map((op) =>
        'put' in op
          ? {
              request_put: {
                key: b64(op.put),
                value: (typeof op.value === 'string' ? Buffer.from(op.value, 'utf8') : op.value).toString('base64'),
              },
            }
          : {
              request_delete_range: {
                key: b64(op.delete),
                ...(op.rangeEnd === undefined ? {} : { range_end: b64(op.rangeEnd) }),
              },
            },
      ),
    };
    const answer = (await this.call('/v3/kv/txn', body, true)) as {
      header?: { revision?: string };
      succeeded?: boolean;
    };
    // `succeeded` is left out when false (a zero value); the header is always there (isEtcdAnswer).
    return { succeeded: answer.succeeded === true, revision: answer.header!.revision! };
  }

  /**
   * Drops etcd's history before `revision` (the whole cluster's, as etcd compacts). Not
   * physical: etcd answers at once and frees the space in the background.
   */
  async compact(revision: string): Promise<void> {
    await this.call('/v3/kv/compaction', { revision, physical: false }, false);
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
        const url = new URL('/metrics', endpoint);
        const answer = await postOnce({
          url,
          headers: {},
          body: Buffer.alloc(0),
          timeoutMs,
          ...(tls && url.protocol === 'https:' ? { tls: tls() } : {}),
        });
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
    throw new IpamError('store-io', `Cannot reach etcd: ${await this.whyUnreachable(failures)}; nothing was written`);
  }

  /**
   * Why no endpoint answered: members that are up and know no leader mean lost quorum, and the
   * operator's next step differs (bring members back; read one copy with --serializable).
   */
  private async whyUnreachable(failures: readonly string[]): Promise<string> {
    const leaderless = (await this.statuses())
      .filter((s) => 'status' in s && !hasLeader(s.status))
      .map((s) => s.endpoint);
    if (leaderless.length === 0) return `no endpoint answered (${failures.join('; ')})`;
    return `no quorum: ${leaderless.join(', ')} ${leaderless.length === 1 ? 'is' : 'are'} up but without a leader and ${this.options.endpoints.length - leaderless.length} of ${this.options.endpoints.length} endpoints do not answer (tried: ${failures.join('; ')}); bring members back, or read one member's copy with \`nebula-ipam status --serializable\` or \`export --serializable\``;
  }

  private async authenticate(endpoint: string): Promise<void> {
    const answer = (await this.post(
      endpoint,
      '/v3/auth/authenticate',
      { name: this.options.user, password: this.options.password },
      false,
    )) as { token?: string };
    if (!answer.token)
      throw new IpamError(
        'config',
        `Cannot log in to etcd at ${endpoint} as ${JSON.stringify(this.options.user)}: no token in the answer`,
      );
    this.token = answer.token;
  }

  private async post(endpoint: string, path: string, body: unknown, isWrite: boolean): Promise<unknown> {
    const { timeoutMs, tls, onTxnSent } = this.options;
    const url = new URL(path, endpoint);
    let answer: Answer;
    try {
      answer = await postOnce({
        url,
        headers: this.token === undefined || path.startsWith('/v3/auth/') ? {} : { Authorization: this.token },
        body: Buffer.from(JSON.stringify(body), 'utf8'),
        timeoutMs,
        ...(tls && url.protocol === 'https:' ? { tls: tls() } : {}),
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
    if (answer.status === 200) {
      if (isEtcdAnswer(json)) return json;
      const why = `HTTP 200 with a body that is not an etcd answer (no header revision): ${JSON.stringify(text.slice(0, 80))}`;
      throw isWrite ? new AnswerLost(`${endpoint}: ${why}`) : new EndpointDown(why);
    }
    const message = String(json.message ?? json.error ?? text).slice(0, 200);
    const code = Number(json.code);
    // gRPC codes: 14 unavailable (no leader, stopping), 4 deadline exceeded (no quorum). Either
    // may come after the member took the write into its log: a write's outcome is then unknown.
    if (code === 14 || code === 4 || answer.status === 503)
      throw isWrite ? new AnswerLost(`${endpoint}: etcd says ${message}`) : new EndpointDown(`etcd says ${message}`);
    if (code === 16) this.token = undefined;
    const { kind, advice } = refusalOf(code, message, path);
    throw new IpamError(
      kind,
      `Cannot use etcd at ${endpoint}: ${path} was refused with ${message}${advice ? ` (${advice})` : ''}${isWrite ? '; nothing was written' : ''}`,
    );
  }
}

interface RangeJson {
  header?: { revision?: string };
  kvs?: { key?: string; value?: string; mod_revision?: string; create_revision?: string; version?: string }[];
  count?: string;
}

/**
 * Every etcd answer has a header with the store's revision (digits); a txn's `succeeded`, when
 * there, is a boolean. Anything else came from something else.
 */
function isEtcdAnswer(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const { header, succeeded } = json as { header?: { revision?: unknown }; succeeded?: unknown };
  return (
    typeof header?.revision === 'string' &&
    /^\d+$/.test(header.revision) &&
    (succeeded === undefined || typeof succeeded === 'boolean')
  );
}

/** A member knows its leader (etcd leaves `leader` out, as 0, while it has none). */
export function hasLeader(status: MemberStatusJson): boolean {
  return status.leader !== undefined && status.leader !== '0';
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The smallest key after every key that starts with `prefix`: the range_end of a prefix read. */
export function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  // Prefixes are ASCII (etcd-config.ts), so the last byte is below 0x7f and one more stays ASCII.
  const end = Buffer.from(bytes.subarray(0, bytes.length));
  end[end.length - 1] = bytes[bytes.length - 1]! + 1;
  return end.toString('latin1');
}
