/**
 * `node:http`, loaded on first use: a CommonJS require in the bundle, an import in tests. The
 * edges that talk HTTP (Kea's control agent, oned's XML-RPC API) load it so; driver actions never
 * do, and must not pay for loading it.
 */
import type * as httpModule from 'node:http';

export async function loadHttp(): Promise<typeof httpModule> {
  return typeof require === 'function'
    ? (require('node:http') as typeof httpModule)
    : ((await import('node:http')) as unknown as typeof httpModule);
}
