/**
 * `observe`: the sources of addresses in use outside the book that sync reads besides its
 * targets (issue 18 item 5). Pure, in parse-config's style: one error naming the key and the value.
 */
import type { ObserveConfig } from '../core/config/config.ts';
import { unknownKey } from '../core/unknown-key.ts';

type Fail = (key: string, why: string) => never;

const KEYS = new Set(['onevm']);
const ONEVM_KEYS = new Set(['timeoutMs']);
/** `onevm list -x --extended` of a large cloud takes seconds: oned builds every VM's full body. */
const DEFAULT_ONEVM_TIMEOUT_MS = 30_000;
const MAX_ONEVM_TIMEOUT_MS = 300_000;

export function parseObserve(raw: unknown, fail: Fail): ObserveConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail('observe', `must be an object such as { "onevm": true }, not ${JSON.stringify(raw)}`);
  const entry = raw as Record<string, unknown>;
  for (const key of Object.keys(entry)) if (!KEYS.has(key)) fail(`observe.${key}`, unknownKey(key, KEYS));
  const onevm = entry.onevm;
  if (onevm === undefined || onevm === false) return {};
  if (onevm === true) return { onevm: { timeoutMs: DEFAULT_ONEVM_TIMEOUT_MS } };
  if (typeof onevm !== 'object' || onevm === null || Array.isArray(onevm))
    return fail('observe.onevm', `must be true, false or { "timeoutMs": N }, not ${JSON.stringify(onevm)}`);
  const given = onevm as Record<string, unknown>;
  for (const key of Object.keys(given))
    if (!ONEVM_KEYS.has(key)) fail(`observe.onevm.${key}`, unknownKey(key, ONEVM_KEYS));
  const timeoutMs = given.timeoutMs ?? DEFAULT_ONEVM_TIMEOUT_MS;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < 1 ||
    timeoutMs > MAX_ONEVM_TIMEOUT_MS
  )
    fail(
      'observe.onevm.timeoutMs',
      `must be a whole number of milliseconds from 1 to ${MAX_ONEVM_TIMEOUT_MS}, not ${JSON.stringify(timeoutMs)}`,
    );
  return { onevm: { timeoutMs: timeoutMs as number } };
}
