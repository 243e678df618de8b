/**
 * What the edges that talk HTTP (Kea's control agent, oned's XML-RPC API) share: `node:http`,
 * loaded on first use (a CommonJS require in the bundle, an import in tests; driver actions never
 * talk HTTP and must not pay for loading it), and one POST whose answer's body is collected as text.
 */
import type * as httpModule from 'node:http';

export async function loadHttp(): Promise<typeof httpModule> {
  return typeof require === 'function'
    ? (require('node:http') as typeof httpModule)
    : ((await import('node:http')) as unknown as typeof httpModule);
}

/**
 * Collects `response`'s body: `finish(undefined, text)` for a 200, else `finish(error)` with the
 * status and the start of the body; a body over `maxBytes` is an error at once.
 */
function collectBody(
  response: httpModule.IncomingMessage,
  finish: (error: Error | undefined, text?: string) => void,
  maxBytes = Number.POSITIVE_INFINITY,
): void {
  const parts: Buffer[] = [];
  let size = 0;
  response.on('data', (part: Buffer) => {
    size += part.length;
    if (size > maxBytes) finish(new Error(`its answer is over ${Math.floor(maxBytes / 1024 / 1024)} MiB`));
    else parts.push(part);
  });
  response.on('error', (error) => finish(error));
  response.on('end', () => {
    const text = Buffer.concat(parts).toString('utf8');
    if (response.statusCode !== 200)
      finish(new Error(`HTTP ${response.statusCode}: ${text.replace(/\s+/g, ' ').trim().slice(0, 80)}`));
    else finish(undefined, text);
  });
}

/** A kept-alive connection that was closed under the request, before any answer: the server did not run it. */
export class StaleConnection extends Error {}

export interface PostOptions {
  readonly contentType: string;
  /** A pool of kept-alive connections, or `false`: one connection, closed after the answer. */
  readonly agent: httpModule.Agent | false;
  /** Bounds the whole exchange: connect, send and the whole answer. */
  readonly timeoutMs: number;
  /** Said after "no answer within N ms": the setting N comes from, if the operator chose it. */
  readonly timeoutNote?: string;
  readonly maxBytes?: number;
}

/**
 * POSTs `body` to `url`: the body of a 200 answer, else an error in a few words (the socket's
 * code, the HTTP status, the timeout); a `StaleConnection` when a kept-alive connection was
 * closed before any answer, which the caller may send again.
 */
export async function httpPost(url: URL, body: Buffer, options: PostOptions): Promise<string> {
  const http = await loadHttp();
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    let answered = false;
    const finish = (error: Error | undefined, text?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A kept-alive connection that answered goes back to its pool; any other is done with.
      if (error || !options.agent) request.destroy();
      if (error) reject(error);
      else resolve(text!);
    };
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: options.agent,
        headers: {
          'Content-Type': options.contentType,
          'Content-Length': body.length,
          ...(options.agent ? {} : { Connection: 'close' }),
        },
      },
      (response) => {
        answered = true;
        collectBody(response, finish, options.maxBytes);
      },
    );
    const note = options.timeoutNote === undefined ? '' : ` (${options.timeoutNote})`;
    const timer = setTimeout(
      () => finish(new Error(`no answer within ${options.timeoutMs} ms${note}`)),
      options.timeoutMs,
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      const stale = request.reusedSocket && !answered && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
      finish(stale ? new StaleConnection(error.code) : new Error(error.code ?? error.message));
    });
    request.end(body);
  });
}
