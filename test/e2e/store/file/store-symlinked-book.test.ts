/**
 * A book reached through a symlink (issue 8 item 8): two front-ends, or two drivers, whose store
 * paths are symlinks to one shared file must lock, write and keep `.prev` and the audit log at
 * that file, so they never hand out one address twice; a symlink to nothing is refused.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { expectFailure, expectReply } from '../../../support/driver-assert.ts';
import { createSandbox, OnedAr, registerXml, type DriverSandbox } from '../../../support/driver-harness.ts';
import { newOwner } from '../../../../src/store/file/lock-owner.ts';

const AR = { TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv' };

/** A shared book with one range, and two store paths (front-ends) that are symlinks to it. */
function withSharedBook(
  body: (s: { sandbox: DriverSandbox; shared: string; links: string[]; ar: OnedAr }) => void,
): () => void {
  return () => {
    const sandbox = createSandbox({ config: {}, book: 'none' });
    try {
      const shared = path.join(sandbox.dir, 'shared', 'leases.json');
      sandbox.init({ NEBULA_IPAM_STORE: shared });
      const ar = new OnedAr(
        expectReply(
          sandbox.run('register_address_range', registerXml(AR), { env: { NEBULA_IPAM_STORE: shared } }),
          'AR',
        ),
      );
      const links = ['front-end-1', 'front-end-2'].map((name) => {
        const link = path.join(sandbox.dir, name, 'leases.json');
        fs.mkdirSync(path.dirname(link), { mode: 0o700 });
        // Relative, as an operator often writes it: resolved against the link's own directory.
        fs.symlinkSync(path.join('..', 'shared', 'leases.json'), link);
        return link;
      });
      body({ sandbox, shared, links, ar });
    } finally {
      sandbox.cleanup();
    }
  };
}

const via = (link: string) => ({ env: { NEBULA_IPAM_STORE: link } });

test(
  'two store paths symlinked to one book never hand out one address twice, and stay symlinks',
  withSharedBook(({ sandbox, shared, links, ar }) => {
    const given: string[] = [];
    for (let i = 0; i < 3; i++) {
      for (const link of links) {
        const ip = expectReply(sandbox.run('get_address', ar.getXml(1), via(link)), 'ADDRESS').get('IP')!;
        // As oned does: the address it accepted counts in the next request's USED_LEASES.
        ar.noteLeased(ar.indexOf(ip));
        given.push(ip);
      }
    }
    assert.equal(new Set(given).size, given.length, `addresses handed out: ${given.join(', ')}`);
    for (const link of links) {
      assert.ok(fs.lstatSync(link).isSymbolicLink(), `${link} is still a symlink`);
      assert.deepEqual(
        fs.readdirSync(path.dirname(link)),
        ['leases.json'],
        'nothing written beside the symlink (no .prev, lock, audit log or temp file)',
      );
    }
    const book = JSON.parse(fs.readFileSync(shared, 'utf8')) as { ranges: { leases: string }[] };
    assert.ok(book.ranges[0]!.leases.length > 0, 'the shared file holds the leases');
    const beside = fs.readdirSync(path.dirname(shared)).sort();
    assert.deepEqual(
      beside,
      ['leases.json', 'leases.json.audit.jsonl', 'leases.json.prev'],
      '.prev and the audit log are kept beside the real book',
    );
    assert.equal(
      fs.readFileSync(`${shared}.audit.jsonl`, 'utf8').trim().split('\n').length,
      8,
      'one audit line per change (init, register, 6 leases), all in one log',
    );
  }),
);

test(
  'two store paths symlinked to one book share one lock',
  withSharedBook(({ sandbox, shared, links, ar }) => {
    // The book's own lock, held by a live process (this test): both symlinks must wait for it.
    const lock = `${shared}.lock`;
    fs.mkdirSync(lock, { mode: 0o700 });
    fs.writeFileSync(path.join(lock, 'owner'), JSON.stringify(newOwner()));
    const config = path.join(sandbox.dir, 'etc', 'impatient.json');
    fs.writeFileSync(config, JSON.stringify({ lockTimeoutMs: 200 }));
    const before = fs.readFileSync(shared);
    for (const link of links) {
      expectFailure(
        sandbox.run('get_address', ar.getXml(1), { env: { NEBULA_IPAM_STORE: link, NEBULA_IPAM_CONFIG: config } }),
        6,
        ['locked', lock],
      );
    }
    assert.deepEqual(fs.readFileSync(shared), before, 'nobody wrote beside the lock');
    fs.rmSync(lock, { recursive: true });
    expectReply(sandbox.run('get_address', ar.getXml(1), via(links[0]!)), 'ADDRESS');
  }),
);

test(
  "a symlink in the store path's directory is followed the same way",
  withSharedBook(({ sandbox, shared, ar }) => {
    const linkedDir = path.join(sandbox.dir, 'front-end-3');
    fs.symlinkSync(path.dirname(shared), linkedDir);
    const first = expectReply(
      sandbox.run('get_address', ar.getXml(1), via(path.join(linkedDir, 'leases.json'))),
      'ADDRESS',
    ).get('IP');
    const second = expectReply(sandbox.run('get_address', ar.getXml(1), via(shared)), 'ADDRESS').get('IP');
    assert.notEqual(first, second);
  }),
);

test('a store path that is a symlink to nothing is refused in one line naming both, and nothing is created', () => {
  const sandbox = createSandbox({ config: {}, book: 'none' });
  try {
    const link = sandbox.bookPath;
    const target = path.join(sandbox.dir, 'not-mounted', 'leases.json');
    fs.mkdirSync(path.dirname(link), { mode: 0o700 });
    fs.symlinkSync(target, link);
    expectFailure(sandbox.run('register_address_range', registerXml(AR)), 8, [link, target, 'does not exist']);
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the symlink is left as it is');
    assert.deepEqual(fs.readdirSync(path.dirname(link)), ['leases.json']);
    assert.ok(!fs.existsSync(path.dirname(target)), 'nothing created at the target');
  } finally {
    sandbox.cleanup();
  }
});
