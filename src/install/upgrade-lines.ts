/** What an install says about what it replaced and what it left behind: one line each. */
import { versionText } from './bundle-version.ts';
import { foreignWriter } from './trusted-path.ts';
import type { OldBundle } from './old-bundles.ts';

export interface Replacement {
  readonly path: string;
  readonly from: string | undefined;
  readonly to: string | undefined;
}

export function replacementLine(r: Replacement): string {
  if (r.from === r.to && r.from !== undefined) return `Replaced ${r.path}: the same release (${r.from}), another build`;
  return `Replaced nebula-ipam ${versionText(r.from)} with ${versionText(r.to)}: ${r.path}`;
}

export function oldBundleLine(b: OldBundle): string {
  const what = `Old bundle ${b.path} (${versionText(b.version)})`;
  if (b.state === 'kept') return `${what} is no longer used by this driver, but ${b.usedBy} still leads to it: kept`;
  if (b.state === 'removed') return `${what} was used by these links before: removed (--remove-old)`;
  if (b.writer)
    return `${what} was used by these links before and no longer is, but ${b.writer.path} can be written by ${b.writer.who}, so it is not removed (a name there may lead elsewhere by the time it is removed): remove it as that user`;
  if (b.path.split('/').includes('node_modules'))
    return `${what} was used by these links before and is npm's: \`npm uninstall -g nebula-ipam\` removes it`;
  return `${what} was used by these links before and no longer is: remove it, or run install again with --remove-old`;
}

/** The installed copy ran this install: it cannot be newer than itself. */
export function runningCopyWarning(copy: string, version: string | undefined): string {
  return `Kept ${copy} (${versionText(version)}): it is the program running this install, so there is nothing newer to put in its place; to upgrade, run install from the new release's bundle, or name it with --from FILE`;
}

/** Root ran install from a program someone else can change: said, since that code already ran as root. */
export function untrustedRunWarning(self: string): string[] {
  if (process.geteuid?.() !== 0) return [];
  const writer = foreignWriter(self, [0]);
  return writer
    ? [
        `Warning: root ran this install from ${self}, and ${writer.path} can be written by ${writer.who}: whatever is written there runs as root; run install from a bundle only root can write`,
      ]
    : [];
}
