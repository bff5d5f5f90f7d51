import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { emptyTreeOid } from '../../lib/store/git-object.js';
import { manifestCid } from '../../lib/store/manifest.js';
import {
  appendRecord,
  appendSignedRecord,
  readRecord,
  readRecords,
  walkRecords,
} from '../../lib/store/record-branch.js';
import { readRef } from '../../lib/store/refs.js';
import { openRepo, type Repo } from '../../lib/store/repo.js';
import { writeStateCommit } from '../../lib/store/state-commit.js';
import { commitSigner, requireSigningKey } from '../../lib/trust/signing-key.js';
import { expectCode } from '../helpers/expect.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

// A branch of JSON-record commits: what the oplog, requests and decisions, runs and plan attempts
// are all made of. Records go on in order, come back checked against their schema, and the ref
// only moves from the tip the writer read. Plain git reads the result.

const test = suite('record branches');
let box: Sandbox;
let repo: Repo;
const ref = 'refs/heads/test-records';
const schema = { schema: 'oplog-record', what: 'oplog record' };
const manifest = manifestCid([]);

test.before.each(async () => {
  box = sandbox({ env: { SOURCE_DATE_EPOCH: '1700000000' } });
  await initRepo({ cwd: box.repo, env: box.env });
  repo = await openRepo({ cwd: box.repo, env: box.env });
});
test.after.each(() => box.cleanup());

function append(n: number, tip = readRef(repo.layout.gitdir, ref)): string {
  return appendRecord(repo, {
    ref,
    tip,
    tree: emptyTreeOid,
    manifest,
    subject: `record ${n}`,
    record: { version: 1, op: 'snapshot', n },
    trailers: [['Coo-Op', 'snapshot']],
  });
}

test('records come back newest first, checked, with their commit, tree and subject; the message body is canonical JSON', async () => {
  const first = append(1);
  append(2);
  const last = append(3);
  const entries = await readRecords<{ n: number }>(repo.layout.gitdir, ref, schema);
  assert.equal(
    entries.map((e) => e.record.n),
    [3, 2, 1],
  );
  assert.equal(
    [entries[0]?.commit, entries[2]?.commit, entries[0]?.subject, entries[0]?.tree],
    [last, first, 'record 3', emptyTreeOid],
  );
  assert.equal(
    (await readRecords<{ n: number }>(repo.layout.gitdir, ref, { ...schema, limit: 2 })).map((e) => e.record.n),
    [3, 2],
  );
  const message = box.git(['--git-dir', repo.layout.gitdir, 'log', '-1', '--format=%B', 'test-records']).stdout;
  assert.ok(message.includes('{"n":3,"op":"snapshot","version":1}'), message);
  assert.is(box.git(['--git-dir', repo.layout.gitdir, 'rev-list', '--count', 'test-records']).stdout.trim(), '3');
  assert.equal(await readRecords(repo.layout.gitdir, 'refs/heads/none', schema), []);
});

test('a writer that read an old tip does not move the branch: E_LOCKED, and the branch keeps its records', async () => {
  const first = append(1);
  append(2);
  assert.throws(
    () => append(3, first),
    (e: { code: string }) => e.code === 'E_LOCKED',
  );
  assert.throws(
    () => append(3, null),
    (e: { code: string }) => e.code === 'E_LOCKED',
  );
  assert.equal(
    (await readRecords<{ n: number }>(repo.layout.gitdir, ref, schema)).map((e) => e.record.n),
    [2, 1],
  );
});

test('a branch standing on a state stops at its first record; a ledger root that is no record ends the walk', async () => {
  const state = writeStateCommit(repo, { tree: emptyTreeOid, parents: [], subject: 'a state', manifest });
  const opened = appendRecord(repo, {
    ref,
    tip: null,
    base: state,
    tree: emptyTreeOid,
    manifest,
    subject: 'open',
    record: { version: 1, op: 'request', first: true },
  });
  const next = append(2);
  const fromOpen = await walkRecords<{ first?: boolean }>(repo.layout.gitdir, next, {
    ...schema,
    isFirst: (r) => r.first === true,
  });
  assert.equal(
    fromOpen.map((e) => e.commit),
    [next, opened],
  );
  assert.equal(fromOpen[1]?.parents, [state]);
  const untilRoot = await walkRecords(repo.layout.gitdir, next, { ...schema, isRecord: (c) => c.oid !== state });
  assert.is(untilRoot.length, 2);
  // Without either, the walk reaches the state, which carries no record: that is damage.
  await expectCode(walkRecords(repo.layout.gitdir, next, schema), 'E_STATE_CORRUPT');
});

test('a record that breaks its schema, or a message with no JSON, is E_STATE_CORRUPT where it is read', async () => {
  const bad = appendRecord(repo, {
    ref,
    tip: null,
    tree: emptyTreeOid,
    manifest,
    subject: 'bad',
    record: { version: 2, op: 'snapshot' },
  });
  await expectCode(readRecord(repo.layout.gitdir, bad, schema.schema, schema.what), 'E_STATE_CORRUPT');
  const plain = writeStateCommit(repo, { tree: emptyTreeOid, parents: [], subject: 'no body', manifest });
  await expectCode(readRecord(repo.layout.gitdir, plain, schema.schema, schema.what), 'E_STATE_CORRUPT');
});

test('a signed record with a second parent verifies with plain git against allowed_signers', async () => {
  const other = writeStateCommit(repo, { tree: emptyTreeOid, parents: [], subject: 'a request', manifest });
  const signer = commitSigner(requireSigningKey(repo.layout, repo.gitConfig, repo.env));
  const signed = await appendSignedRecord(
    repo,
    {
      ref,
      tip: null,
      alsoParents: [other],
      tree: emptyTreeOid,
      manifest,
      subject: 'signed',
      record: { version: 1, op: 'approve' },
    },
    signer,
  );
  const entry = await readRecord<{ op: string }>(repo.layout.gitdir, signed, schema.schema, schema.what);
  assert.equal([entry.record.op, entry.parents], ['approve', [other]]);
  const verified = box.git([
    '--git-dir',
    repo.layout.gitdir,
    '-c',
    `gpg.ssh.allowedSignersFile=${repo.layout.allowedSignersPath}`,
    'verify-commit',
    signed,
  ]);
  assert.is(verified.status, 0, verified.stderr);
});

test.run();
