/**
 * oned's hook pool (`one.hookpool.info`'s answer, Hook::_to_xml in OpenNebula's src/hm/Hook.cc):
 * `<HOOK_POOL><HOOK><ID/><NAME/><TYPE/><TEMPLATE>attributes</TEMPLATE><HOOKLOG/></HOOK>...`,
 * as `install --hook` compares it with ours. Strict like the VM pool reader.
 */
import { IpamError, shown } from '../core/errors.ts';
import type { HeldHook } from '../core/oned/hook-plan.ts';
import { listOf, onedDocument, record, textOf } from './xml-values.ts';

/** `source` names where the XML came from in the one failure line. */
export function readHookPool(xml: string, source: string): HeldHook[] {
  const top = onedDocument(xml, (why) => bad(source, why));
  if (top.HOOK_POOL === undefined) throw bad(source, 'it has no HOOK_POOL element');
  return listOf(record(top.HOOK_POOL)?.HOOK).map((entry) => {
    const hook = record(entry);
    const id = textOf(hook?.ID);
    if (!hook || id === undefined || !/^(0|[1-9][0-9]{0,9})$/.test(id))
      throw bad(source, `a hook has ID ${shown(String(id))}`);
    const template = new Map<string, string>();
    for (const [key, value] of Object.entries(record(hook.TEMPLATE) ?? {})) {
      const text = textOf(value);
      if (text !== undefined) template.set(key, text);
    }
    return { id: Number(id), name: textOf(hook.NAME) ?? '', type: textOf(hook.TYPE) ?? '', template };
  });
}

function bad(source: string, why: string): IpamError {
  return new IpamError('store-io', `Cannot read the hook pool from ${source}: ${why}`);
}
