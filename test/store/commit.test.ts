import { chmodSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatCommit, parseCommit } from '../../lib/store/commit.js';
import { hashObject } from '../../lib/store/git-object.js';
import { writeObject } from '../../lib/store/loose-objects.js';
import { verifySshSig } from '../../lib/trust/sshsig.js';
import { formatMessage, messageBody, parseTrailers } from '../../lib/store/trailers.js';
import { fixtures, sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('commits [C-STORE]');
let box: Sandbox;
test.before.each(() => {
  box = sandbox();
});
test.after.each(() => box.cleanup());

const who = { name: 'A U Thor', email: 'a@example.com', timestamp: 1700000000, tzOffsetMinutes: 90 };

test('a formatted commit has a pinned id and git accepts it', () => {
  const bytes = formatCommit({
    tree: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
    parents: [],
    author: who,
    committer: { ...who, tzOffsetMinutes: -300 },
    message: 'm\n',
  });
  assert.is(
    bytes.toString(),
    'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A U Thor <a@example.com> 1700000000 +0130\ncommitter A U Thor <a@example.com> 1700000000 -0500\n\nm\n',
  );
  const gitdir = join(box.repo, '.git');
  const oid = writeObject(gitdir, 'commit', bytes);
  assert.is(oid, hashObject('commit', bytes));
  assert.is(oid, '9b1b5e135b774f6fc81d2a01bfec1c9aca19fb8a'); // git hash-object -t commit of the same bytes
  assert.is(box.git(['fsck', '--strict']).status, 0);
  const parsed = parseCommit(bytes, oid);
  assert.equal(parsed.committer.tzOffsetMinutes, -300);
  assert.equal(parsed.payload, bytes);
  assert.is(parsed.gpgsig, null);
});

test('an identity with <, > or a newline is refused', () => {
  assert.throws(() =>
    formatCommit({ tree: 'a'.repeat(40), parents: [], author: { ...who, name: 'x <y>' }, committer: who, message: '' }),
  );
  assert.throws(() =>
    formatCommit({ tree: 'a'.repeat(40), parents: [], author: { ...who, email: 'a\nb' }, committer: who, message: '' }),
  );
});

test('the payload of a commit signed by native git is what its SSH signature covers', () => {
  const key = join(box.home, 'key');
  copyFileSync(join(fixtures, 'keys', 'ed25519'), key);
  chmodSync(key, 0o600);
  box.write('f.txt', 'x\n');
  box.git(['add', 'f.txt']);
  const made = box.git([
    '-c',
    'gpg.format=ssh',
    '-c',
    `user.signingkey=${key}`,
    'commit',
    '-q',
    '-S',
    '-m',
    'signed by git\n\nbody line',
  ]);
  assert.is(made.status, 0, made.stderr);
  const oid = box.git(['rev-parse', 'HEAD']).stdout.trim();
  const raw = Buffer.from(box.git(['cat-file', 'commit', oid]).stdout);
  const parsed = parseCommit(raw, oid);
  assert.ok(parsed.gpgsig?.startsWith('-----BEGIN SSH SIGNATURE-----'));
  assert.not.ok(parsed.payload.toString().includes('gpgsig'));
  const check = verifySshSig(parsed.gpgsig as string, parsed.payload);
  assert.ok(check.ok);
  const pub = readFileSync(join(fixtures, 'keys', 'ed25519.pub'), 'utf8').split(' ')[1] as string;
  assert.ok(check.ok && Buffer.from(pub, 'base64').subarray(-32).equals(check.publicKey));
  assert.is(messageBody(parsed.message), 'body line');
});

test('trailers: formatted, parsed, and absent when the last paragraph is prose', () => {
  const message = formatMessage('subject  with\nnewline', 'a body', [
    ['Coo-Op', 'snapshot'],
    ['Coo-Files', '3'],
  ]);
  assert.is(message, 'subject with newline\n\na body\n\nCoo-Op: snapshot\nCoo-Files: 3\n');
  assert.equal(
    [...parseTrailers(message)],
    [
      ['Coo-Op', 'snapshot'],
      ['Coo-Files', '3'],
    ],
  );
  assert.is(parseTrailers('subject\n\njust prose: here\nand more').size, 0);
  assert.is(parseTrailers('Coo-Op: subject-only').size, 0);
});

test.run();
