/**
 * `nebula-ipam install --hook`: makes (or brings back in step) the OpenNebula hooks that record
 * VM names in the book (core/oned/hook-templates.ts, the README's "VM names: hook"), through
 * oned's XML-RPC API with the config's `oned` connection; nothing is spawned (no `onehook`).
 * Idempotent: a hook in step is kept, a drifted one updated, a missing one created; everything
 * is judged (`one.hookpool.info`) before anything changes. `--dry-run` prints the templates and
 * what it would do.
 *
 * Signatures read in OpenNebula's source: one.hookpool.info "A:siii" (HookPoolInfo,
 * src/rm/RequestManagerPoolInfoFilter.cc, 6.x "Copyright 2002-2023"), one.hook.allocate "A:ss"
 * (HookAllocate, RequestManagerAllocate), one.hook.update "A:sisi" (HookUpdateXRPC of the
 * current tree's XML-RPC layer; 6.x's HookUpdateTemplate is the common update: id, template,
 * type 0 replace or 1 merge).
 */
import { DEFAULT_DRIVER_NAME } from '../config/paths.ts';
import { IpamError } from '../core/errors.ts';
import { EXIT_CODES } from '../core/exit-codes.ts';
import { type HookStep, planHooks } from '../core/oned/hook-plan.ts';
import {
  DEFAULT_HOOK_COMMAND,
  hookTemplateText,
  hookUpdateText,
  nebulaIpamHooks,
} from '../core/oned/hook-templates.ts';
import { readHookPool } from '../oned/hook-pool-xml.ts';
import { callOned, onedClient } from '../oned/xmlrpc-client.ts';
import type { CliContext } from './context.ts';
import { renderJson } from './render/json.ts';
import { renderTable } from './render/table.ts';

export interface HookOptions {
  /** `--hook-command`: what the hooks run; absolute (oned's hook manager has no PATH of ours). */
  readonly command?: string;
  readonly dryRun: boolean;
}

/** Every hook, every user's (-2), every ID (-1, -1). */
const HOOKPOOL_INFO = ['one.hookpool.info', [-2, -1, -1]] as const;
/** one.hook.update's update type: 0 replaces the whole template, 1 merges. */
const REPLACE = 0;

export async function installHooks(context: CliContext, options: HookOptions): Promise<number> {
  const command = options.command ?? DEFAULT_HOOK_COMMAND;
  const config = context.config();
  if (!config.oned)
    throw new IpamError(
      'config',
      `Cannot install the hooks: the config ${config.source} has no "oned": { "authFile": ... } to reach oned's XML-RPC API with; see "VM names" in the README (or make them with onehook create)`,
    );
  // The driver's book: said in the hooks' COMMAND only when the hook could not find it alone.
  const driver =
    context.options.driverFoundIn === undefined && context.driver !== DEFAULT_DRIVER_NAME ? context.driver : undefined;
  const ours = nebulaIpamHooks(command, driver);
  const client = onedClient(config.oned);
  const [method, params] = HOOKPOOL_INFO;
  const pool = await callOned(client, method, params);
  const steps = planHooks(ours, readHookPool(String(pool), `${method} of oned at ${config.oned.endpoint}`));

  const done: { step: HookStep; id: number | undefined }[] = [];
  for (const step of steps) {
    if (options.dryRun || step.step === 'keep') done.push({ step, id: step.step === 'create' ? undefined : step.id });
    else if (step.step === 'create') {
      const id = await callOned(client, 'one.hook.allocate', [hookTemplateText(step.hook)]).catch((error: unknown) => {
        throw partly(error, done);
      });
      done.push({ step, id: typeof id === 'number' ? id : undefined });
    } else {
      await callOned(client, 'one.hook.update', [step.id, hookUpdateText(step.hook), REPLACE]).catch(
        (error: unknown) => {
          throw partly(error, done);
        },
      );
      done.push({ step, id: step.id });
    }
  }

  if (context.json) {
    context.stdout(
      renderJson({
        endpoint: config.oned.endpoint,
        dryRun: options.dryRun,
        hooks: done.map(({ step, id }) => ({
          name: step.hook.name,
          id: id ?? null,
          state: stateOf(step, options.dryRun),
          drift: step.step === 'update' ? step.drift : [],
          template: hookTemplateText(step.hook),
        })),
      }),
    );
    return EXIT_CODES.ok;
  }
  const rows = done.map(({ step, id }) => [
    step.hook.name,
    id === undefined ? '-' : String(id),
    stateText(step, options.dryRun),
  ]);
  const table = renderTable([{ header: 'HOOK' }, { header: 'ID' }, { header: 'STATE' }], rows, context.options.width);
  const head = options.dryRun
    ? `Would make these hooks in oned at ${config.oned.endpoint} (dry run: nothing was changed):`
    : `Hooks in oned at ${config.oned.endpoint}:`;
  const templates = options.dryRun ? `\n${ours.map((h) => `${hookTemplateText(h)}\n`).join('\n')}` : '';
  context.stdout(`${head}\n${table}${templates}`);
  return EXIT_CODES.ok;
}

function stateOf(step: HookStep, dryRun: boolean): string {
  if (step.step === 'keep') return 'kept';
  if (dryRun) return step.step;
  return step.step === 'create' ? 'created' : 'updated';
}

function stateText(step: HookStep, dryRun: boolean): string {
  const state = stateOf(step, dryRun);
  return step.step === 'update' ? `${state} (${step.drift.join(', ')} differed)` : state;
}

/** A refusal after some hooks were made: the one line says which are in place already. */
function partly(error: unknown, done: readonly { step: HookStep; id: number | undefined }[]): unknown {
  if (!(error instanceof IpamError) || done.length === 0) return error;
  const names = done.map(({ step }) => step.hook.name).join(', ');
  return new IpamError(
    error.kind,
    `${error.message} (${names} ${done.length === 1 ? 'is' : 'are'} in place)`,
    error.facts,
  );
}
