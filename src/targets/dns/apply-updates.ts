/**
 * Sends DnsUpdates to one server and says what became of each, in order. One update that fits a
 * datagram goes over UDP (and again over TCP if the answer comes back truncated); more go over
 * one TCP connection in batches (update-batches.ts: many updates of one zone per message, split
 * when one of them fails, so each update's outcome is what it would be alone), the messages of a
 * round pipelined, a bounded number in flight, answers matched by id. A failed prerequisite
 * (YXDOMAIN, NXRRSET, ...) is an outcome; a server that is down, refuses our key or answers
 * garbage throws, naming the server. Updates answered before that are applied (or refused) all
 * the same: `onOutcome` hears each outcome as the server gives it, so the caller keeps them
 * when the rest throws (the next pass reads the zone again for the rest).
 */
import type { DnsUpdate, DnsUpdateOutcome } from '../../core/sync/target-records.ts';
import { type DnsAction, malformedAnswer, unencodable } from './dns-failure.ts';
import type { DnsServer } from './dns-server.ts';
import { answerId, incoming, outgoing, type SentRequest } from './signed-exchange.ts';
import { TcpStream } from './tcp-stream.ts';
import { udpExchange } from './udp-exchange.ts';
import { type Batch, batchUpdates, mergedUpdate, sendInBatches, TOO_BIG } from './update-batches.ts';
import { updateMessage } from './update-message.ts';
import { rcodeName } from './wire-header.ts';
import { encodeMessage } from './wire-message.ts';

/** RFC 1035 4.2.1: what a UDP answer may hold without EDNS (we send none). */
const UDP_LIMIT = 512;
/** TCP's two length bytes bound a message (RFC 1035 4.2.2); room is kept for the TSIG record. */
const LARGEST_UPDATE = 65_535 - 512;
/**
 * What a batch aims at: well under a message, as its size is estimated from its updates alone
 * (the merged message is checked, and halved if it is too big after all); and a number of updates
 * that keeps the split of a batch with one conflict short (2 log2(256) = 16 more messages).
 */
const BATCH_BYTES = 32_768;
const BATCH_UPDATES = 256;
/** Requests in flight on one connection: enough to keep a server busy, few enough for its queue. */
const WINDOW = 32;

const nowSeconds = () => Date.now() / 1000;

export interface ApplyOptions {
  /** Updates per message at most (tests make it small to see batches split). */
  readonly batchUpdates?: number;
  /** Each update's outcome (by its index in `updates`) as soon as the server has given it. */
  readonly onOutcome?: (index: number, outcome: DnsUpdateOutcome) => void;
}

export async function applyUpdates(
  server: DnsServer,
  updates: readonly DnsUpdate[],
  options: ApplyOptions = {},
): Promise<DnsUpdateOutcome[]> {
  if (updates.length === 0) return [];
  // Every update is encoded before any is sent: one the wire cannot carry changes nothing.
  const messages = updates.map((update) => encoded(server, update));
  const firstId = Math.floor(Math.random() * 0x10000);
  if (updates.length === 1) {
    const outcome = await overUdp(server, updates[0]!, messages[0]!, firstId);
    if (outcome !== undefined) {
      options.onOutcome?.(0, outcome);
      return [outcome];
    }
  }
  const batches = batchUpdates(
    updates,
    messages.map((m) => m.length),
    BATCH_BYTES,
    options.batchUpdates ?? BATCH_UPDATES,
  );
  const stream = await TcpStream.open(server, actionOf(updates[0]!));
  let nextId = firstId;
  try {
    const settled = (index: number, rcode: number) => options.onOutcome?.(index, outcomeOf(rcode));
    const rcodes = await sendInBatches(
      batches,
      async (round, answer) => {
        const sending = round.map((batch, place) => ({ place, ...message(updates, messages, batch) }));
        // A merged message bigger than a message may be is not sent: its batch is split.
        for (const s of sending) if (s.message.length > LARGEST_UPDATE) answer(s.place, TOO_BIG);
        const sent = sending.filter((s) => s.message.length <= LARGEST_UPDATE);
        const first = nextId;
        nextId = (nextId + sent.length) & 0xffff;
        await overTcp(
          server,
          stream,
          sent.map((s) => s.update),
          sent.map((s) => s.message),
          first,
          (i, rcode) => answer(sent[i]!.place, rcode),
        );
      },
      settled,
    );
    return updates.map((_, index) => outcomeOf(rcodes.get(index)!));
  } finally {
    stream.close();
  }
}

function encoded(server: DnsServer, update: DnsUpdate): Buffer {
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
}

/** The batch's one message (the update's own for a batch of one). */
function message(
  updates: readonly DnsUpdate[],
  messages: readonly Buffer[],
  batch: Batch,
): { update: DnsUpdate; message: Buffer } {
  if (batch.length === 1) return { update: updates[batch[0]!]!, message: messages[batch[0]!]! };
  const update = mergedUpdate(updates, batch);
  return { update, message: encodeMessage(updateMessage(0, update)) };
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

/** Each message's answer's RCODE, handed to `answered` (by the message's place) as it arrives, pipelined over `stream`. */
async function overTcp(
  server: DnsServer,
  stream: TcpStream,
  updates: readonly DnsUpdate[],
  messages: readonly Buffer[],
  firstId: number,
  answered: (place: number, rcode: number) => void,
): Promise<void> {
  const inFlight = new Map<number, { index: number; request: SentRequest }>();
  let sent = 0;
  let answers = 0;
  let strays = 0;
  while (answers < updates.length) {
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
    answers++;
    answered(waiting.index, decoded.header.rcode);
  }
}

function strayAnswers(server: DnsServer, update: DnsUpdate) {
  return malformedAnswer(actionOf(update), server, 'it sent more answers than there were requests');
}
