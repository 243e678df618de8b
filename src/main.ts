/**
 * The single entry point. oned runs the bundle through five symlinks; the name it was invoked by
 * (the symlink's, not the target's) picks the action. Any other name is the operator CLI.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACTION_NAMES, type ActionName } from './actions/action.ts';
import { runCli } from './cli/run-cli.ts';
import { runAction } from './driver/run-action.ts';

const invokedPath = process.argv[1] ?? '';
const invokedAs = path.basename(invokedPath);
const write = (fd: number) => (text: string) => {
  fs.writeSync(fd, text);
};
const stdout = write(1);
const stderr = write(2);

const run = (ACTION_NAMES as readonly string[]).includes(invokedAs)
  ? runAction(invokedAs as ActionName, { args: process.argv.slice(2), env: process.env, invokedPath, stdout, stderr, now: () => new Date() })
  : runCli(process.argv.slice(2), { stdout, stderr });

run.then((code) => {
  process.exitCode = code;
});
