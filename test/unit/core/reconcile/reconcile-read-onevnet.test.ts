import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { IpamError } from '../../../../src/core/errors.ts';
import { ownerText } from '../../../../src/core/reconcile/onevnet-document.ts';
import { readOnevnetXml } from '../../../../src/core/reconcile/read-onevnet.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'onevnet');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

function refusal(xml: string): IpamError {
  try {
    readOnevnetXml(xml, 'doc.xml');
  } catch (error) {
    assert.ok(error instanceof IpamError, `expected an IpamError, got ${String(error)}`);
    return error;
  }
  assert.fail('the document was accepted');
}

test('onevnet show -x: one VNET, its AR attributes with CDATA unwrapped, every lease with its holder', () => {
  const doc = readOnevnetXml(fixture('show-ip4-with-leases.xml'), 'show.xml');
  assert.equal(doc.root, 'VNET');
  assert.equal(doc.vnets.length, 1);
  const vnet = doc.vnets[0]!;
  assert.equal(vnet.id, '3');
  assert.equal(vnet.name, 'private');
  assert.equal(vnet.parentNetworkId, undefined, 'an empty PARENT_NETWORK_ID is no parent');
  const ar = vnet.ars[0]!;
  assert.equal(ar.arId, '0');
  assert.equal(ar.attributes.get('IP'), '10.20.0.3');
  assert.equal(ar.attributes.get('NEBULA_IPAM_RANGE'), 'r1');
  assert.equal(ar.attributes.get('USED_LEASES'), '5');
  assert.deepEqual(
    ar.leases!.map((l) => [l.ip, ownerText(l.owner)]),
    [
      ['10.20.0.3', 'VM 12'],
      ['10.20.0.4', 'VM 13'],
      ['10.20.0.7', 'hold'],
      ['10.20.0.10', 'reservation VNET 7'],
      ['10.20.0.11', 'reservation VNET 7'],
    ],
  );
});

test('onevnet list -x: every VNET, reservations marked, LEASES absent told apart from LEASES empty', () => {
  const doc = readOnevnetXml(fixture('list-several-vnets.xml'), 'list.xml');
  assert.equal(doc.root, 'VNET_POOL');
  assert.deepEqual(
    doc.vnets.map((v) => [v.id, v.ars.length]),
    [
      ['3', 2],
      ['5', 1],
      ['7', 1],
      ['8', 2],
      ['11', 1],
    ],
  );
  assert.equal(doc.vnets[2]!.parentNetworkId, '3');
  assert.equal(doc.vnets[1]!.ars[0]!.leases, undefined, 'no LEASES element: not listed');
  assert.deepEqual(doc.vnets[2]!.ars[0]!.leases, [], '<LEASES/>: listed, none');
  assert.equal(ownerText(doc.vnets[4]!.ars[0]!.leases![1]!.owner), 'VROUTER 2');
});

test('a pool of one VNET with one AR and one lease still reads them as lists', () => {
  const doc = readOnevnetXml(
    '<VNET_POOL><VNET><ID>1</ID><AR_POOL><AR><AR_ID>0</AR_ID><IP>10.0.0.1</IP><LEASES><LEASE><IP>10.0.0.1</IP><VM>4</VM></LEASE></LEASES></AR></AR_POOL></VNET></VNET_POOL>',
    'one.xml',
  );
  assert.equal(doc.vnets.length, 1);
  assert.equal(doc.vnets[0]!.ars.length, 1);
  assert.equal(doc.vnets[0]!.ars[0]!.leases!.length, 1);
});

test('an empty VNET_POOL, an XML declaration and comments are fine; values may hold markup in CDATA', () => {
  assert.deepEqual(
    readOnevnetXml('<?xml version="1.0"?>\n<!-- printed by onevnet --><VNET_POOL/>', 'empty.xml').vnets,
    [],
  );
  const doc = readOnevnetXml(
    '<VNET><ID>1</ID><AR_POOL><AR><AR_ID>0</AR_ID><DESCRIPTION><![CDATA[a <!DOCTYPE> & "b"]]></DESCRIPTION></AR></AR_POOL></VNET>',
    'cdata.xml',
  );
  assert.equal(doc.vnets[0]!.ars[0]!.attributes.get('DESCRIPTION'), 'a <!DOCTYPE> & "b"');
});

test('malformed XML is refused with one line naming the file and the line, as a bad request', () => {
  const error = refusal(fixture('malformed.xml'));
  assert.equal(error.kind, 'bad-request');
  assert.match(
    error.message,
    /^Cannot read doc\.xml: it is not well-formed XML \(line \d+: .*VNET_POOL.*\); nothing was changed$/,
  );
  assert.doesNotMatch(error.message, /\n/);
});

test('a DOCTYPE, entity definitions included, is refused before anything is expanded', () => {
  const error = refusal(
    '<!DOCTYPE VNET [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><VNET><ID>&lol2;</ID><AR_POOL/></VNET>',
  );
  assert.match(error.message, /DOCTYPE/);
});

test('documents that are not onevnet output are refused, saying what is wrong', () => {
  assert.match(refusal('<VM_POOL/>').message, /root element is "VM_POOL", not VNET/);
  assert.match(refusal('<VNET><ID>1</ID></VNET>').message, /VNET 1 has no AR_POOL/);
  assert.match(refusal('<VNET><ID>x</ID><AR_POOL/></VNET>').message, /VNET ID "x" is not a number/);
  assert.match(
    refusal('<VNET><ID>1</ID><AR_POOL><AR><IP>10.0.0.1</IP></AR></AR_POOL></VNET>').message,
    /an AR_ID in VNET 1 is missing/,
  );
  assert.match(
    refusal('<VNET><ID>1</ID><AR_POOL><AR><AR_ID>0</AR_ID><IP>10.0.0.1</IP><IP>10.0.0.2</IP></AR></AR_POOL></VNET>')
      .message,
    /VNET 1 AR 0 has IP more than once/,
  );
  assert.match(
    refusal('<VNET><ID>1</ID><AR_POOL><AR><AR_ID>0</AR_ID></AR><AR><AR_ID>0</AR_ID></AR></AR_POOL></VNET>').message,
    /VNET 1 has AR 0 twice/,
  );
  assert.match(
    refusal('<VNET><ID>1</ID><AR_POOL/></VNET><VNET><ID>2</ID><AR_POOL/></VNET>').message,
    /not well-formed|not single/,
  );
});
