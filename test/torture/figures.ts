/** The torture suite's figures and the table they are printed as (docs/guarantees.md copies it). */

export interface Figures {
  readonly seed: number;
  readonly sizes: Readonly<Record<string, number>>;
  readonly operations: number;
  readonly processes: number;
  readonly kills: number;
  readonly killsInWritePath: number;
  readonly deadLockHolders: number;
  readonly badInputs: number;
  readonly badInputsMishandled: number;
  readonly duplicates: number;
  readonly leasesLost: number;
  readonly tornOrUnloadable: number;
  readonly phantomLeases: number;
  readonly lockedRefusals: number;
  readonly lockedOverrunMs: number;
  readonly recoveryDeadHolderMedianMs: number;
  readonly recoveryDeadHolderMaxMs: number;
  readonly recoveryDeadHolderProbeMs: number;
  readonly recoveryHolderElsewhereMs: number;
  readonly plainActionMs: number;
  readonly leftoverTempFiles: number;
  readonly elapsedSeconds: number;
  readonly problems: readonly string[];
  readonly node: string;
  readonly date: string;
}

export function figuresTable(f: Figures): string {
  const rows: [string, string][] = [
    ['operations (driver actions and operator commands, separate processes)', String(f.operations)],
    ['concurrent processes on one lease book', String(f.processes)],
    ['processes killed with SIGKILL', `${f.kills} (${f.killsInWritePath} at a step of the book write)`],
    ['dead lock holders left behind by those kills', String(f.deadLockHolders)],
    ['hostile inputs (test/corpus), each refused cleanly', `${f.badInputs - f.badInputsMishandled} of ${f.badInputs}`],
    ['addresses given out twice', String(f.duplicates)],
    ['acknowledged leases lost', String(f.leasesLost)],
    ['books torn or unloadable after a kill', String(f.tornOrUnloadable)],
    ['leases nobody was told about (failed operations that wrote)', String(f.phantomLeases)],
    ['"locked" refusals (exit 6), latest past its deadline', `${f.lockedRefusals}, +${f.lockedOverrunMs} ms`],
    [
      'stale-lock recovery, holder killed on this machine',
      `median ${f.recoveryDeadHolderMedianMs} ms, max ${f.recoveryDeadHolderMaxMs} ms (one action alone: ${f.plainActionMs} ms)`,
    ],
    ['stale-lock recovery, holder on another machine (lock age)', `${f.recoveryHolderElsewhereMs} ms`],
    ['temp files left behind', String(f.leftoverTempFiles)],
    ['wall time', `${f.elapsedSeconds} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const line = (k: string, v: string) => `| ${k.padEnd(width)} | ${v} |`;
  return [
    `nebula-ipam torture figures (seed ${f.seed}, ${f.node}, ${f.date})`,
    '',
    line('figure', 'value'),
    `|${'-'.repeat(width + 2)}|-------|`,
    ...rows.map(([k, v]) => line(k, v)),
    '',
    f.problems.length === 0 ? 'Every guarantee held.' : `${f.problems.length} PROBLEMS (listed on stderr).`,
    '',
  ].join('\n');
}
