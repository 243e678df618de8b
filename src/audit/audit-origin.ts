/**
 * Where a change came from, beyond the actor: the host that wrote it (two HA front-ends both
 * have an `oned:36` and a `cli:root`, and oned's request ids restart with each oned) and, for a
 * command run through sudo, the user who ran sudo (`cli:root` alone names no person).
 */
import * as os from 'node:os';

export interface AuditOrigin {
  readonly host: string;
  readonly sudoUser?: string;
}

export function auditOrigin(env: NodeJS.ProcessEnv = process.env): AuditOrigin {
  const sudo = env.SUDO_USER;
  return { host: os.hostname(), ...(sudo ? { sudoUser: sudo } : {}) };
}
