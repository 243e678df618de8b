/**
 * The bundle's entry: the first code Node runs. The rest of the file is two comments, each holding
 * one part of the program (src/program.ts built for the driver actions, and for the CLI; build.mjs
 * shows the layout): this part reads the one its role needs, compiles it with V8's code cache, and
 * runs it. Node's own compile of the file skips the comments almost for free.
 *
 * oned runs actions one at a time for the whole cloud, one process each, so start-up caps how
 * fast it hands out leases. Compiling the program from source costs more per start than
 * anything an action then does with a small book; from the cache it costs a fraction of that.
 * Node's own compile cache (module.enableCompileCache, Node >= 22.1) caches only what is
 * compiled before the program runs, which for this bundle is almost nothing (docs/performance.md).
 *
 * The cache is bytecode that V8 runs as it finds it, so it is read only from a directory and a
 * file that belong to this user and that nobody else may write, and its name carries a hash of
 * the program (V8 itself only checks the source's length), the Node version and the role (each
 * action, or the CLI, compiles different functions). A damaged file is never run: the file holds
 * the data twice and is used only when both copies agree (cache-check.ts). It is an optimisation only:
 * anything unexpected (no such directory, a foreign owner, a read or write error, a damaged
 * file, a cache V8 rejects) means compiling from source as usual, never a failure.
 *
 * Node read this part of the file before the program is read here. A file replaced in between (an
 * upgrade copied over it while oned runs an action) would pair this part's build hash and
 * offsets with other text of the same length, which V8 would accept for the old cache and run
 * (seen: SIGSEGV). So the cache is used only while the file's ctime, which no one can set back,
 * is older than this process; and a part that is not framed exactly as built is refused.
 *
 *   NEBULA_IPAM_CODE_CACHE=off    never read or write a cache
 *   NEBULA_IPAM_CODE_CACHE=<dir>  keep it there instead of $TMPDIR/nebula-ipam-code-cache-<uid>
 */
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename } from 'node:path';
import { Script } from 'node:vm';
import { ACTION_NAMES } from '../core/actions/action.ts';
import { seal, unseal } from './cache-check.ts';
import { programFrom, WRAPPER_END, WRAPPER_START } from './program-comment.ts';

/** A hash of the program's parts, set by build.mjs. */
declare const NEBULA_IPAM_BUILD: string;
/**
 * Where the parts' comment bodies are in this file, set by build.mjs once the file is laid out:
 * `driverStart:driverEnd:driverLine:cliStart:cliEnd:cliLine` (byte offsets; 0-based line).
 */
declare const NEBULA_IPAM_LAYOUT: string;

const invokedAs = basename(process.argv[1] ?? '');
const role = (ACTION_NAMES as readonly string[]).includes(invokedAs) ? invokedAs : 'cli';
const [start, end, line] = NEBULA_IPAM_LAYOUT.split(':')
  .map(Number)
  .slice(role === 'cli' ? 3 : 0) as [number, number, number];

const { text: stored, changedMs } = readPart(__filename, start, end);
// Margin for filesystems whose timestamps are coarser than the process's clock.
const unchanged = changedMs < Date.now() - process.uptime() * 1000 - 2000;
const dir = unchanged ? cacheDirectory(process.env) : undefined;
const file = dir && `${dir}/${NEBULA_IPAM_BUILD}-${role}-${process.version}-${process.arch}.cache`;
const sealed = file ? readTrusted(dir, file) : undefined;
// A damaged file is never given to V8 (cache-check.ts).
const cachedData = sealed && unseal(sealed);

const source = programFrom(stored);
if (!source.startsWith(WRAPPER_START) || !source.endsWith(WRAPPER_END)) {
  process.stderr.write(
    `Cannot start nebula-ipam: ${__filename} changed while it was starting (an upgrade in progress?); run it again\n`,
  );
  process.exit(1);
}
const script = new Script(source, { filename: __filename, lineOffset: line, ...(cachedData ? { cachedData } : {}) });
if (file && (!cachedData || script.cachedDataRejected)) {
  // After the run, so the cache also holds the functions this role compiled lazily; and only
  // after a success, whose path is the one worth caching (a refusal compiles far less).
  process.once('exit', (code) => {
    if (code === 0) writeTrusted(dir, file, () => seal(script.createCachedData()));
  });
}
// This file only ever runs as the bundle's CommonJS wrapper, which provides these five.
script.runInThisContext()(exports, require, module, __filename, __dirname);

/**
 * Bytes [from, to) of the file as text (the parts are ASCII, build.mjs checks, so latin1 is
 * exact), and when the file last changed.
 */
function readPart(path: string, from: number, to: number): { text: string; changedMs: number } {
  const bytes = Buffer.allocUnsafe(to - from);
  const fd = openSync(path, 'r');
  try {
    const changedMs = fstatSync(fd).ctimeMs;
    let got = 0;
    while (got < bytes.length) {
      const n = readSync(fd, bytes, got, bytes.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    // A file cut short is caught by the framing check with everything else.
    return { text: bytes.toString('latin1', 0, got), changedMs };
  } finally {
    closeSync(fd);
  }
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

/**
 * Each build leaves a cache per role and Node version. Those of other builds go once they are
 * older than this: an upgraded front-end sheds the old ones at its first new cache, and where
 * several builds run side by side (tests, a rollout) each keeps its own while in use.
 */
const OTHER_BUILDS_KEPT_MS = 10 * 60 * 1000;

function pruneOtherBuilds(directory: string): void {
  const oldest = Date.now() - OTHER_BUILDS_KEPT_MS;
  for (const name of readdirSync(directory)) {
    if (!name.endsWith('.cache') || name.startsWith(`${NEBULA_IPAM_BUILD}-`)) continue;
    const path = `${directory}/${name}`;
    if (lstatSync(path).mtimeMs < oldest) rmSync(path, { force: true });
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
    pruneOtherBuilds(directory);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Runs at exit: nothing here may change how the action ended.
    }
  }
}
