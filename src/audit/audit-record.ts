/**
 * What the audit log holds: one record per attempted change to the book. Where records are kept
 * is the store's business (a JSON-lines file beside a file book, keys beside an etcd book).
 */

/** What an action says it did, in the domain's words; the runner adds time, actor and result. */
export interface AuditFacts {
  readonly range?: string;
  /** One address, or `first-last` for a block. */
  readonly addresses?: string;
  readonly mac?: string;
  readonly owner?: string;
  /** What was kept or skipped and why, when the change did less than asked. */
  readonly detail?: string;
}

export interface AuditRecord extends AuditFacts {
  readonly time: string;
  /** `oned:<request id>` for driver actions, `cli:<user>` for operator commands. */
  readonly actor: string;
  readonly action: string;
  /** The host that wrote the record (audit-origin.ts); absent in records of older releases. */
  readonly host?: string;
  /** `SUDO_USER` of a command run through sudo. */
  readonly sudoUser?: string;
  readonly result: 'ok' | 'unchanged' | 'error';
  readonly error?: string;
}
