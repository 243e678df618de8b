/**
 * Gathers what `resolve-book.ts` decides from, for an action or a command: the environment,
 * oned's ipamrc (read here, at the path `defaultPaths` gives, when first needed) and the working
 * directory.
 */
import type { Ipamrc } from './ipamrc.ts';
import { readIpamrc } from './read-ipamrc.ts';
import { defaultPaths, type Env } from './paths.ts';
import type { BookSources } from './resolve-book.ts';

export function bookSources(driverName: string, env: Env, flags?: BookSources['flags']): BookSources {
  return { driverName, env, ipamrc: ipamrcOf(env), cwd: process.cwd(), ...(flags ? { flags } : {}) };
}

/** oned's ipamrc for this environment, read once, when first asked for. */
export function ipamrcOf(env: Env): () => Ipamrc {
  let read: Ipamrc | undefined;
  return () => {
    read ??= readIpamrc(defaultPaths(env).ipamrc);
    return read;
  };
}
