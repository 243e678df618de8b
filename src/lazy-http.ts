/**
 * What the edges that talk HTTP (Kea's control agent, oned's XML-RPC API) share: `node:http`,
 * loaded on first use (a CommonJS require in the bundle, an import in tests; driver actions never
 * talk HTTP and must not pay for loading it), and an answer's body collected as text.
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
export function collectBody(
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
