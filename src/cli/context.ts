/**
 * What every CLI command works with: the configuration and lease book selected by the global
 * options, where output goes, the clock, and who is acting (for the audit log). Config and store
 * are loaded on first use, so `install` or `--help` work without a readable config.
 */
import * as os from 'node:os';
import type { LoadedConfig } from '../config/parse-config.ts';
import type { Ipamrc } from '../config/ipamrc.ts';
import { loadConfig } from '../config/load-config.ts';
import { ipamrcOf } from '../config/book-sources.ts';
import type { Env } from '../config/paths.ts';
import { type BookChoice, type BookSources, chooseBook, chooseConfig } from '../config/resolve-book.ts';
import { openStore } from '../store/open-store.ts';
import type { InterruptGuard } from '../interrupts/interrupt-guard.ts';
import type { LeaseStore } from '../store/store.ts';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Defaults to `process.env`. */
  readonly env?: Env;
  /** Whether stdout is a terminal (colour is only used there). Defaults to `isatty(1)`. */
  readonly stdoutIsTty?: boolean;
  readonly now?: () => Date;
  /** The resolved path of this program, which `install` links to. Defaults to argv[1]'s real path. */
  readonly selfPath?: string;
  /** What every write runs through (program.ts installs the process's); none in-process. */
  readonly interrupts?: InterruptGuard;
}

export interface GlobalOptions {
  readonly config?: string;
  readonly store?: string;
  readonly driver: string;
  /** Set when `--driver` was not given and the driver was found installed in this remotes directory. */
  readonly driverFoundIn?: string;
  readonly json: boolean;
  /** Tables at full width whatever the terminal's. */
  readonly wide?: boolean;
  /** The width tables must fit (the terminal's), or undefined for no limit. */
  readonly width?: number;
  /** oned's ipamrc, when it was read already (picking the driver reads it). */
  readonly ipamrc?: () => Ipamrc;
}

export interface CliContext {
  /** The global options as given (which of them were explicit shapes the messages). */
  readonly options: GlobalOptions;
  readonly driver: string;
  readonly json: boolean;
  /** ANSI colour in human output: only on a terminal, never with NO_COLOR or TERM=dumb. */
  readonly color: boolean;
  /** `cli:<user>`, the audit log's actor for changes made here. */
  readonly actor: string;
  readonly env: Env;
  readonly selfPath: string;
  /** Every write to the book runs through it, so SIGINT and SIGTERM are honest (interrupt-guard.ts). */
  readonly interrupts: InterruptGuard;
  stdout(text: string): void;
  stderr(text: string): void;
  now(): Date;
  /** What config and book are found from (resolve-book.ts), as the driver's actions find them. */
  sources(): BookSources;
  config(): LoadedConfig;
  /** Where the book is and which setting chose it. */
  book(): BookChoice;
  /** The lease book, wherever the config keeps it; `store().description` says where. */
  store(): LeaseStore;
  /** Where the book this command opened is, with the setting that chose it; undefined if it opened none. */
  bookUsed(): { location: string; setting: string } | undefined;
  /** The same context for another driver name (install: the directory's). */
  forDriver(name: string): CliContext;
}

export function createContext(options: GlobalOptions, io: Required<CliIo>, user: string): CliContext {
  let sources: BookSources | undefined;
  let config: LoadedConfig | undefined;
  let book: BookChoice | undefined;
  let store: LeaseStore | undefined;
  const context: CliContext = {
    options,
    driver: options.driver,
    json: options.json,
    color: useColor(io.env, io.stdoutIsTty),
    actor: `cli:${user}`,
    env: io.env,
    selfPath: io.selfPath,
    interrupts: io.interrupts,
    stdout: io.stdout,
    stderr: io.stderr,
    now: io.now,
    sources() {
      sources ??= {
        driverName: options.driver,
        env: io.env,
        ipamrc: options.ipamrc ?? ipamrcOf(io.env),
        cwd: process.cwd(),
        flags: {
          ...(options.config === undefined ? {} : { config: options.config }),
          ...(options.store === undefined ? {} : { store: options.store }),
        },
        ...(options.driverFoundIn === undefined
          ? {}
          : { driverFound: `picked as the one installed in ${options.driverFoundIn} (--driver picks another)` }),
      };
      return sources;
    },
    config() {
      if (!config) {
        const { file, explicit, setting } = chooseConfig(context.sources());
        config = loadConfig(file, explicit, setting);
      }
      return config;
    },
    book() {
      book ??= chooseBook(context.config(), context.sources());
      return book;
    },
    store() {
      store ??= openStore(context.config(), context.book(), options.driver, io.env);
      return store;
    },
    bookUsed() {
      return store && book ? { location: store.description.location, setting: book.setting } : undefined;
    },
    forDriver(name) {
      const { driverFoundIn: _found, ...rest } = options;
      return createContext({ ...rest, driver: name }, io, user);
    },
  };
  return context;
}

/** https://no-color.org: any non-empty NO_COLOR turns colour off. */
export function useColor(env: Env, isTty: boolean): boolean {
  return isTty && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
}

/** The operator's login name, for the audit log; `$USER` when the system cannot say. */
export function currentUser(env: Env): string {
  try {
    return os.userInfo().username;
  } catch {
    return env.USER || env.LOGNAME || 'unknown';
  }
}
