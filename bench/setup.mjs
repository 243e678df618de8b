/**
 * The benchmark's front-end: a scratch directory laid out like `<remotes>/ipam/bench/` with the
 * five action symlinks (and `nebula-ipam` for operator commands) pointing at a copy of the built bundle,
 * and a config file with the pools the scenarios carve from.
 */
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DRIVER_NAME } from './requests.mjs';

export const ACTIONS = [
  'register_address_range',
  'unregister_address_range',
  'allocate_address',
  'get_address',
  'free_address',
];

export const POOLS = [
  { name: 'small', network: '192.168.0.0/16', subnetPrefix: 24 },
  { name: 'big8', network: '10.0.0.0/8', subnetPrefix: 24 },
  { name: 'six48', network: '2001:db8:100::/48', subnetPrefix: 64 },
];
export const SIX48_BASE = 0x20010db8010000000000000000000000n;

/**
 * @param {string} bundle
 * @returns {{ root: string, links: Record<'register_address_range' | 'unregister_address_range' | 'allocate_address' | 'get_address' | 'free_address' | 'nebula-ipam', string>, config: string }}
 */
export function makeFrontEnd(bundle) {
  const root = mkdtempSync(join(tmpdir(), 'nebula-ipam-bench-'));
  const dir = join(root, 'remotes', 'ipam', DRIVER_NAME);
  mkdirSync(dir, { recursive: true });
  // A copy, as an operator installs it: a rebuild during the run cannot change what is measured.
  const installed = join(root, 'nebula-ipam.cjs');
  copyFileSync(resolve(bundle), installed);
  const links = /** @type {Record<string, string>} */ ({});
  for (const name of [...ACTIONS, 'nebula-ipam']) {
    links[name] = join(dir, name);
    symlinkSync(installed, links[name]);
  }
  const config = join(root, 'config.json');
  writeFileSync(config, `${JSON.stringify({ lockTimeoutMs: 60000, pools: POOLS }, null, 2)}\n`);
  return { root, links, config };
}

/** A directory of its own per scenario: book, `.prev`, lock and audit log live there. */
export function scenarioDir(frontEnd, name) {
  const dir = join(frontEnd.root, 'books', name.replace(/[^A-Za-z0-9_.-]+/g, '_'));
  mkdirSync(dir, { recursive: true });
  return dir;
}
