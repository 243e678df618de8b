/**
 * Real disk faults for the store tests: a tiny tmpfs that fills up, a directory made read-only.
 * Mounting needs root with CAP_SYS_ADMIN; where that is missing the caller gets a reason to skip
 * (the injected-ENOSPC test hook still covers the full disk everywhere).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

function run(program: string, args: readonly string[]): boolean {
  const result = spawnSync(program, [...args], { stdio: 'ignore', timeout: 10_000 });
  return result.status === 0;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Mounts a tmpfs of `kib` KiB on `dir` (created if needed); returns why not when it cannot. */
export function mountTinyDisk(dir: string, kib: number): { unmount: () => void } | { skip: string } {
  if (!isRoot()) return { skip: 'mounting a small tmpfs needs root' };
  fs.mkdirSync(dir, { recursive: true });
  if (!run('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0700`, 'tmpfs', dir]))
    return { skip: 'mount -t tmpfs failed (no CAP_SYS_ADMIN here?)' };
  return { unmount: () => void run('umount', ['-l', dir]) };
}

/** Fills the file system holding `dir` until fewer than `leaveBytes` remain. */
export function fillDisk(dir: string, leaveBytes: number): void {
  const free = fs.statfsSync(dir).bavail * fs.statfsSync(dir).bsize;
  const size = Math.max(0, free - leaveBytes);
  const fd = fs.openSync(`${dir}/filler`, 'w');
  try {
    const block = Buffer.alloc(4096);
    for (let written = 0; written < size; ) {
      try {
        written += fs.writeSync(fd, block, 0, Math.min(block.length, size - written));
      } catch {
        break;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Makes `dir` read-only for the driver: for root a read-only bind mount (root ignores modes),
 * otherwise mode 0500. Returns how to undo it, or why it cannot be done here.
 */
export function makeReadOnly(dir: string): { undo: () => void } | { skip: string } {
  if (!isRoot()) {
    fs.chmodSync(dir, 0o500);
    return { undo: () => fs.chmodSync(dir, 0o700) };
  }
  if (!run('mount', ['--bind', dir, dir])) return { skip: 'mount --bind failed (no CAP_SYS_ADMIN here?)' };
  if (!run('mount', ['-o', 'remount,bind,ro', dir, dir])) {
    run('umount', ['-l', dir]);
    return { skip: 'remounting read-only failed' };
  }
  return { undo: () => void run('umount', ['-l', dir]) };
}
