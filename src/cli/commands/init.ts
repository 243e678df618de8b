/**
 * `nebula-ipam init`: makes the empty lease book, on purpose, where the driver will look for it.
 * Nothing else makes a book (store/missing-book.ts), so a config moved away or a typo in a path
 * fails loudly instead of starting a second book beside the real one.
 */
import { IpamError } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import type { CliContext } from '../context.ts';
import { exitCodeHelp } from '../exit-code-help.ts';
import { renderJson } from '../render/json.ts';

export const initCommand: Command = {
  name: 'init',
  summary: 'create the empty lease book where the driver looks for it',
  namesBookOnStderr: false,
  usage: `Usage: nebula-ipam init [--json]

Creates the empty lease book (generation 0) where the driver's actions will look for it: the
config's backend (a file, or an etcd prefix), found as the actions find it (--store,
NEBULA_IPAM_STORE, NEBULA_IPAM_STORE in ipamrc, the config's "store" or "backend", the
default). Only init and install make a book: every other command and every action refuses a
missing one, so a config moved away or a mistyped path cannot start a second book.

Safe to run again: a book already there is kept as it is.

  --json   { book, config, created }

${exitCodeHelp([
  [0, 'created, or already there'],
  [2, 'bad option'],
  [4, 'the config is unreadable or invalid'],
  [5, 'no config file (`nebula-ipam install` writes a starter one)'],
  [7, 'a damaged book is there (left as it is)'],
  [8, 'cannot write the book or its directory'],
])}`,
  async run(args, context) {
    parseCommandArgs('init', args, {}, { min: 0, max: 0, names: '' });
    const { created, location, origin } = await createBook(context);
    if (context.json) {
      context.stdout(renderJson({ book: location, config: context.config().source, created }));
      return EXIT_CODES.ok;
    }
    context.stdout(
      created
        ? `Created the empty lease book ${location} (${origin}).\n`
        : `Kept the lease book ${location}: it is already there (${origin}).\n`,
    );
    return EXIT_CODES.ok;
  },
};

/** The book of this context, made unless it is there; for init and install. */
export async function createBook(context: CliContext): Promise<{ created: boolean; location: string; origin: string }> {
  const store = context.store();
  const { location, origin = '' } = store.description;
  const subject = { time: context.now().toISOString(), actor: context.actor, action: 'init' };
  try {
    const created = await store.create({ ...subject, result: 'ok', detail: 'empty book created' });
    return { created, location, origin };
  } catch (error) {
    if (error instanceof IpamError) throw error;
    throw new IpamError('store-io', `Cannot create the lease book ${location}: ${(error as Error).message}`);
  }
}
