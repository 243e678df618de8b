/**
 * The first code the bundle runs. The rest of the file is two comments, each holding one half of
 * the program (src/main.ts built for the driver actions, and for the CLI): this part reads the
 * half it needs, compiles it with V8's code cache, and runs it. Node's own compile of the file
 * skips the comments almost for free.
 *
 * oned runs actions one at a time for the whole cloud, one process each, so start-up caps how
 * fast it hands out leases. Compiling the program from source costs more per start than
 * anything an action then does with a small book; from the cache it costs a fraction of that.
 * Node 22 has this built in (module.enableCompileCache); Node 18 and 20, which front-ends run,
 * do not.
 *
 * The cache is bytecode that V8 runs as it finds it, so it is read only from a directory and a
 * file that belong to this user and that nobody else may write, and its name carries a hash of
 * the program (V8 itself only checks the source's length), the Node version and the role (each
 * action, or the CLI, compiles different functions). It is an optimisation only: anything
 * unexpected (no such directory, a foreign owner, a read or write error, a cache V8 rejects)
 * means compiling from source as usual, never a failure.
 *
 *   NEBULA_IPAM_CODE_CACHE=off    never read or write a cache
 *   NEBULA_IPAM_CODE_CACHE=<dir>  keep it there instead of $TMPDIR/nebula-ipam-code-cache-<uid>
 */
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync, type Stats } from 'node:fs';
import { basename } from 'node:path';
import { Script } from 'node:vm';
import { ACTION_NAMES } from '../actions/action.ts';
import { programFrom } from './program-comment.ts';

/** A hash of both halves, set by build.mjs. */
declare const NEBULA_IPAM_BUILD: string;
/**
 * Where the halves' comment bodies are in this file, set by build.mjs once the file is laid out:
 * `driverStart:driverEnd:driverLine:cliStart:cliEnd:cliLine` (byte offsets; 0-based line).
 */
declare const NEBULA_IPAM_LAYOUT: string;

const invokedAs = basename(process.argv[1] ?? '');
const role = (ACTION_NAMES as readonly string[]).includes(invokedAs) ? invokedAs : 'cli';
const [start, end, line] = NEBULA_IPAM_LAYOUT.split(':').map(Number).slice(role === 'cli' ? 3 : 0) as [number, number, number];

const dir = cacheDirectory(process.env);
const file = dir && `${dir}/${NEBULA_IPAM_BUILD}-${role}-${process.version}-${process.arch}.cache`;
const cachedData = file ? readTrusted(dir, file) : undefined;

const script = new Script(programFrom(readPart(__filename, start, end)), { filename: __filename, lineOffset: line, ...(cachedData ? { cachedData } : {}) });
if (file && (!cachedData || script.cachedDataRejected)) {
  // After the run, so the cache also holds the functions this role compiled lazily.
  process.once('exit', () => writeTrusted(dir, file, () => script.createCachedData()));
}
// This file only ever runs as the bundle's CommonJS wrapper, which provides these five.
script.runInThisContext()(exports, require, module, __filename, __dirname);

/** Bytes [from, to) of the file as text: the halves are ASCII (build.mjs checks), so latin1 is exact. */
function readPart(path: string, from: number, to: number): string {
  const bytes = Buffer.allocUnsafe(to - from);
  const fd = openSync(path, 'r');
  try {
    for (let got = 0; got < bytes.length; ) {
      const n = readSync(fd, bytes, got, bytes.length - got, from + got);
      if (n === 0) throw new Error(`${path} is shorter than it was built`);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  return bytes.toString('latin1');
}

function cacheDirectory(env: NodeJS.ProcessEnv): string | undefined {
  const setting = env.NEBULA_IPAM_CODE_CACHE;
  if (setting === 'off') return undefined;
  if (setting) return setting.startsWith('/') ? setting.replace(/\/+$/, '') : undefined;
  if (typeof process.getuid !== 'function') return undefined;
  return `${(env.TMPDIR || '/tmp').replace(/\/+$/, '')}/nebula-ipam-code-cache-${process.getuid()}`;
}

/** Ours, and writable by nobody else: what may hold bytecode this process will run. */
function trusted(stat: Stats): boolean {
  return stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;
}

function readTrusted(directory: string, path: string): Buffer | undefined {
  try {
    const place = lstatSync(directory);
    if (!place.isDirectory() || !trusted(place)) return undefined;
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const stat = fstatSync(fd);
      return stat.isFile() && trusted(stat) ? readFileSync(fd) : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Whole or not at all: a temp file (exclusive, owner-only), fsync, rename. */
function writeTrusted(directory: string, path: string, data: () => Buffer): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    try {
      mkdirSync(directory, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return;
    }
    const place = lstatSync(directory);
    if (!place.isDirectory() || !trusted(place)) return;
    const bytes = data();
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Runs at exit: nothing here may change how the action ended.
    }
  }
}
