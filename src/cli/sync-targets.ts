/** The config's sync targets as this front-end's last `sync` pass left them, for status and metrics. */
import type { Config } from '../core/config/config.ts';
import { DEFAULT_MAX_AGE_SECONDS, type TargetHealth, targetHealth } from '../core/sync/target-health.ts';
import { readSyncState, syncStateFile } from '../sync/sync-state.ts';
import type { CliContext } from './context.ts';

export function syncTargets(
  context: CliContext,
  config: Config,
  maxAgeSeconds = DEFAULT_MAX_AGE_SECONDS,
): TargetHealth[] {
  const state = readSyncState(syncStateFile(context.env, context.driver));
  return targetHealth(config.targets, state, context.now().getTime(), maxAgeSeconds);
}
