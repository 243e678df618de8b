/** The etcd client's HTTP/1.1 answer parser: whole bodies by length, chunked, or to the close; nothing early. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAnswer } from '../../src/store/etcd/http-exchange.ts';

const bytes = (text: string) => Buffer.from(text, 'latin1');

test('a body with Content-Length is returned once it has all arrived', () => {
  const whole = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"count":1}';
  assert.equal(parseAnswer(bytes(whole.slice(0, -3)), false), undefined, 'not before the last byte');
  const answer = parseAnswer(bytes(whole), false)!;
  assert.deepEqual([answer.status, answer.body.toString()], [200, '{"count":1}']);
});

test('a chunked body is joined, chunk extensions ignored, and only complete after the last chunk', () => {
  const whole = 'HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\n{"a":\r\nA\r\n"no leader\r\n2\r\n"}\r\n0\r\n\r\n';
  assert.equal(parseAnswer(bytes(whole.slice(0, whole.indexOf('0\r\n\r\n'))), false), undefined);
  const answer = parseAnswer(bytes(whole), false)!;
  assert.deepEqual([answer.status, answer.body.toString()], [503, '{"a":"no leader"}']);
});

test('without length or chunks, the body runs to the close; a bad status line is refused', () => {
  assert.equal(parseAnswer(bytes('HTTP/1.1 200 OK\r\n\r\n{}'), false), undefined);
  assert.equal(parseAnswer(bytes('HTTP/1.1 200 OK\r\n\r\n{}'), true)!.body.toString(), '{}');
  assert.throws(() => parseAnswer(bytes('SSH-2.0-OpenSSH\r\n\r\n'), true), /not an HTTP answer/);
});
