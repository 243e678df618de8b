/**
 * The checks that look at the front-end itself: the action links and the bundle they reach,
 * the command on the PATH, the config, the book and, on etcd, its members. Each returns
 * findings; none changes anything.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACTION_NAMES } from '../core/actions/action.ts';
import type { Config } from '../core/config/config.ts';
import { foreignWriter } from '../install/trusted-path.ts';
import { inspectEntry } from '../install/inspect.ts';
import { versionOfFile, versionText } from '../install/bundle-version.ts';
import { BOOK_FORMAT } from '../store/book-text.ts';
import type { LeaseStore } from '../store/store.ts';
import { account, type Account } from '../access/accounts.ts';
import { mayAccess, type DriverUser } from './driver-user.ts';
import { fail, ok, warn, type Finding } from './finding.ts';

const INSTALL_FIX = (dir: string) => `run: nebula-ipam install ${dir}`;

/** The five action links of `dir`, and the one bundle they should all lead to. */
export function linkFindings(
  dir: string,
  user: DriverUser | undefined,
  selfVersion: string | undefined,
): { findings: Finding[]; bundle?: string } {
  const findings: Finding[] = [];
  const targets = new Set<string>();
  const broken: string[] = [];
  for (const action of ACTION_NAMES) {
    const file = path.join(dir, action);
    const entry = inspectEntry(file);
    if (entry.kind === 'missing') broken.push(`${action} is missing`);
    else if (entry.kind === 'link' && !fs.existsSync(file)) broken.push(`${action} dangles (to ${entry.target})`);
    else if (entry.kind === 'other' || !entry.ours) broken.push(`${action} is not nebula-ipam's`);
    else targets.add(fs.realpathSync(file));
  }
  if (broken.length)
    findings.push(
      fail(
        'actions.links',
        dir,
        `${broken.join(', ')}: oned's ${broken.length === 1 ? 'action fails' : 'actions fail'}`,
        INSTALL_FIX(dir),
      ),
    );
  else findings.push(ok('actions.links', dir, 'the five action links lead to nebula-ipam'));
  if (targets.size > 1)
    findings.push(
      fail(
        'actions.bundle',
        dir,
        `the actions lead to ${targets.size} different bundles: ${[...targets].join(', ')}`,
        INSTALL_FIX(dir),
      ),
    );
  const bundle = targets.size === 1 ? [...targets][0]! : undefined;
  if (bundle === undefined) return { findings };
  const version = versionOfFile(bundle);
  const owner = fs.statSync(bundle).uid;
  const trusted = [0, ...(user ? [user.uid] : [])];
  const writer = foreignWriter(bundle, trusted);
  if (writer)
    findings.push(
      fail(
        'actions.bundle',
        bundle,
        `oned runs it, and ${writer.path} can be written by ${writer.who}: they can run code as oned's user`,
        `chown it to root or oned's user, and chmod go-w ${writer.path}`,
      ),
    );
  else if (user && !mayAccess(user, fs.statSync(bundle), 5))
    findings.push(fail('actions.bundle', bundle, `${user.name} cannot read and run it`, `chmod a+rx ${bundle}`));
  else
    findings.push(
      ok(
        'actions.bundle',
        bundle,
        `nebula-ipam ${versionText(version)}, owned by ${account('uid', owner)}, writable by no one else`,
      ),
    );
  if (selfVersion !== version)
    findings.push(
      warn(
        'actions.version',
        bundle,
        `the actions run nebula-ipam ${versionText(version)}, this command is ${versionText(selfVersion)}`,
        `run: nebula-ipam install ${dir} (from the release you mean to run)`,
      ),
    );
  return { findings, bundle };
}

