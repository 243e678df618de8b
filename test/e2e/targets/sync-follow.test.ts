/**
 * `sync --follow` as the unit runs it: a new lease's records appear (polled, bounded; no timing
 * asserted), and SIGTERM ends it cleanly (exit 143, the unit's SuccessExitStatus).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';
import { startBind } from '../../support/bind-server.ts';
import { nodeBinary } from '../../support/driver-harness.ts';
import { createSyncSandbox } from '../../support/sync-sandbox.ts';

it("sync --follow puts a new lease's records, and stops on SIGTERM with exit 143", async () => {
  const bind = await startBind();
  const s = createSyncSandbox(bind);
  const child = spawn(nodeBinary('default'), [s.program, 'sync', '--follow'], {
    env: s.env({ ONE_LOCATION: s.oneLocation }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGTERM' ? 143 : null))),
  );
  try {
    const ip = s.lease();
    let found: string[] = [];
    for (let attempt = 0; attempt < 100 && found.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      found = await bind.lookup(s.nameOf(ip), 'A');
    }
    assert.deepEqual(found, [ip], `the record came; sync said: ${output}`);
    child.kill('SIGTERM');
    assert.equal(await exited, 143, output);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    s.cleanup();
    await bind.stop();
  }
});
