/**
 * What `install --hook` does with each of our hooks (hook-templates.ts), given the hooks oned
 * holds (`one.hookpool.info`): create one that is missing, update one whose attributes drifted
 * (an operator's edit, an older release's template, another COMMAND), keep one in step. A hook
 * of our name but another TYPE cannot be updated (one.hook.update keeps the type): refused,
 * before anything changes. Pure.
 */
import { IpamError } from '../errors.ts';
import { hookDrift, type HookTemplate } from './hook-templates.ts';

/** A hook as oned holds it: HOOK/ID, NAME, TYPE and the HOOK/TEMPLATE attributes. */
export interface HeldHook {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly template: ReadonlyMap<string, string>;
}

export type HookStep =
  | { readonly hook: HookTemplate; readonly step: 'create' }
  | { readonly hook: HookTemplate; readonly step: 'update'; readonly id: number; readonly drift: readonly string[] }
  | { readonly hook: HookTemplate; readonly step: 'keep'; readonly id: number };

export function planHooks(ours: readonly HookTemplate[], held: readonly HeldHook[]): HookStep[] {
  return ours.map((hook): HookStep => {
    // oned refuses a second hook of one name; the lowest ID is the one an operator made first.
    const found = held.filter((h) => h.name === hook.name).sort((a, b) => a.id - b.id)[0];
    if (!found) return { hook, step: 'create' };
    if (found.type.toLowerCase() !== hook.type)
      throw new IpamError(
        'conflict',
        `Cannot update hook ${hook.name} (ID ${found.id}) in oned: it is a ${found.type} hook and ours is a ${hook.type} hook, which one.hook.update cannot change; nothing was changed. Remove it (onehook delete ${found.id}) and run install --hook again`,
        { subject: hook.name, reason: `its type is ${found.type}` },
      );
    const drift = hookDrift(hook, found);
    return drift.length ? { hook, step: 'update', id: found.id, drift } : { hook, step: 'keep', id: found.id };
  });
}
