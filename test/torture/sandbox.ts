/**
 * Sandboxes for the torture suite. `npm run torture` runs for minutes; a rebuild of
 * dist/nebula-ipam.cjs meanwhile (another terminal, an editor's watcher) would put two versions
 * of the driver on one book. With TORTURE_BUNDLE set (run-torture sets it to a private copy made
 * right after the build) every sandbox runs that copy instead.
 *
 * The suite runs the test bundle (dist/test/nebula-ipam.cjs, `node build.mjs --test-hooks`): it
 * kills writers at chosen steps through the test hooks, which the production bundle has not.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSandbox, TEST_BUNDLE, type DriverSandbox, type SandboxOptions } from '../support/driver-harness.ts';

export function bundlePath(): string {
  return process.env.TORTURE_BUNDLE || TEST_BUNDLE;
}

export function tortureSandbox(options: SandboxOptions = {}): DriverSandbox {
  return createSandbox({ ...options, bundle: bundlePath() });
}

/** Copies the built bundle to a private directory and makes every later sandbox use it. */
export function pinBundle(): { cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-ipam-torture-bundle-'));
  const copy = path.join(dir, path.basename(TEST_BUNDLE));
  fs.copyFileSync(TEST_BUNDLE, copy);
  fs.chmodSync(copy, 0o755);
  process.env.TORTURE_BUNDLE = copy;
  return { cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
