/**
 * nebula-ipam(1), made from the command table: every command's summary and its whole --help
 * text, so the man page can never leave a command out or say something --help does not.
 */
import type { Command } from './command.ts';

/** roff text: backslashes doubled, and a line starting with . or ' kept from being a request. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

export function manPage(commands: readonly Command[], version: string, globalHelp: string): string {
  const sections = commands.map(
    (c) => `.SS ${c.name}\n${roff(c.summary)}\n.PP\n.nf\n${roff(c.usage.trimEnd())}\n.fi\n`,
  );
  return `.TH NEBULA-IPAM 1 "" "nebula-ipam ${version}" "User Commands"
.SH NAME
nebula-ipam \\- OpenNebula IPAM driver and its operator command
.SH SYNOPSIS
.B nebula-ipam
[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIarguments\\fR]
.SH DESCRIPTION
Under the names of the five IPAM actions (register_address_range, unregister_address_range,
allocate_address, get_address, free_address) this program is the driver oned runs; under its
own name it is the operator command described here.
.PP
.nf
${roff(globalHelp.trimEnd())}
.fi
.SH COMMANDS
${sections.join('')}.SH SEE ALSO
.BR onevnet (1),
the README of nebula-ipam.
`;
}
