/**
 * Standard input as oned gives it: a pipe (Ruby's popen3), not the socket Node's child_process
 * makes. The driver reads a pipe without Node's stream machinery (src/driver/read-request.ts),
 * so this path needs its own black-box test: a request is read whole, and a pipe whose writer
 * never closes it is given up on in bounded time with the same one line as on a socket.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { READ_TIMEOUT_MS } from '../../../src/driver/read-request.ts';
import {
  childEnv,
  createSandbox,
  encodeRequest,
  parseTemplateReply,
  registerXml,
} from '../../support/driver-harness.ts';

const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;

/** Runs an action with a named pipe as stdin; `close` says whether the writer closes it after the request. */
async function runOnPipe(
  action: string,
  request: string,
  close: boolean,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const sandbox = createSandbox({ config: {} });
  const fifo = path.join(sandbox.driverDir, '..', 'stdin.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  // A reader first (non-blocking), so that opening the writer does not wait.
  const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const writer = fs.openSync(fifo, fs.constants.O_WRONLY);
  fs.writeSync(writer, request);
  if (close) fs.closeSync(writer);
  const started = Date.now();
  const child = spawn(path.join(sandbox.driverDir, action), ['7'], {
    stdio: [reader, 'pipe', 'pipe'],
    env: childEnv('default', { NEBULA_IPAM_STORE: sandbox.bookPath, NEBULA_IPAM_CONFIG: sandbox.configPath }),
  });
  fs.closeSync(reader);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const guard = setTimeout(() => child.kill('SIGKILL'), READ_TIMEOUT_MS + 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(guard);
  if (!close) fs.closeSync(writer);
  sandbox.cleanup();
  return { code, stdout, stderr, ms: Date.now() - started };
}

test('a request on a pipe is read whole', { skip: !hasMkfifo && 'no mkfifo here' }, async () => {
  const { code, stdout, stderr } = await runOnPipe(
    'register_address_range',
    encodeRequest(registerXml({ TYPE: 'IP4', IP: '10.9.0.1', SIZE: '5', IPAM_MAD: 'mydrv' })),
    true,
  );
  assert.equal(code, 0, stderr);
  assert.equal(parseTemplateReply(stdout, 'AR').attrs.get('IP'), '10.9.0.1');
});

test('a pipe that is never closed: the driver gives up by itself with one clear line, exit 3', {
  skip: !hasMkfifo && 'no mkfifo here',
}, async () => {
  const { code, stderr, ms } = await runOnPipe('get_address', 'PElQQU1f', false);
  assert.equal(code, 3, stderr);
  assert.match(
    stderr,
    /^Cannot read the request: standard input was not closed within [0-9]+ s \(oned writes the request at once and closes it; 8 bytes arrived\)\n$/,
  );
  assert.ok(ms >= READ_TIMEOUT_MS - 100 && ms < READ_TIMEOUT_MS + 10_000, `took ${ms} ms`);
});
