/**
 * Gathers what `resolve-book.ts` decides from, for an action or a command: the environment,
 * oned's ipamrc (read here, at the path `defaultPaths` gives) and the working directory.
 */
import { readIpamrc } from './read-ipamrc.ts';
import { defaultPaths, type Env } from './paths.ts';
import type { BookSources } from './resolve-book.ts';

export function bookSources(driverName: string, env: Env, flags?: BookSources['flags']): BookSources {
  return { driverName, env, ipamrc: readIpamrc(defaultPaths(env).ipamrc), cwd: process.cwd(), ...(flags ? { flags } : {}) };
}
