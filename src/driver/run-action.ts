/**
 * A driver action as a process: read the request, load config, run the pure action inside one
 * store update, print the reply. Every failure becomes one line on stderr and an exit code.
 */
import { ACTIONS, PRECHECKS } from '../core/actions/index.ts';
import type { ActionName } from '../core/actions/action.ts';
import { auditedUpdate } from '../audit/audited-update.ts';
import type { Book } from '../core/book/book.ts';
import { bookSources } from '../config/book-sources.ts';
import { loadConfig } from '../config/load-config.ts';
import { driverNameOf, type Env } from '../config/paths.ts';
import { chooseBook, chooseConfig } from '../config/resolve-book.ts';
import { IpamError } from '../core/errors.ts';
import { EXIT_CODES } from '../core/exit-codes.ts';
import type { LoadedConfig } from '../config/parse-config.ts';
import { readsErrorMarkers } from '../core/oned/oned-version.ts';
import { failureOf, stderrText } from '../core/failure.ts';
import { NO_GUARD, type InterruptGuard } from '../interrupts/interrupt-guard.ts';
import { decodeRequest } from '../oned/request.ts';
import { openStore } from '../store/open-store.ts';
import { isRequestInArgv, readRawRequest } from './read-request.ts';

export interface ProcessIo {
  readonly args: readonly string[];
  readonly env: Env;
  readonly invokedPath: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly now: () => Date;
  /** What the action's write runs through (program.ts installs the process's); none in-process. */
  readonly interrupts?: InterruptGuard;
}

/** Actions whose success oned reads a vector from; an empty success would crash oned <= 6.6. */
const NEEDS_REPLY: ReadonlySet<ActionName> = new Set(['register_address_range', 'get_address']);

export async function runAction(name: ActionName, io: ProcessIo): Promise<number> {
  let config: LoadedConfig | undefined;
  try {
    const raw = await readRawRequest(io.args);
    const request = decodeRequest(raw.payload);
    const driverName = driverNameOf(io.invokedPath);
    const sources = bookSources(driverName, io.env);
    const { file, explicit, setting } = chooseConfig(sources);
    config = loadConfig(file, explicit, setting);
    PRECHECKS[name]?.(request, config);
    const store = openStore(config, chooseBook(config, sources), driverName, io.env);
    const context = {
      config,
      driverName,
      now: io.now().toISOString(),
      ...(raw.requestId === undefined ? {} : { requestId: raw.requestId }),
    };
    const subject = { time: context.now, actor: `oned:${raw.requestId ?? '-'}`, action: name };
    const decide = (book: Book) => ACTIONS[name](book, request, context);
    const reply = await (io.interrupts ?? NO_GUARD).write(store.description.location, (options) =>
      auditedUpdate(store, subject, decide, {}, options),
    );
    if (NEEDS_REPLY.has(name) && !reply)
      throw new IpamError('internal', `Cannot ${name}: the action produced no reply`);
    if (reply) io.stdout(reply);
    return EXIT_CODES.ok;
  } catch (error) {
    const failure = failureOf(error, 'the action');
    // OpenNebula 5 shows only a message between markers: known from its calling form, or the config.
    io.stderr(stderrText(failure, isRequestInArgv(io.args) || readsErrorMarkers(config?.onedVersion)));
    return failure.code;
  }
}
