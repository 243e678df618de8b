/**
 * The text of a TSIG key file, pure: either what `tsig-keygen` (BIND) writes,
 *
 *   key "nebula" { algorithm hmac-sha256; secret "base64..."; };
 *
 * so the operator hands nebula-ipam the very file named.conf includes, or the base64 secret
 * alone on one line (as `pdnsutil generate-tsig-key` prints it). A file whose key name or
 * algorithm disagrees with the config is refused: the server would answer BADKEY later, less
 * clearly.
 */
import { IpamError } from '../../core/errors.ts';
import type { TsigAlgorithm } from './tsig-algorithm.ts';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BIND_KEY = /^\s*key\s+"?([^"\s{]+)"?\s*\{([^}]*)\}\s*;?\s*$/;

export function tsigSecret(text: string, file: string, name: string, algorithm: TsigAlgorithm): Buffer {
  const refuse = (reason: string) =>
    new IpamError('config', `Cannot read TSIG key file ${file}: ${reason}`, { subject: file, reason });
  const body = text.replace(/^\s*(#|\/\/).*$/gm, '').trim();
  const block = BIND_KEY.exec(body);
  let secret: string;
  if (block) {
    const fileName = block[1]!.toLowerCase().replace(/\.$/, '');
    if (fileName !== name) throw refuse(`it holds key "${fileName}", the config names "${name}"`);
    const fileAlgorithm = /algorithm\s+"?([\w-]+)"?\s*;/.exec(block[2]!)?.[1]?.toLowerCase();
    if (fileAlgorithm !== undefined && fileAlgorithm !== algorithm)
      throw refuse(`its key is ${fileAlgorithm}, the config says ${algorithm}`);
    const quoted = /secret\s+"([^"]*)"\s*;/.exec(block[2]!)?.[1];
    if (quoted === undefined) throw refuse('its key block has no secret "..."; line');
    secret = quoted;
  } else secret = body;
  if (!BASE64.test(secret) || secret.length % 4 !== 0)
    throw refuse('it holds neither a key block as tsig-keygen writes it nor one base64 secret');
  const bytes = Buffer.from(secret, 'base64');
  if (bytes.length < 16) throw refuse(`its secret has ${bytes.length} bytes; use at least 16 (tsig-keygen makes 32)`);
  return bytes;
}
