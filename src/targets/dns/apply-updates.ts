/**
 * Sends DnsUpdates to one server and says what became of each, in order. One update that fits a
 * datagram goes over UDP (and again over TCP if the answer comes back truncated); more go
 * pipelined over one TCP connection, a bounded number in flight, answers matched by id. A failed
 * prerequisite (YXDOMAIN, NXRRSET, ...) is an outcome; a server that is down, refuses our key or
 * answers garbage throws, naming the server (updates answered before that stay applied; the next
 * pass reads the zone again).
 */
import type { DnsUpdate, DnsUpdateOutcome } from '../../core/sync/target-records.ts';
import { type DnsAction, malformedAnswer, unencodable } from './dns-failure.ts';
import type { DnsServer } from './dns-server.ts';
import { answerId, incoming, outgoing, type SentRequest } from './signed-exchange.ts';
import { TcpStream } from './tcp-stream.ts';
import { udpExchange } from './udp-exchange.ts';
import { updateMessage } from './update-message.ts';
import { rcodeName } from './wire-header.ts';
import { encodeMessage } from './wire-message.ts';

/** RFC 1035 4.2.1: what a UDP answer may hold without EDNS (we send none). */
const UDP_LIMIT = 512;
/** TCP's two length bytes bound a message (RFC 1035 4.2.2); room is kept for the TSIG record. */
const LARGEST_UPDATE = 65_535 - 512;
/** Requests in flight on one connection: enough to keep a server busy, few enough for its queue. */
const WINDOW = 32;

const nowSeconds = () => Date.now() / 1000;

export async function applyUpdates(server: DnsServer, updates: readonly DnsUpdate[]): Promise<DnsUpdateOutcome[]> {
  if (updates.length === 0) return [];
  // Every update is encoded before any is sent: one the wire cannot carry changes nothing.
  const messages = updates.map((update) => {
    try {
      const bytes = encodeMessage(updateMessage(0, update));
      if (bytes.length > LARGEST_UPDATE)
        throw new RangeError(
          `it takes ${bytes.length} bytes, more than one message holds (${LARGEST_UPDATE} before its signature); split it`,
        );
      return bytes;
    } catch (error) {
      if (error instanceof RangeError) throw unencodable(actionOf(update), server, error.message);
      throw error;
    }
  });
  const firstId = Math.floor(Math.random() * 0x10000);
  if (updates.length === 1) {
    const outcome = await overUdp(server, updates[0]!, messages[0]!, firstId);
    if (outcome !== undefined) return [outcome];
  }
  return overTcp(server, updates, messages, firstId);
}

function actionOf(update: DnsUpdate): DnsAction {
  return `update zone ${update.zone}`;
}

function outcomeOf(rcode: number): DnsUpdateOutcome {
  return rcode === 0 ? { applied: true } : { applied: false, rcode: rcodeName(rcode) };
}

/** The outcome over UDP, or undefined when the update must go over TCP (too big, or answered truncated). */
async function overUdp(
  server: DnsServer,
  update: DnsUpdate,
  message: Buffer,
  id: number,
): Promise<DnsUpdateOutcome | undefined> {
  const request = outgoing(server, message, id, nowSeconds());
  if (request.bytes.length > UDP_LIMIT) return undefined;
  const action = actionOf(update);
  const answer = await udpExchange(server, action, request.bytes);
  const decoded = incoming(server, action, request, answer, nowSeconds());
  if (decoded.header.tc) return undefined;
  return outcomeOf(decoded.header.rcode);
}

async function overTcp(
  server: DnsServer,
  updates: readonly DnsUpdate[],
  messages: readonly Buffer[],
  firstId: number,
): Promise<DnsUpdateOutcome[]> {
  const outcomes: DnsUpdateOutcome[] = new Array(updates.length);
  const stream = await TcpStream.open(server, actionOf(updates[0]!));
  try {
    const inFlight = new Map<number, { index: number; request: SentRequest }>();
    let sent = 0;
    let answered = 0;
    let strays = 0;
    while (answered < updates.length) {
      while (sent < updates.length && inFlight.size < WINDOW) {
        const request = outgoing(server, messages[sent]!, (firstId + sent) & 0xffff, nowSeconds());
        inFlight.set(request.id, { index: sent, request });
        stream.send(request.bytes);
        sent++;
      }
      const oldest = inFlight.values().next().value!;
      const bytes = await stream.next(actionOf(updates[oldest.index]!), inFlight.size);
      const id = answerId(bytes);
      const waiting = id === undefined ? undefined : inFlight.get(id);
      // An answer to nothing we asked (a late duplicate) is skipped; the wait for ours stays bounded.
      if (waiting === undefined) {
        if (++strays > updates.length) throw strayAnswers(server, updates[oldest.index]!);
        continue;
      }
      const decoded = incoming(server, actionOf(updates[waiting.index]!), waiting.request, bytes, nowSeconds());
      inFlight.delete(waiting.request.id);
      outcomes[waiting.index] = outcomeOf(decoded.header.rcode);
      answered++;
    }
    return outcomes;
  } finally {
    stream.close();
  }
}

function strayAnswers(server: DnsServer, update: DnsUpdate) {
  return malformedAnswer(actionOf(update), server, 'it sent more answers than there were requests');
}
