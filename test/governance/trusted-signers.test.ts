import { appendFileSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { snapshot } from '../../lib/state/snapshot.js';
import { rollback } from '../../lib/baseline/rollback.js';
import { createAmu0Baseline, promoteRunToAmu0, restoreFromAmu0 } from '../../lib/baseline/baseline.js';
import { verify } from '../../lib/baseline/verify.js';
import { protectRequest } from '../../lib/gateway/protect.js';
import { trustRequest } from '../../lib/gateway/trust.js';
import { decide } from '../../lib/cli/approvals.js';
import { openRepo } from '../../lib/store/repo.js';
import { writeSignedStateCommit } from '../../lib/store/state-commit.js';
import { parseOpenSshPrivateKey } from '../../lib/trust/ed25519-key.js';
import { commitSigner } from '../../lib/trust/signing-key.js';
import { coo } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { gitTreeOfWorktree } from '../helpers/git-tree.js';
import { fixtures, sandbox, type Sandbox } from '../helpers/sandbox.js';

// Trust is pinned: the allowed signers in force are the ones recorded with the policy in the state
// repository, not the file on disk. An attacker who appends its own key to .coo/allowed_signers and
// points amu0 at a baseline it signed gets nothing: every command that relies on trust refuses
// with E_PROTECTED_TAMPERED and changes nothing, not only `coo verify`.

const test = suite(
  'the allowed signers in force are the pinned ones [C-ROLLBACK] [C-BASELINE-RESTORE] [C-BASELINE-PROMOTE] [C-VERIFY] [C-DECIDE] [C-PROTECT-REQUEST]',
);
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
const state = (...args: string[]): string => box.git(['--git-dir', '.coo/state.git', ...args]).stdout;
const signersPath = (): string => join(box.repo, '.coo', 'allowed_signers');
const strangerPub = readFileSync(join(fixtures, 'keys', 'stranger.pub'), 'utf8')
  .split(' ')
  .slice(0, 2)
  .join(' ');

/** Everything a refused command must leave as it was: the working tree, every ref, coo's private records. */
function everything(): string {
  const privateFile = (name: string): string => {
    try {
      return readFileSync(join(box.repo, '.coo', 'state.git', 'coo', name), 'utf8');
    } catch {
      return '(none)';
    }
  };
  return [
    gitTreeOfWorktree(box),
    state('for-each-ref', '--format=%(refname) %(objectname)'),
    privateFile('governance-pins.json'),
    privateFile('amu0-sequence'),
  ].join('\n');
}

/** A baseline #2 on top of amu0, signed by the stranger key, tagged amu0/EVIL and made current. */
async function forgeBaseline(): Promise<string> {
  box.write('a.txt', 'what the attacker wants\n');
  const evil = await snapshot({ ...o, message: 'evil' });
  box.write('a.txt', 'good\n');
  const repo = await openRepo(o);
  const path = join(fixtures, 'keys', 'stranger');
  const key = { key: parseOpenSshPrivateKey(readFileSync(path, 'utf8'), path), source: 'git-config' as const, path };
  const commit = await writeSignedStateCommit(
    repo,
    {
      tree: evil.tree,
      parents: [state('rev-parse', 'amu0').trim()],
      subject: 'baseline EVIL',
      manifest: evil.manifest,
      trailers: [
        ['Coo-Op', 'baseline'],
        ['Coo-Baseline', 'EVIL'],
        ['Coo-Sequence', '2'],
      ],
    },
    commitSigner(key),
  );
  box.git(['--git-dir', '.coo/state.git', 'update-ref', 'refs/heads/amu0', commit]);
  box.git(['--git-dir', '.coo/state.git', 'update-ref', 'refs/tags/amu0/EVIL', commit]);
  return commit;
}

test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
  box.write('a.txt', 'good\n');
  await createAmu0Baseline({ ...o, name: 'GOOD' });
});
test.after.each(() => box.cleanup());

