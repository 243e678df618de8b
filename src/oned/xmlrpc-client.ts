/**
 * Calls to oned's XML-RPC API (the config's `oned`: endpoint and the `user:password` file, as
 * ONE_XMLRPC and ONE_AUTH), over `node:http`: nothing is spawned, no `onevm` or `onehook` on
 * PATH is run (README: the bundle spawns no process at all). One connection per call, bounded as
 * a whole by `timeoutMs` (connect, send and the whole answer), so an oned that accepts and never
 * answers fails as surely as one that is down. `node:http` is loaded on first use: driver actions
 * never talk to oned. The body is core/oned/xmlrpc.ts's.
 */
import { httpPost } from '../lazy-http.ts';
import { readRegularFile } from '../access/regular-file.ts';
import { refuseOpenSecret } from '../access/secret-modes.ts';
import type { OnedConnection } from '../core/config/config.ts';
import { IpamError } from '../core/errors.ts';
import { noSuchFile } from '../core/no-such-file.ts';
import { decodeAnswer, encodeCall, type OnedAnswer, type XmlRpcParam, type XmlRpcValue } from '../core/oned/xmlrpc.ts';

/** A one_auth file is one line. */
const MAX_AUTH_FILE_BYTES = 4096;
/** `one.vmpool.infoextended` of ten thousand VMs is some hundred MiB; more is not an answer. */
const MAX_ANSWER_BYTES = 512 * 1024 * 1024;
/** oned's error codes (include/Request.h ErrorCode): a login or a right refused is the config's to fix. */
const AUTHENTICATION = 0x0100;
const AUTHORIZATION = 0x0200;

/** What every call of one run sends: the endpoint and the session (`user:password`). */
export interface OnedClient {
  readonly connection: OnedConnection;
  readonly session: string;
}

/**
 * The session from `connection.authFile` (OpenNebula's one_auth: `user:password` on its first
 * line), refused in one line when the file is missing, empty, not of that form, or readable or
 * writable by group or others (as a TSIG key file is). `what` names the setting in messages.
 */
export function onedClient(connection: OnedConnection, what = 'oned.authFile'): OnedClient {
  const file = connection.authFile;
  const read = readRegularFile(file, { what, kind: 'config', maxBytes: MAX_AUTH_FILE_BYTES });
  if (!read) throw noSuchFile(what, file, 'config');
  refuseOpenSecret(file, what, read.stat.mode, "it holds oned's password");
  const line = read.bytes.toString('utf8').split('\n')[0]!.replace(/\r$/, '');
  const colon = line.indexOf(':');
  if (line.trim() === '' || colon < 1 || colon === line.length - 1)
    throw new IpamError(
      'config',
      `Cannot read ${what} ${file}: ${line.trim() === '' ? 'it is empty' : 'its first line is not user:password'} (OpenNebula's one_auth format); nothing was changed`,
      { subject: file, reason: 'not user:password' },
    );
  return { connection, session: line };
}

/**
 * `method(session, ...params)`: its result, or one IpamError line naming oned's endpoint and the
 * method: `store-io` when oned cannot be reached, times out or answers nonsense; `config` when
 * it refuses the login or the right (the auth file is what to fix); `conflict` for any other
 * refusal (oned's own words).
 */
export async function callOned(
  client: OnedClient,
  method: string,
  params: readonly XmlRpcParam[],
): Promise<XmlRpcValue> {
  const { endpoint, timeoutMs } = client.connection;
  const where = `Cannot call ${method} on oned at ${endpoint}`;
  let text: string;
  try {
    text = await httpPost(new URL(endpoint), Buffer.from(encodeCall(method, [client.session, ...params]), 'utf8'), {
      contentType: 'text/xml',
      agent: false,
      timeoutMs,
      timeoutNote: 'oned.timeoutMs',
      maxBytes: MAX_ANSWER_BYTES,
    });
  } catch (error) {
    throw new IpamError('store-io', `${where}: ${(error as Error).message}`, { subject: endpoint });
  }
  let answer: OnedAnswer;
  try {
    answer = decodeAnswer(method, text);
  } catch (error) {
    const why = error instanceof IpamError ? error.facts.reason : undefined;
    if (why === undefined) throw error;
    throw new IpamError('store-io', `${where}: its answer is not oned's XML-RPC: ${why}`, { subject: endpoint });
  }
  if (answer.ok) return answer.result;
  const login = answer.code === AUTHENTICATION || answer.code === AUTHORIZATION;
  throw new IpamError(
    login ? 'config' : 'conflict',
    `${where}: oned refused it (${answer.fault ? `XML-RPC fault ${answer.code}` : `code 0x${answer.code.toString(16).padStart(4, '0')}`}): ${oneLine(answer.message)}${
      login ? `; check the user:password in ${client.connection.authFile}` : ''
    }`,
    { subject: endpoint, reason: oneLine(answer.message) },
  );
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
