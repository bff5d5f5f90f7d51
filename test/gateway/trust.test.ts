import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { trustRequest } from '../../lib/gateway/trust.js';
import { protectList } from '../../lib/gateway/protect.js';
import { decide } from '../../lib/cli/approvals.js';
import { coo } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { fixtures, sandbox, type Sandbox } from '../helpers/sandbox.js';

// Adding a key is a request a trusted person approves: `coo trust add [KEY]`, then `coo approve`.
// The approval appends the key's line to .coo/allowed_signers through the gateway and pins it;
// from then on the new key signs baselines that coo verifies and that plain git verifies with
// the same file.

const test = suite('coo trust add: a key trusted through a request [C-TRUST-ADD] [C-DECIDE]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
const stranger = join(fixtures, 'keys', 'stranger.pub');
const strangerKey = readFileSync(stranger, 'utf8').split(' ').slice(0, 2).join(' ');
const allowed = (): string => box.read('.coo/allowed_signers');
const gitVerify = (rev: string) =>
  box.git([
    '--git-dir',
    '.coo/state.git',
    '-c',
    'gpg.ssh.allowedSignersFile=.coo/allowed_signers',
    'verify-commit',
    rev,
  ]);

test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o); // no git signing key: coo makes its own, the one trusted key
  box.write('a.txt', 'a\n');
});
test.after.each(() => box.cleanup());

test("another person's key: requested from its .pub file, approved by a trusted key, then it signs baselines git and coo verify", async () => {
  const before = allowed();
  const asked = await coo(['trust', 'add', stranger, '--principal', 'stranger@coo.test', '--json'], o);
  assert.is(asked.code, 0, asked.stderr);
  const request = asked.json<{ id: string; kind: string; summary: string; payload: Record<string, string> }>();
  assert.equal([request.id, request.kind], ['R-1', 'trust.add']);
  // The summary names the key as ssh-keygen -l does, so the approver can compare fingerprints.
  const fingerprint = spawnSync('ssh-keygen', ['-lf', stranger], { encoding: 'utf8' }).stdout.split(' ')[1] as string;
  assert.ok(fingerprint.startsWith('SHA256:') && request.summary.includes(fingerprint), request.summary);
  assert.is(request.payload['line'], `stranger@coo.test namespaces="git" ${strangerKey}\n`);
  assert.is(allowed(), before, 'nothing is trusted until a person approves');

  // The key asking cannot approve its own trust.
  box.useFixtureKey('stranger');
  assert.is((await coo(['approve', 'R-1', '--json'], o)).json<{ code: string }>().code, 'E_SIGNER_UNTRUSTED');
  assert.is(allowed(), before);

  writeFileSync(join(box.home, '.gitconfig'), ''); // back to the key coo made, which is trusted
  const approved = await coo(['approve', 'R-1', '--json'], o);
  assert.is(approved.code, 0, approved.stdout);
  assert.is(allowed(), `${before}stranger@coo.test namespaces="git" ${strangerKey}\n`);
  assert.equal((await protectList(o)).tampered, [], 'the new content is pinned');
  assert.is(gitVerify('approvals').status, 0);

  box.useFixtureKey('stranger');
  const made = await coo(['baseline', 'create', 'BY_STRANGER', '--json'], o);
  assert.is(made.code, 0, made.stdout);
  const verified = await coo(['verify', '--json'], o);
  assert.is(verified.code, 0, verified.stdout);
  assert.equal(verified.json<{ signer: { principals: string[] } }>().signer.principals, ['stranger@coo.test']);
  const git = gitVerify('amu0');
  assert.is(git.status, 0, git.stderr);
  assert.ok(git.stderr.includes('stranger@coo.test'));
});

test('your own new signing key: `coo trust add` with no KEY asks for it, and a key already trusted approves', async () => {
  box.useFixtureKey('ed25519');
  // The refusal names both steps, and the trusted key to approve with.
  const refused = (await coo(['baseline', 'create', 'MINE', '--json'], o)).json<{
    code: string;
    data: { todo: string[] };
  }>();
  assert.is(refused.code, 'E_SIGNER_UNTRUSTED');
  assert.ok(refused.data.todo[0]?.includes('coo trust add'));
  assert.ok(refused.data.todo[1]?.includes('GIT_CONFIG_VALUE_0=.coo/keys/id_ed25519 coo approve'));
  const request = await trustRequest({ ...o, action: 'add' });
  assert.ok(String(request.payload['line']).startsWith('fixture@coo.test namespaces="git" ssh-ed25519 '));
  // The key coo made at init is still trusted: name it for this one command, as git config allows.
  const withCooKey = {
    ...box.env,
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'user.signingkey',
    GIT_CONFIG_VALUE_0: '.coo/keys/id_ed25519',
  };
  const approved = await coo(['approve', request.id], { ...o, env: withCooKey });
  assert.is(approved.code, 0, approved.stderr);
  assert.is((await coo(['baseline', 'create', 'MINE'], o)).code, 0);
  assert.equal((await coo(['verify', '--json'], o)).json<{ signer: { principals: string[] } }>().signer.principals, [
    'fixture@coo.test',
  ]);
  assert.is(gitVerify('amu0').status, 0);
});

test('refused: a key already trusted, a key that is not Ed25519, a key with no name, inside a mission', async () => {
  const own = readFileSync(join(box.repo, '.coo', 'keys', 'id_ed25519.pub'), 'utf8');
  await expectCode(trustRequest({ ...o, action: 'add', key: own }), 'E_USAGE');
  await expectCode(trustRequest({ ...o, action: 'add' }), 'E_USAGE'); // your key is the trusted one
  const rsa = readFileSync(join(fixtures, 'keys', 'rsa.pub'), 'utf8');
  await expectCode(trustRequest({ ...o, action: 'add', key: rsa, principal: 'rsa@coo.test' }), 'E_USAGE');
  await expectCode(trustRequest({ ...o, action: 'add', key: strangerKey }), 'E_USAGE');
  await expectCode(trustRequest({ ...o, action: 'add', key: strangerKey, principal: 'two words' }), 'E_USAGE');
  const inMission = { ...o, env: { ...box.env, COO_MISSION_ID: 'M-1' } };
  await expectCode(trustRequest({ ...inMission, action: 'add', key: strangerKey, principal: 's' }), 'E_IN_MISSION');
  assert.is((await coo(['trust', 'add', 'no-such.pub'], o)).code, 2);
});

test('two requests for one key: the second approval has nothing left to add', async () => {
  const first = await trustRequest({ ...o, action: 'add', key: strangerKey, principal: 'stranger@coo.test' });
  const second = await trustRequest({ ...o, action: 'add', key: strangerKey, principal: 'stranger@coo.test' });
  assert.equal((await decide({ ...o, id: first.id, decision: 'approve' })).result?.['added'], true);
  const once = allowed();
  assert.equal((await decide({ ...o, id: second.id, decision: 'approve' })).result?.['added'], false);
  assert.is(allowed(), once);
});

test.run();