test('a hand-appended key: rollback, restore, create, promote, verify, approve and protect accept all refuse as tampering and change nothing', async () => {
  const pending = await protectRequest({ ...o, action: 'add', pattern: 'a.txt' });
  const original = readFileSync(signersPath(), 'utf8');
  await forgeBaseline();
  appendFileSync(signersPath(), `attacker@evil namespaces="git" ${strangerPub}\n`);
  // Plain git, reading the file as it is now, would take the forged baseline.
  const gitSays = box.git([
    '--git-dir',
    '.coo/state.git',
    '-c',
    'gpg.ssh.allowedSignersFile=.coo/allowed_signers',
    'verify-commit',
    'amu0',
  ]);
  assert.is(gitSays.status, 0);
  box.write('b.txt', 'work in progress\n');
  const before = everything();

  const tampered = async (work: Promise<unknown>): Promise<void> => {
    const data = await expectCode(work, 'E_PROTECTED_TAMPERED');
    assert.is(data['path'], '.coo/allowed_signers');
    assert.is.not(data['expected'], data['found']);
    assert.is(everything(), before);
  };
  await tampered(rollback(o));
  await tampered(rollback({ ...o, to: 'amu0/EVIL' }));
  await tampered(rollback({ ...o, to: 'amu0', dryRun: true }));
  await tampered(restoreFromAmu0(o));
  await tampered(restoreFromAmu0({ ...o, name: 'EVIL' }));
  await tampered(restoreFromAmu0({ ...o, name: 'GOOD' }));
  await tampered(promoteRunToAmu0({ ...o, ref: 'snapshots' }));
  await tampered(createAmu0Baseline({ ...o, name: 'NEXT' }));
  await tampered(verify(o));
  await tampered(verify({ ...o, rev: 'amu0/GOOD' }));
  await tampered(decide({ ...o, id: pending.id, decision: 'approve' }));
  await tampered(decide({ ...o, id: pending.id, decision: 'veto' }));
  await tampered(protectRequest({ ...o, action: 'accept' }));
  await tampered(trustRequest({ ...o, action: 'add', key: strangerPub, principal: 'attacker@evil' }));
  // The attacker's own key, named as the git signing key, cannot decide either.
  box.useFixtureKey('stranger');
  await tampered(decide({ ...o, id: pending.id, decision: 'approve' }));
  writeFileSync(join(box.home, '.gitconfig'), '');
  // From the command line: the trust exit status, the code, and the way out.
  const cli = await coo(['rollback'], o);
  assert.is(cli.code, 4);
  assert.match(cli.stderr, /E_PROTECTED_TAMPERED/u);
  assert.match(cli.stderr, /coo trust add/u);
  assert.is(everything(), before);

  // Put back, the pinned signers judge: the forged baseline is simply untrusted.
  writeFileSync(signersPath(), original);
  await expectCode(rollback(o), 'E_SIGNER_UNTRUSTED');
  await expectCode(restoreFromAmu0({ ...o, name: 'EVIL' }), 'E_SIGNER_UNTRUSTED');
  assert.is(box.read('a.txt'), 'good\n');
  await restoreFromAmu0({ ...o, name: 'GOOD' });
  await decide({ ...o, id: pending.id, decision: 'approve' });
});

test('a key removed by hand is tampering too, not an untrusted signer; so are a deleted file and a link to a copy', async () => {
  const original = readFileSync(signersPath(), 'utf8');
  const before = everything();
  for (const spoil of [
    () => writeFileSync(signersPath(), '# nobody\n'),
    () => rmSync(signersPath()),
    () => {
      writeFileSync(join(box.repo, 'copy'), original);
      rmSync(signersPath());
      symlinkSync('../copy', signersPath());
    },
  ]) {
    spoil();
    box.write('a.txt', 'work\n');
    await expectCode(verify(o), 'E_PROTECTED_TAMPERED');
    await expectCode(restoreFromAmu0(o), 'E_PROTECTED_TAMPERED');
    assert.is(box.read('a.txt'), 'work\n');
    rmSync(signersPath(), { force: true });
    rmSync(join(box.repo, 'copy'), { force: true });
    writeFileSync(signersPath(), original);
    box.write('a.txt', 'good\n');
    assert.is(everything(), before);
    await verify(o);
  }
});

test('coo init run again trusts no new key and blesses no hand edit: it says how to ask', async () => {
  const pins = readFileSync(join(box.repo, '.coo', 'state.git', 'coo', 'governance-pins.json'), 'utf8');
  const original = readFileSync(signersPath(), 'utf8');
  box.useFixtureKey('stranger');
  const again = await initRepo(o);
  assert.ok(again.notes.some((n) => n.includes('coo trust add')));
  assert.is(readFileSync(signersPath(), 'utf8'), original);
  assert.is(readFileSync(join(box.repo, '.coo', 'state.git', 'coo', 'governance-pins.json'), 'utf8'), pins);

  appendFileSync(signersPath(), `attacker@evil namespaces="git" ${strangerPub}\n`);
  assert.ok((await initRepo(o)).notes.some((n) => n.includes('changed outside coo')));
  assert.is(readFileSync(join(box.repo, '.coo', 'state.git', 'coo', 'governance-pins.json'), 'utf8'), pins);
  await expectCode(verify(o), 'E_PROTECTED_TAMPERED');
});

test.run();
