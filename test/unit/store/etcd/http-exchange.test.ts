/** The etcd client's HTTP/1.1 answer parser: whole bodies by length, chunked, or to the close; nothing early. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAnswer } from '../../../../src/store/etcd/http-exchange.ts';

const bytes = (text: string) => Buffer.from(text, 'latin1');

test('a body with Content-Length is returned once it has all arrived', () => {
  const whole = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"count":1}';
  assert.equal(parseAnswer(bytes(whole.slice(0, -3)), false), undefined, 'not before the last byte');
  const answer = parseAnswer(bytes(whole), false)!;
  assert.deepEqual([answer.status, answer.body.toString()], [200, '{"count":1}']);
});

test('a chunked body is joined, chunk extensions ignored, and only complete after the last chunk', () => {
  const whole =
    'HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\n{"a":\r\nA\r\n"no leader\r\n2\r\n"}\r\n0\r\n\r\n';
  assert.equal(parseAnswer(bytes(whole.slice(0, whole.indexOf('0\r\n\r\n'))), false), undefined);
  const answer = parseAnswer(bytes(whole), false)!;
  assert.deepEqual([answer.status, answer.body.toString()], [503, '{"a":"no leader"}']);
});

test('without length or chunks, the body runs to the close; a bad status line is refused', () => {
  assert.equal(parseAnswer(bytes('HTTP/1.1 200 OK\r\n\r\n{}'), false), undefined);
  assert.equal(parseAnswer(bytes('HTTP/1.1 200 OK\r\n\r\n{}'), true)!.body.toString(), '{}');
  assert.throws(() => parseAnswer(bytes('SSH-2.0-OpenSSH\r\n\r\n'), true), /not an HTTP answer/);
});

test('interim 1xx heads before the answer are skipped, however many; the answer is the final one', () => {
  const final = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}';
  assert.equal(
    parseAnswer(bytes('HTTP/1.1 100 Continue\r\n\r\n'), false),
    undefined,
    'an interim head alone is no answer',
  );
  assert.equal(parseAnswer(bytes('HTTP/1.1 100 Continue\r\n\r\n'), true), undefined, 'nor at the close');
  const answer = parseAnswer(
    bytes(
      `HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n${final}`,
    ),
    false,
  )!;
  assert.deepEqual([answer.status, answer.body.toString()], [200, '{}']);
});
