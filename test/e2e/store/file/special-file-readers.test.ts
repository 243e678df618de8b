/**
 * Nothing the program reads can hang it (issue 16 item 3): a FIFO given as `reconcile --from` or
 * as the file to `import` is refused at once in one line; one swapped in under an action link's
 * target while driver discovery looks at it is taken for someone else's file. None is waited on.
 * Every wait here is bounded: a blocked process is killed and reported.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { expectFailure, expectReply } from '../../../support/driver-assert.ts';
import {
  ACTIONS,
  childEnv,
  createSandbox,
  registerXml,
  type DriverSandbox,
  type RunResult,
} from '../../../support/driver-harness.ts';
import { spawnCli, type ActionRun } from '../../../torture/spawn-action.ts';

/** A blocked process is killed this late, so the test reports a hang instead of hanging. */
const KILL_AFTER_MS = 20_000;

function withBook(body: (sandbox: DriverSandbox) => Promise<void>): () => Promise<void> {
  return async () => {
    const sandbox = createSandbox({ config: {} });
    try {
      expectReply(
        sandbox.run(
          'register_address_range',
          registerXml({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv' }),
        ),
        'AR',
      );
      await body(sandbox);
    } finally {
      sandbox.cleanup();
    }
  };
}

function mkfifo(file: string): void {
  const made = spawnSync('mkfifo', ['-m', '600', file]);
  assert.equal(made.status, 0, `mkfifo ${file}: ${made.stderr}`);
}

function ended(run: ActionRun): RunResult {
  assert.ok(!run.killedByUs, `still blocked after ${KILL_AFTER_MS} ms: ${run.stderr}`);
  return { code: run.code ?? -1, stdout: run.stdout, stderr: run.stderr };
}

test(
  '`reconcile --from FIFO` is refused at once in one line naming it (exit 3), the book unchanged',
  withBook(async (sandbox) => {
    const fifo = path.join(sandbox.dir, 'onevnet.xml');
    mkfifo(fifo);
    const before = sandbox.bookBytes();
    const run = ended(await spawnCli(sandbox, ['reconcile', '--from', fifo], { killAfterMs: KILL_AFTER_MS }));
    expectFailure(run, 3, [fifo, 'not a regular file']);
    assert.deepEqual(sandbox.bookBytes(), before);
  }),
);

test(
  '`import FIFO` is refused at once in one line naming it (exit 8), the book unchanged',
  withBook(async (sandbox) => {
    const fifo = path.join(sandbox.dir, 'export.json');
    mkfifo(fifo);
    const before = sandbox.bookBytes();
    const run = ended(await spawnCli(sandbox, ['import', fifo], { killAfterMs: KILL_AFTER_MS }));
    expectFailure(run, 8, [fifo, 'not a regular file']);
    assert.deepEqual(sandbox.bookBytes(), before);
  }),
);

/**
 * Keeps swapping `target` between a regular file and a FIFO (each swap one atomic rename) in a
 * process of its own, for at most `ms`. A reader that looks at the name and then opens it by name
 * meets the FIFO in between sooner or later; one that checks what it opened never blocks.
 */
function flipper(target: string, ms: number): { stop: () => void } {
  const script = `
const fs = require('node:fs');
const [target, file, fifo, ms] = process.argv.slice(1);
const temp = target + '.flip';
for (const end = Date.now() + Number(ms); Date.now() < end; ) {
  for (const from of [file, fifo]) {
    fs.rmSync(temp, { force: true });
    fs.linkSync(from, temp);
    fs.renameSync(temp, target);
  }
}`;
  const file = `${target}.file`;
  const fifo = `${target}.fifo`;
  fs.writeFileSync(file, '#!/bin/sh\necho not nebula-ipam\n', { mode: 0o755 });
  mkfifo(fifo);
  fs.copyFileSync(file, target);
  const child = spawn(process.execPath, ['-e', script, target, file, fifo, String(ms)], {
    env: childEnv('default'),
    stdio: 'ignore',
  });
  return { stop: () => child.kill('SIGKILL') };
}

test('action links whose target flips between a file and a FIFO: `status` (driver discovery) never blocks on them', async () => {
  const sandbox = createSandbox({ config: {} });
  try {
    expectReply(
      sandbox.run(
        'register_address_range',
        registerXml({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv' }),
      ),
      'AR',
    );
    // The config names the book, so nothing outside the sandbox is read; the drivers are looked
    // for under ONE_LOCATION, where 40 directories of five links each lead to the flipping file.
    const config = path.join(sandbox.dir, 'etc', 'named-book.json');
    fs.writeFileSync(config, JSON.stringify({ store: sandbox.bookPath }));
    const one = path.join(sandbox.dir, 'one');
    const target = path.join(sandbox.dir, 'elsewhere');
    for (let n = 0; n < 40; n++) {
      const dir = path.join(one, 'var', 'remotes', 'ipam', `flipped${n}`);
      fs.mkdirSync(dir, { recursive: true });
      for (const action of ACTIONS) fs.symlinkSync(target, path.join(dir, action));
    }
    const flipping = flipper(target, 6 * KILL_AFTER_MS);
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const run = ended(
          await spawnCli(sandbox, ['status'], {
            killAfterMs: KILL_AFTER_MS,
            env: { NEBULA_IPAM_STORE: undefined, NEBULA_IPAM_CONFIG: config, ONE_LOCATION: one },
          }),
        );
        assert.equal(run.code, 0, run.stderr);
        assert.ok(run.stdout.includes(sandbox.bookPath), run.stdout);
      }
    } finally {
      flipping.stop();
    }
  } finally {
    sandbox.cleanup();
  }
});
