/**
 * How long the next action waits behind a holder that will never release the lock: one killed on
 * this machine (taken over as soon as its pid is seen gone) and one on another front-end
 * (taken over once the lock is STALE_MS old), each measured from the moment the holder is gone
 * to the next action's exit, process start-up included.
 */
import * as fs from 'node:fs';
import { OnedAr, parseTemplateReply, registerXml } from '../support/driver-harness.ts';
import { tortureSandbox } from './sandbox.ts';
import { spawnAction } from './spawn-action.ts';

export interface StaleLockReport {
  /** A normal action, no lock in the way: the floor of the figures below. */
  readonly plainActionMs: number;
  readonly deadHolderHereMs: number;
  readonly holderElsewhereMs: number;
  readonly problems: readonly string[];
}

export async function measureStaleLocks(): Promise<StaleLockReport> {
  const sandbox = tortureSandbox({ driver: 'nebula-ipam', config: {} });
  const problems: string[] = [];
  try {
    const ar = new OnedAr(
      parseTemplateReply(
        sandbox.run(
          'register_address_range',
          registerXml({ TYPE: 'IP4', IP: '10.3.0.0', SIZE: '64', IPAM_MAD: 'nebula-ipam' }),
        ).stdout,
        'AR',
      ).attrs,
    );
    const lock = `${sandbox.bookPath}.lock`;

    const plain = await spawnAction(sandbox, 'get_address', ar.getXml(), { requestId: '1' });
    if (plain.code !== 0) problems.push(`a plain get_address failed: ${plain.stderr}`);

    const killed = await spawnAction(sandbox, 'get_address', ar.getXml(), {
      requestId: '2',
      env: { NEBULA_IPAM_TEST_CRASH_AT: 'temp-written' },
    });
    if (killed.signal !== 'SIGKILL' || !fs.existsSync(lock))
      problems.push('the crash hook did not leave a dead holder behind');
    const afterDeath = await spawnAction(sandbox, 'get_address', ar.getXml(), { requestId: '3' });
    if (afterDeath.code !== 0) problems.push(`the action after a dead holder failed: ${afterDeath.stderr}`);

    // A holder on another front-end sharing the book: its pid means nothing here.
    fs.mkdirSync(lock, { mode: 0o700 });
    fs.writeFileSync(
      `${lock}/owner`,
      JSON.stringify({ token: 'elsewhere', pid: 1, host: 'another-front-end', boot: 'x', pidns: 'x' }),
      { mode: 0o600 },
    );
    const gone = performance.now();
    const afterElsewhere = await spawnAction(sandbox, 'get_address', ar.getXml(), { requestId: '4' });
    if (afterElsewhere.code !== 0)
      problems.push(`the action after a holder elsewhere failed: ${afterElsewhere.stderr}`);
    return {
      plainActionMs: Math.round(plain.end - plain.start),
      deadHolderHereMs: Math.round(afterDeath.end - killed.end),
      holderElsewhereMs: Math.round(afterElsewhere.end - gone),
      problems,
    };
  } finally {
    sandbox.cleanup();
  }
}
