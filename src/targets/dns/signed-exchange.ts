/**
 * A request on its way out and its answer on the way in, with TSIG when the server has a key:
 * the request is signed just before it is sent (so a long batch never sends a stale time) and
 * every answer is checked against it. What cannot be trusted throws one IpamError naming the
 * server and the key; the answer's RCODE is left to the caller.
 */
import { type DnsAction, malformedAnswer, tsigFailure } from './dns-failure.ts';
import type { DnsServer } from './dns-server.ts';
import { MalformedMessage } from './malformed.ts';
import { signMessage, TsigVerifier } from './tsig.ts';
import { rcodeName } from './wire-header.ts';
import { type DecodedMessage, decodeMessage } from './wire-message.ts';

export interface SentRequest {
  readonly id: number;
  readonly bytes: Buffer;
  readonly verifier: TsigVerifier | undefined;
}

/** `message` (encoded, unsigned) with id `id`, signed at `now` (seconds) when the server has a key. */
export function outgoing(server: DnsServer, message: Buffer, id: number, now: number): SentRequest {
  const bytes = Buffer.from(message);
  bytes.writeUInt16BE(id, 0);
  if (server.tsig === undefined) return { id, bytes, verifier: undefined };
  const signed = signMessage(bytes, server.tsig, now);
  return { id, bytes: signed.bytes, verifier: new TsigVerifier(server.tsig, signed.mac) };
}

/** The id of an answer, without decoding the rest (to match it to its request). */
export function answerId(bytes: Buffer): number | undefined {
  return bytes.length >= 2 ? bytes.readUInt16BE(0) : undefined;
}

/** Decodes and checks one answer to `request` (one of a stream's messages, for a transfer). */
export function incoming(
  server: DnsServer,
  action: DnsAction,
  request: SentRequest,
  bytes: Buffer,
  now: number,
): DecodedMessage {
  let message: DecodedMessage;
  try {
    message = decodeMessage(bytes);
  } catch (error) {
    if (error instanceof MalformedMessage) throw malformedAnswer(action, server, error.message);
    throw error;
  }
  if (!message.header.qr || message.header.id !== request.id)
    throw malformedAnswer(action, server, `it is not an answer to request ${request.id}`);
  if (request.verifier !== undefined) {
    let check: ReturnType<TsigVerifier['check']>;
    try {
      check = request.verifier.check(bytes, message, now);
    } catch (error) {
      if (error instanceof MalformedMessage) throw malformedAnswer(action, server, error.message);
      throw error;
    }
    if (!check.ok && check.problem.kind === 'unsigned' && message.header.rcode !== 0)
      throw tsigFailure(action, server, { kind: 'refused-unsigned', rcode: rcodeName(message.header.rcode) });
    if (!check.ok) throw tsigFailure(action, server, check.problem);
  }
  return message;
}
