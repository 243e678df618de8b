/**
 * SIGINT and SIGTERM are honest (issue 15 item 3): a process that gets one either stops before
 * anything is written to the lease book (exit 130 or 143, one line saying nothing was written)
 * or, once a write has passed its commit point, finishes it, reports what landed as usual, and
 * then exits with the signal's code and one line saying the write was finished.
 *
 * The CLI and the driver install this guard once, at process start (program.ts), and run every
 * write through `write`. Outside a write a signal ends the process at once: nothing can be half
 * written then. During a write it aborts the write's signal, and the store decides
 * (stop-before-commit.ts): it stops at its next stop point, releasing its lock, or, past the commit
 * point, ignores it. Node's default would kill the process wherever it is, and proper-lockfile's
 * exit handler (signal-exit) re-raises the signal after the write it did not stop, leaving the
 * lock directory behind; with a listener of ours present it does neither.
 */
import { IpamError } from '../core/errors.ts';
import { failureOf } from '../core/failure.ts';
import type { UpdateOptions } from '../store/store.ts';

export type Interruption = 'SIGINT' | 'SIGTERM';
const SIGNALS: readonly Interruption[] = ['SIGINT', 'SIGTERM'];

export interface InterruptGuard {
  /**
   * Runs one write to the book at `where`, giving it the signal to honour: while it runs, a
   * signal aborts that instead of ending the process.
   */
  write<R>(where: string, run: (options: UpdateOptions) => Promise<R>): Promise<R>;
  /**
   * The code the process ends with: `code`, or the signal's when one came once a write had
   * passed its commit point (then said in one line). Puts the default handling back.
   */
  finish(code: number): number;
  /**
   * A command that goes on after reporting its writes (sync --follow, after each pass): from now
   * a signal ends the process at once again, and one that came meanwhile (ignored while the
   * report was due, or one that stopped a write) ends it here. Without this, a follow pass that
   * wrote holds would leave SIGTERM ignored for good.
   */
  settled(): void;
}

/** For code run in-process (tests): writes get no signal, and nothing is installed. */
export const NO_GUARD: InterruptGuard = {
  write: (_where, run) => run({}),
  finish: (code) => code,
  settled: () => {},
};

export interface GuardIo {
  readonly stderr: (text: string) => void;
  readonly exit: (code: number) => void;
}

export function installInterruptGuard(io: GuardIo): InterruptGuard {
  const controller = new AbortController();
  let received: Interruption | undefined;
  let writing = 0;
  let landed: string | undefined;

  const stopBeforeWrite = (signal: Interruption) => {
    const { line, code } = failureOf(
      interruption(
        signal,
        `Interrupted by ${signal} before any change to the lease book had begun; nothing was written`,
      ),
    );
    io.stderr(`${line}\n`);
    io.exit(code);
  };
  const finishedLine = (signal: Interruption, where: string) =>
    failureOf(
      interruption(
        signal,
        `Interrupted by ${signal} once the write to the lease book ${where} had begun: it was finished and is in the book, as reported above`,
      ),
    );
  const onSignal = (signal: Interruption) => {
    received ??= signal;
    if (writing > 0) {
      controller.abort(signal);
      return;
    }
    // A write has landed: the command is reporting it; finish() adds the line and the code.
    if (landed !== undefined) return;
    stopBeforeWrite(signal);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);

  return {
    async write(where, run) {
      writing++;
      try {
        const result = await run({ signal: controller.signal });
        landed = where;
        return result;
      } finally {
        writing--;
      }
    },
    finish(code) {
      for (const signal of SIGNALS) process.off(signal, onSignal);
      if (received === undefined || landed === undefined) return code;
      const { line, code: signalCode } = finishedLine(received, landed);
      io.stderr(`${line}\n`);
      return signalCode;
    },
    settled() {
      if (received !== undefined && landed !== undefined) {
        const { line, code } = finishedLine(received, landed);
        io.stderr(`${line}\n`);
        io.exit(code);
      } else if (received !== undefined) stopBeforeWrite(received);
      landed = undefined;
    },
  };
}

function interruption(signal: Interruption, message: string): IpamError {
  return new IpamError(signal === 'SIGTERM' ? 'terminated' : 'interrupted', message);
}
