/**
 * A driver action as a process: read the request, load config, run the pure action inside one
 * store update, print the reply. Every failure becomes one line on stderr and an exit code.
 */
import { ACTIONS, PRECHECKS } from '../actions/index.ts';
import type { ActionName } from '../actions/action.ts';
import { configPath, driverNameOf, storePath, type Env } from '../config/paths.ts';
import { loadConfig } from '../config/load-config.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { IpamError } from '../errors.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import { decodeRequest } from '../oned/request.ts';
import { FileStore } from '../store/file-store.ts';
import { readRawRequest } from './read-request.ts';
import { writeStepHook } from './test-hooks.ts';

export interface ProcessIo {
  readonly args: readonly string[];
  readonly env: Env;
  readonly invokedPath: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly now: () => Date;
}

/** Actions whose success oned reads a vector from; an empty success would crash oned <= 6.6. */
const NEEDS_REPLY: ReadonlySet<ActionName> = new Set(['register_address_range', 'get_address']);

export async function runAction(name: ActionName, io: ProcessIo): Promise<number> {
  let bookPath: string | undefined;
  let actor = 'oned:-';
  try {
    const raw = await readRawRequest(io.args);
    const request = decodeRequest(raw.payload);
    PRECHECKS[name]?.(request);
    const driverName = driverNameOf(io.invokedPath);
    const { file, explicit } = configPath(driverName, io.env);
    const config = loadConfig(file, explicit);
    bookPath = storePath(config, driverName, io.env);
    const onWriteStep = writeStepHook(io.env);
    const store = new FileStore(bookPath, { lockTimeoutMs: config.lockTimeoutMs, ...(onWriteStep ? { onWriteStep } : {}) });
    const context = { config, driverName, now: io.now().toISOString(), ...(raw.requestId === undefined ? {} : { requestId: raw.requestId }) };
    actor = `oned:${raw.requestId ?? '-'}`;
    const decision = await store.update((book) => {
      const decided = ACTIONS[name](book, request, context);
      return { ...(decided.book ? { book: decided.book } : {}), result: decided };
    });
    if (NEEDS_REPLY.has(name) && !decision.reply) throw new IpamError('internal', `Cannot ${name}: the action produced no reply`);
    if (decision.reply) io.stdout(decision.reply);
    // A success that changed nothing on purpose (audit facts, no book) is logged as 'unchanged'.
    if (decision.book || decision.audit) appendAudit(bookPath, { time: context.now, actor, action: name, ...decision.audit, result: decision.book ? 'ok' : 'unchanged' });
    return EXIT_CODES.ok;
  } catch (error) {
    const code = reportFailure(error, io.stderr);
    if (bookPath) appendAudit(bookPath, { time: io.now().toISOString(), actor, action: name, result: 'error', error: (error as Error).message });
    return code;
  }
}

/** One line, never starting with ERROR:/INFO: (oned would file it as a log line, not the message). */
export function reportFailure(error: unknown, stderr: (text: string) => void): number {
  const known = error instanceof IpamError ? error : new IpamError('internal', `Cannot complete the action: unexpected ${(error as Error)?.stack?.split('\n', 2).join(' ') ?? String(error)}`);
  stderr(`${known.message.replace(/[\r\n]+/g, ' ')}\n`);
  return EXIT_CODES[known.kind];
}
