/**
 * oned's `ipamrc`: the `VAR=value` lines oned exports to every IPAM action. one_ipam hands the
 * file to madcommon.sh's `export_rc_vars`, which takes the names of the lines shaped `NAME=` and
 * sources the file with the shell. The CLI must see the same values the actions get, so it reads
 * the `NEBULA_IPAM_*` lines here, as the shell would for the values it can be sure of: plain,
 * '...' or "..." without `$`, backticks or backslashes. A value the shell would expand is refused
 * (the CLI would guess a different book than oned's). Pure: `read-ipamrc.ts` reads the file.
 */
import { IpamError, shown } from '../core/errors.ts';
import type { Env } from './paths.ts';

export interface Ipamrc {
  /** Where it was looked for, for messages. */
  readonly file: string;
  /** Its NEBULA_IPAM_* variables (none when there is no such file). */
  readonly vars: Env;
}

const ASSIGNMENT = /^([A-Za-z0-9_-]*)=(.*)$/;
const PLAIN = /^[^\s'"`$\\;&|<>()]*$/;

export function parseIpamrc(text: string, file: string): Ipamrc {
  const vars: Record<string, string> = {};
  text.split('\n').forEach((line, i) => {
    const match = ASSIGNMENT.exec(line.replace(/\r$/, ''));
    if (!match || !match[1]!.startsWith('NEBULA_IPAM_')) return;
    const name = match[1]!;
    const value = shellValue(match[2]!);
    if (value === undefined) {
      throw new IpamError(
        'config',
        `Cannot read ${file}: line ${i + 1} sets ${name} to ${shown(match[2]!)}, which the shell would expand or split; write the value plainly (e.g. ${name}=/var/lib/one/nebula-ipam/nebula/leases.json)`,
        { subject: file, reason: `line ${i + 1} is not a plain value` },
      );
    }
    // Sourced top to bottom: the last assignment wins.
    vars[name] = value;
  });
  return { file, vars };
}

/** The value as the shell would assign it, or undefined when only the shell could tell. */
function shellValue(raw: string): string | undefined {
  const quoted = /^(['"])(.*?)\1\s*(#.*)?$/.exec(raw);
  if (quoted) return quoted[1] === '"' && /[$`\\]/.test(quoted[2]!) ? undefined : quoted[2];
  const plain = /^(\S*)(\s+#.*|\s*)$/.exec(raw);
  if (plain && PLAIN.test(plain[1]!)) return plain[1];
  return undefined;
}
