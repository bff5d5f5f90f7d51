import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { openRepo } from '../../lib/store/repo.js';
import { writeSignedStateCommit } from '../../lib/store/state-commit.js';
import { snapshot } from '../../lib/state/snapshot.js';
import { rollback } from '../../lib/baseline/rollback.js';
import { createAmu0Baseline, promoteRunToAmu0, restoreFromAmu0 } from '../../lib/baseline/baseline.js';
import { verify } from '../../lib/baseline/verify.js';
import { commitSigner, requireSigningKey } from '../../lib/trust/signing-key.js';
import { parseOpenSshPrivateKey } from '../../lib/trust/ed25519-key.js';
import { gitTreeOfWorktree } from '../helpers/git-tree.js';
import { coo } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { fixtures, sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('AMU0 baselines [C-BASELINE-CREATE] [C-BASELINE-RESTORE] [C-BASELINE-PROMOTE] [C-VERIFY]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
const state = ['--git-dir', '.coo/state.git'];
test.before.each(() => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
});
test.after.each(() => box.cleanup());

function gitVerify(rev: string): number {
  return box.git([...state, '-c', 'gpg.ssh.allowedSignersFile=.coo/allowed_signers', 'verify-commit', rev]).status;
}

test('create, restore and promote; the lineage is what git log shows, and git verify-commit accepts every baseline', async () => {
  await initRepo(o);
  box.write('spec.md', 'v1\n');
  const first = await createAmu0Baseline({ ...o, name: 'PRE_HARDENING_AMU0' });
  assert.is(first.sequence, 1);
  assert.is(
    box.git([...state, 'rev-parse', 'amu0', 'amu0/PRE_HARDENING_AMU0']).stdout,
    `${first.commit}\n${first.commit}\n`,
  );
  assert.is(gitVerify('amu0'), 0);

  box.write('spec.md', 'v2\n');
  const second = await createAmu0Baseline({ ...o, name: 'SECOND' });
  assert.is(second.sequence, 2);
  assert.is(box.git([...state, 'rev-parse', 'amu0^1']).stdout.trim(), first.commit);

  box.write('spec.md', 'run result\n');
  const run = await snapshot({ ...o, message: 'a good run' });
  const promoted = await promoteRunToAmu0({ ...o, ref: 'snapshots', name: 'PROMOTED' });
  assert.is(promoted.sequence, 3);
  assert.is(box.git([...state, 'rev-parse', 'amu0^1', 'amu0^2']).stdout, `${second.commit}\n${run.commit}\n`);
  assert.is(box.git([...state, 'rev-parse', 'amu0^{tree}']).stdout.trim(), run.tree);
  for (const rev of ['amu0', 'amu0~1', 'amu0~2']) assert.is(gitVerify(rev), 0, rev);
  assert.is(box.git([...state, 'fsck', '--strict']).status, 0);

  const restored = await restoreFromAmu0({ ...o, name: 'PRE_HARDENING_AMU0' });
  assert.is(box.read('spec.md'), 'v1\n');
  assert.is(restored.baseline.sequence, 1);
  await restoreFromAmu0(o);
  assert.is(box.read('spec.md'), 'run result\n');
  const report = await verify(o);
  assert.equal([report.kind, report.sequence, report.lineage], ['baseline', 3, 3]);
});

test("signed with the user's own git signing key when gpg.format=ssh names an Ed25519 key", async () => {
  box.useFixtureKey('ed25519');
  const init = await initRepo(o);
  assert.is(init.key.source, 'git-config');
  box.write('a.txt', 'a\n');
  await createAmu0Baseline({ ...o, name: 'MINE' });
  const out = box.git([...state, '-c', 'gpg.ssh.allowedSignersFile=.coo/allowed_signers', 'verify-commit', 'amu0']);
  assert.is(out.status, 0);
  assert.ok(out.stderr.includes('fixture@coo.test'));
});

test('an encrypted git signing key is not used: coo makes its own and says why', async () => {
  box.useFixtureKey('encrypted');
  const init = await initRepo(o);
  assert.is(init.key.source, 'coo');
  assert.ok(init.notes.some((n) => n.includes('encrypted')));
});

test('restore refuses an unsigned baseline, and nothing in the working tree changes', async () => {
  await initRepo(o);
  box.write('a.txt', 'baseline\n');
  await createAmu0Baseline({ ...o, name: 'B' });
  box.write('a.txt', 'work\n');
  const snap = await snapshot(o);
  box.git([...state, 'update-ref', 'refs/heads/amu0', snap.commit]);
  const before = gitTreeOfWorktree(box);
  await expectCode(restoreFromAmu0(o), 'E_UNSIGNED');
  await expectCode(rollback(o), 'E_UNSIGNED');
  assert.is(gitTreeOfWorktree(box), before);
});

test('a tampered baseline (message edited, signature kept) fails with E_SIGNATURE_INVALID', async () => {
  await initRepo(o);
  box.write('a.txt', 'baseline\n');
  await createAmu0Baseline({ ...o, name: 'B' });
  const raw = box.git([...state, 'cat-file', 'commit', 'amu0']).stdout;
  const forged = box
    .git([...state, 'hash-object', '-t', 'commit', '-w', '--stdin'], {
      input: raw.replace('baseline B', 'baseline B (approved)'),
    })
    .stdout.trim();
  box.git([...state, 'update-ref', 'refs/heads/amu0', forged]);
  assert.is.not(gitVerify('amu0'), 0); // native git agrees
  box.write('a.txt', 'work\n');
  await expectCode(restoreFromAmu0(o), 'E_SIGNATURE_INVALID');
  assert.is(box.read('a.txt'), 'work\n');
});

test('a baseline signed by a key the allowed signers do not trust fails with E_SIGNER_UNTRUSTED', async () => {
  await initRepo(o);
  box.write('a.txt', 'baseline\n');
  const snap = await snapshot(o);
  const repo = await openRepo(o);
  const path = join(fixtures, 'keys', 'stranger');
  const stranger = { key: parseOpenSshPrivateKey(readFileSync(path, 'utf8'), path), source: 'coo' as const, path };
  const forged = await writeSignedStateCommit(
    repo,
    { tree: snap.tree, parents: [], subject: 'baseline B', manifest: snap.manifest, trailers: [['Coo-Sequence', '1']] },
    commitSigner(stranger),
  );
  box.git([...state, 'update-ref', 'refs/heads/amu0', forged]);
  assert.is.not(gitVerify('amu0'), 0); // native git agrees
  box.write('a.txt', 'work\n');
  const data = await expectCode(restoreFromAmu0(o), 'E_SIGNER_UNTRUSTED');
  assert.ok(String(data['key']).startsWith('ssh-ed25519 '));
  await expectCode(verify(o), 'E_SIGNER_UNTRUSTED');
  assert.is(box.read('a.txt'), 'work\n');
});

test('an untrusted signing key: create and promote refuse before signing, with the way to ask, and nothing changes', async () => {
  await initRepo(o); // coo's own key is the trusted one
  box.write('a.txt', 'one\n');
  await createAmu0Baseline({ ...o, name: 'ONE' });
  box.write('a.txt', 'two\n');
  await snapshot(o);
  box.useFixtureKey('stranger'); // the git signing key now: allowed_signers does not list it
  const everything = () =>
    [
      gitTreeOfWorktree(box),
      box.git([...state, 'for-each-ref', '--format=%(refname) %(objectname)']).stdout,
      box.git([...state, 'count-objects', '-v']).stdout,
    ].join('\n');
  const before = everything();
  const stranger = readFileSync(join(fixtures, 'keys', 'stranger.pub'), 'utf8')
    .split(' ')
    .slice(0, 2)
    .join(' ');
  for (const args of [
    ['baseline', 'create', 'TWO'],
    ['baseline', 'promote', 'snapshots'],
  ]) {
    const run = await coo([...args, '--json'], o);
    assert.is(run.code, 4);
    const error = run.json<{ code: string; data: { key: string; todo: string[] } }>();
    assert.is(error.code, 'E_SIGNER_UNTRUSTED');
    assert.is(error.data.key, stranger);
    assert.ok(error.data.todo.some((step) => step.includes('coo trust add')));
    assert.match((await coo(args, o)).stderr, /coo trust add/u);
    assert.is(everything(), before);
  }
  assert.is(box.git([...state, 'rev-parse', 'amu0/TWO']).status === 0, false);
});

test('an untrusted signing key cannot sign the first baseline either', async () => {
  await initRepo(o);
  box.useFixtureKey('stranger');
  box.write('a.txt', 'one\n');
  await expectCode(createAmu0Baseline({ ...o, name: 'ONE' }), 'E_SIGNER_UNTRUSTED');
  assert.is(box.git([...state, 'for-each-ref']).stdout, '');
});

test('amu0 moved back to an older signed baseline fails with E_BASELINE_OUT_OF_SEQUENCE; the named old one restores', async () => {
  await initRepo(o);
  box.write('a.txt', 'one\n');
  const first = await createAmu0Baseline({ ...o, name: 'ONE' });
  box.write('a.txt', 'two\n');
  await createAmu0Baseline({ ...o, name: 'TWO' });
  box.git([...state, 'update-ref', 'refs/heads/amu0', first.commit]);
  assert.is(gitVerify('amu0'), 0); // the signature is still good: only the sequence tells
  box.write('a.txt', 'work\n');
  const data = await expectCode(restoreFromAmu0(o), 'E_BASELINE_OUT_OF_SEQUENCE');
  assert.equal([data['expected'], data['found']], [2, 1]);
  await expectCode(verify(o), 'E_BASELINE_OUT_OF_SEQUENCE');
  await expectCode(createAmu0Baseline({ ...o, name: 'THREE' }), 'E_BASELINE_OUT_OF_SEQUENCE');
  assert.is(box.read('a.txt'), 'work\n');
  await restoreFromAmu0({ ...o, name: 'ONE' });
  assert.is(box.read('a.txt'), 'one\n');
});

test('a signed commit whose manifest does not match its tree fails with E_MANIFEST_MISMATCH', async () => {
  await initRepo(o);
  box.write('a.txt', 'one\n');
  const snap = await snapshot(o);
  const repo = await openRepo(o);
  const forged = await writeSignedStateCommit(
    repo,
    {
      tree: snap.tree,
      parents: [],
      subject: 'baseline forged',
      manifest: 'bagaaierawrongwrongwrongwrongwrongwrongwrongwrongwrongwrongw',
      trailers: [['Coo-Sequence', '1']],
    },
    commitSigner(requireSigningKey(repo.layout, repo.gitConfig, repo.env)),
  );
  box.git([...state, 'update-ref', 'refs/heads/amu0', forged]);
  assert.is(gitVerify('amu0'), 0); // git only checks the signature
  await expectCode(verify(o), 'E_MANIFEST_MISMATCH');
});

test('names: taken, invalid, and unknown each fail with their code', async () => {
  await initRepo(o);
  box.write('a.txt', 'one\n');
  await createAmu0Baseline({ ...o, name: 'ONE' });
  await expectCode(createAmu0Baseline({ ...o, name: 'ONE' }), 'E_BASELINE_EXISTS');
  await expectCode(createAmu0Baseline({ ...o, name: 'a/b' }), 'E_REF_INVALID');
  await expectCode(createAmu0Baseline({ ...o, name: '..' }), 'E_REF_INVALID');
  await expectCode(restoreFromAmu0({ ...o, name: 'NOPE' }), 'E_REF_NOT_FOUND');
  await expectCode(verify({ ...o, rev: 'nope' }), 'E_REF_NOT_FOUND');
});

test.run();
