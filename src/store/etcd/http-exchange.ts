/**
 * One HTTP/1.1 POST over `node:net` (or `node:tls` for https), for the etcd gateway. Not
 * `node:http`: loading it costs a one-shot action ~5-15 ms of its start-up (its agent, parser
 * and stream modules), more than the whole exchange with a local member; the subset etcd's
 * gateway needs is small. One connection per call with `Connection: close`; the answer's body
 * comes with a Content-Length, chunked (the gateway streams big values that way), or up to the
 * close. Built-ins are loaded on first use (see loadNet).
 */
import type * as net from 'node:net';
import type * as tlsModule from 'node:tls';

export interface Exchange {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly timeoutMs: number;
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  /** Called once the whole request has been handed to the kernel. */
  readonly onSent?: () => void;
}

export interface Answer {
  readonly status: number;
  readonly body: Buffer;
}

/** Why an exchange failed, and whether the request had left by then. */
export class ExchangeFailed extends Error {
  constructor(
    message: string,
    readonly sent: boolean,
  ) {
    super(message);
  }
}

export async function postOnce(exchange: Exchange): Promise<Answer> {
  const { url, body, timeoutMs } = exchange;
  const secure = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || (secure ? 443 : 80));
  const socket: net.Socket = secure
    ? (await loadTls()).connect({ host, port, ...(isIpLiteral(host) ? {} : { servername: host }), ...exchange.tls })
    : (await loadNet()).connect({ host, port });
  const head = [
    `POST ${url.pathname} HTTP/1.1`,
    `Host: ${url.host}`,
    'Content-Type: application/json',
    `Content-Length: ${body.length}`,
    'Connection: close',
  ];
  for (const [name, value] of Object.entries(exchange.headers)) head.push(`${name}: ${value}`);
  return new Promise((resolve, reject) => {
    let sent = false;
    let settled = false;
    const parts: Buffer[] = [];
    const finish = (error: ExchangeFailed | undefined, answer?: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(answer!);
    };
    const timer = setTimeout(() => finish(new ExchangeFailed(`no answer within ${timeoutMs} ms`, sent)), timeoutMs);
    socket.setNoDelay(true);
    socket.on('error', (error: NodeJS.ErrnoException) => finish(new ExchangeFailed(error.code ?? error.message, sent)));
    let received = 0;
    socket.on('data', (part: Buffer) => {
      parts.push(part);
      received += part.length;
      // A big answer comes in many pieces: join and parse only when it may be complete.
      if (!mayBeComplete(parts, received)) return;
      const answer = parseAnswer(Buffer.concat(parts, received), false);
      if (answer) finish(undefined, answer);
    });
    socket.on('end', () => {
      const answer = parseAnswer(Buffer.concat(parts), true);
      finish(
        answer
          ? undefined
          : new ExchangeFailed(
              parts.length
                ? 'the connection closed in the middle of the answer'
                : 'the connection closed without an answer',
              sent,
            ),
        answer,
      );
    });
    socket.write(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]), (error) => {
      if (error || settled) return;
      sent = true;
      exchange.onSent?.();
    });
  });
}

/**
 * Cheap test before a full parse: the head has not been seen yet (then only the first pieces are
 * joined), or the last piece ends a chunked body, or the Content-Length could be reached.
 */
function mayBeComplete(parts: readonly Buffer[], received: number): boolean {
  const first = parts[0]!;
  const headEnd = first.indexOf(HEAD_END);
  if (headEnd < 0) return true;
  const head = first.toString('latin1', 0, headEnd);
  // An interim 1xx head comes before the answer's own: only the full parse skips it.
  if (INTERIM.test(head)) return true;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) return received >= headEnd + HEAD_END.length + Number(length[1]);
  const last = parts[parts.length - 1]!;
  return parts.length === 1 || last.subarray(-7).includes(CHUNKED_END);
}

const CHUNKED_END = Buffer.from('0\r\n\r\n');
const INTERIM = /^HTTP\/1\.[01] 1\d\d/;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * The answer in `bytes`, or undefined while it is incomplete (`closed`: no more bytes will come).
 * Interim answers (`100 Continue`, `102 Processing`, `103 Early Hints`: 1xx, which have no body)
 * may come first, as many as the server likes (RFC 9110 15.2): they are skipped, never taken for
 * the answer.
 */
export function parseAnswer(bytes: Buffer, closed: boolean): Answer | undefined {
  let from = 0;
  let headEnd: number;
  let lines: string[];
  let status: RegExpExecArray | null;
  for (;;) {
    headEnd = bytes.indexOf(HEAD_END, from);
    if (headEnd < 0) return undefined;
    lines = bytes.toString('latin1', from, headEnd).split('\r\n');
    status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!status) throw new ExchangeFailed(`not an HTTP answer: ${JSON.stringify(lines[0]?.slice(0, 40))}`, true);
    if (!status[1]!.startsWith('1')) break;
    from = headEnd + HEAD_END.length;
  }
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const start = headEnd + HEAD_END.length;
  let body: Buffer | undefined;
  if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) body = unchunk(bytes, start);
  else if (headers.has('content-length')) {
    const length = Number(headers.get('content-length'));
    if (bytes.length - start >= length) body = bytes.subarray(start, start + length);
  } else if (closed) body = bytes.subarray(start);
  return body && { status: Number(status[1]), body };
}

/** A chunked body from `start`, or undefined until its last (empty) chunk has arrived. */
function unchunk(bytes: Buffer, start: number): Buffer | undefined {
  const chunks: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = bytes.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(bytes.toString('latin1', at, lineEnd).split(';')[0]!.trim(), 16);
    if (!Number.isSafeInteger(size) || size < 0)
      throw new ExchangeFailed('a chunked answer with a bad chunk size', true);
    if (size === 0) return Buffer.concat(chunks);
    const dataStart = lineEnd + CRLF.length;
    if (bytes.length < dataStart + size + CRLF.length) return undefined;
    chunks.push(bytes.subarray(dataStart, dataStart + size));
    at = dataStart + size + CRLF.length;
  }
}

function isIpLiteral(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}

/**
 * Built-ins loaded on first use, so the file backend's actions never load them. The bundle runs
 * each part in a CommonJS wrapper compiled through vm (boot/entry.ts), where `import()` has no
 * loader and fails; the tests run the source as ESM, where `require` does not exist.
 */
async function loadNet(): Promise<typeof net> {
  return typeof require === 'function'
    ? (require('node:net') as typeof net)
    : ((await import('node:net')) as unknown as typeof net);
}

async function loadTls(): Promise<typeof tlsModule> {
  return typeof require === 'function'
    ? (require('node:tls') as typeof tlsModule)
    : ((await import('node:tls')) as unknown as typeof tlsModule);
}