/** The `nebula-ipam` the PATH runs: there, root's alone, the same release as the actions. */
export function pathFindings(pathVar: string, actionsVersion: string | undefined, haveActions: boolean): Finding[] {
  const found = pathVar
    .split(path.delimiter)
    .filter((d) => d !== '')
    .map((d) => path.join(d, 'nebula-ipam'))
    .find((f) => {
      try {
        fs.accessSync(f, fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  if (found === undefined)
    return [warn('path.command', 'PATH', 'no nebula-ipam on the PATH', 'run install again with --bin /usr/local/bin')];
  const real = fs.realpathSync(found);
  const version = versionOfFile(real);
  const findings: Finding[] = [];
  const writer = foreignWriter(real, [0]);
  if (writer && process.geteuid?.() === 0)
    findings.push(
      fail(
        'path.command',
        found,
        `root runs it, and ${writer.path} can be written by ${writer.who}`,
        "run install again with --bin /usr/local/bin (root's own copy)",
      ),
    );
  else findings.push(ok('path.command', found, `runs ${real} (nebula-ipam ${versionText(version)})`));
  if (haveActions && version !== actionsVersion)
    findings.push(
      warn(
        'path.version',
        found,
        `the PATH runs nebula-ipam ${versionText(version)}, the actions ${versionText(actionsVersion)}`,
        'run install again with --bin, from the release the actions run',
      ),
    );
  return findings;
}

/** The config: it parsed (the caller tried), and oned's user can read it. */
export function configFindings(
  file: string,
  loaded: { config: Config } | { error: Error },
  user: DriverUser | undefined,
): Finding[] {
  if ('error' in loaded) return [fail('config', file, loaded.error.message, 'fix the file as the message says')];
  if (loaded.config.source !== file)
    return [
      warn(
        'config',
        file,
        'there is no config: only explicit ranges work, no pools',
        `write one: ${file} (README: The config file)`,
      ),
    ];
  const stat = fs.statSync(file);
  if (user && !mayAccess(user, stat, 4))
    return [
      fail(
        'config.access',
        file,
        `${user.name} cannot read it: every action fails`,
        `chgrp ${user.gids[0] ?? user.uid} ${file} && chmod g+r ${file}`,
      ),
    ];
  return [
    ok(
      'config',
      file,
      `parses; ${loaded.config.pools.length} pool${loaded.config.pools.length === 1 ? '' : 's'}, mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')}`,
    ),
  ];
}

/** The file book: there, decodes, of a format this release writes, and oned's user can use it. */
export async function bookFindings(store: LeaseStore, user: Account | undefined): Promise<Finding[]> {
  const where = store.description.location;
  const findings: Finding[] = [];
  if (store.description.backend === 'file' && !(await store.exists()))
    return [
      warn(
        'book',
        where,
        'there is no lease book yet',
        "oned writes it when it registers its first range; is --driver (or the config's store) right?",
      ),
    ];
  try {
    const book = await store.read();
    if (book.newerFormat !== undefined)
      findings.push(
        warn(
          'book.format',
          where,
          `a newer nebula-ipam wrote it (format ${book.newerFormat}; this release writes ${BOOK_FORMAT}): it is read, never changed`,
          'upgrade nebula-ipam here (README: Upgrading)',
        ),
      );
    else
      findings.push(
        ok(
          'book',
          where,
          `decodes: ${book.ranges.length} range${book.ranges.length === 1 ? '' : 's'}, generation ${book.generation}, format ${BOOK_FORMAT} or older`,
        ),
      );
  } catch (error) {
    findings.push(fail('book', where, (error as Error).message, 'see README: The lease book'));
  }
  // Opened as oned's user would open them (verify's probe), not judged from the modes.
  const access = user && store.checkAccess?.(user);
  if (access) {
    if (!access.checked)
      findings.push(
        warn('book.access', where, `cannot tell whether ${access.user} can use it: run doctor as root or as that user`),
      );
    for (const p of access.problems)
      findings.push(
        fail(
          'book.access',
          p.path,
          `${p.user} cannot ${p.needs} ${p.what} (${p.reason}; ${p.owner}): oned's actions fail`,
          p.fix,
        ),
      );
    if (access.checked && access.problems.length === 0)
      findings.push(
        ok('book.access', where, `${access.user} can read and write the book, its directory, lock and audit log`),
      );
  }
  return findings;
}

/** etcd: each member's health, as status shows it. */
export async function etcdFindings(store: LeaseStore): Promise<Finding[]> {
  if (!store.health) return [];
  try {
    const health = await store.health();
    return health.members.map((m) =>
      m.health === 'ok'
        ? ok(
            'etcd.member',
            m.endpoint,
            `healthy${m.isLeader ? ', leader' : ''}${m.version ? `, etcd ${m.version}` : ''}`,
          )
        : fail(
            'etcd.member',
            m.endpoint,
            `${m.health}${m.problem ? `: ${m.problem}` : ''}`,
            'see README: High availability',
          ),
    );
  } catch (error) {
    return [fail('etcd', store.description.location, (error as Error).message)];
  }
}
