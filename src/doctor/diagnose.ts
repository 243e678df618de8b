/**
 * Every check of `nebula-ipam doctor`, in the order an operator fixes things: oned.conf, the
 * action links and their bundle, the command on the PATH, the config, the book, etcd. Reads, never
 * writes; a check that cannot run says so as a finding, and the others still run.
 */
import * as path from 'node:path';
import type { Config } from '../core/config/config.ts';
import { defaultPaths, type Env } from '../config/paths.ts';
import { versionOfFile } from '../install/bundle-version.ts';
import type { LeaseStore } from '../store/store.ts';
import { driverUser } from './pick-driver-user.ts';
import { withGroups } from './driver-user.ts';
import type { Finding } from './finding.ts';
import { onedConfFindings } from './oned-conf-checks.ts';
import { readOnedConf } from './oned-conf-file.ts';
import { bookFindings, configFindings, etcdFindings, linkFindings, pathFindings } from './front-end-checks.ts';

export interface DoctorInput {
  readonly driver: string;
  readonly env: Env;
  readonly onedConf: string;
  /** The config file the driver's sources choose (resolve-book.ts). */
  readonly configFile: string;
  readonly selfPath: string;
  readonly config: () => Config;
  readonly store: () => LeaseStore;
}

export async function diagnose(input: DoctorInput): Promise<Finding[]> {
  const remotes = defaultPaths(input.env).remotesIpam;
  const dir = path.join(remotes, input.driver);
  const account = driverUser(input.env, input.driver);
  const user = account ? withGroups(account) : undefined;
  const findings: Finding[] = [];

  const oned = readOnedConf(input.onedConf);
  findings.push(...('finding' in oned ? [oned.finding] : onedConfFindings(input.onedConf, oned.conf, input.driver)));

  const links = linkFindings(dir, user, versionOfFile(input.selfPath));
  findings.push(...links.findings);
  findings.push(
    ...pathFindings(
      input.env.PATH ?? '',
      links.bundle === undefined ? undefined : versionOfFile(links.bundle),
      links.bundle !== undefined,
    ),
  );

  const configFile = input.configFile;
  let loaded: { config: Config } | { error: Error };
  try {
    loaded = { config: input.config() };
  } catch (error) {
    loaded = { error: error as Error };
  }
  findings.push(...configFindings(configFile, loaded, user));
  if ('error' in loaded) return findings;

  let store: LeaseStore;
  try {
    store = input.store();
  } catch (error) {
    findings.push({ check: 'book', level: 'fail', subject: 'the lease book', message: (error as Error).message });
    return findings;
  }
  if (store.checkAccess && account === undefined) {
    findings.push({
      check: 'book.access',
      level: 'warn',
      subject: dir,
      message:
        "cannot tell whom oned runs as (the driver directory is root's and there is no oneadmin), so its access to the book was not checked",
    });
  }
  findings.push(...(await bookFindings(store, account)));
  findings.push(...(await etcdFindings(store)));
  return findings;
}
