import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initRepo } from '../../lib/state/init.js';
import { snapshot } from '../../lib/state/snapshot.js';
import { rollback } from '../../lib/baseline/rollback.js';
import { gatewayWrite } from '../../lib/gateway/gateway.js';
import { verify } from '../../lib/baseline/verify.js';
import { createAmu0Baseline } from '../../lib/baseline/baseline.js';
import { protectList, protectRequest } from '../../lib/gateway/protect.js';
import { decide } from '../../lib/cli/approvals.js';
import { listRequests } from '../../lib/governance/requests.js';
import { openRepo } from '../../lib/store/repo.js';
import { coo } from '../helpers/cli.js';
import { expectCode } from '../helpers/expect.js';
import { gitTreeOfWorktree } from '../helpers/git-tree.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';

const test = suite('protected artefacts and approvals [C-PROTECT-LIST] [C-PROTECT-REQUEST] [C-REQUESTS] [C-DECIDE]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };
const state = (...args: string[]) => box.git(['--git-dir', '.coo/state.git', ...args]);
const write = (path: string, content: string) =>
  gatewayWrite({ ...o, ops: [{ kind: 'write', path, content: Buffer.from(content) }] });

async function protect(pattern: string): Promise<void> {
  const request = await protectRequest({ ...o, action: 'add', pattern });
  await decide({ ...o, id: request.id, decision: 'approve' });
}

test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  await initRepo(o);
  box.write('specs/constitution.md', 'rule 1\n');
  box.write('src/app.js', 'app\n');
});
test.after.each(() => box.cleanup());

test('protect add is a request until a signed approval carries it out; git verifies the approval', async () => {
  const request = await protectRequest({ ...o, action: 'add', pattern: 'specs/**' });
  assert.is(request.id, 'R-1');
  assert.equal(
    (await listRequests(await openRepo(o))).map((r) => r.status),
    ['pending'],
  );
  assert.not.ok(readFileSync(join(box.repo, '.coo/config.json'), 'utf8').includes('specs/**'));
  await write('specs/constitution.md', 'still writable while only requested\n');
  box.write('specs/constitution.md', 'rule 1\n');
  const next = await protectRequest({ ...o, action: 'add', pattern: 'specs/**' });
  const approved = await decide({ ...o, id: next.id, decision: 'approve' });
  assert.equal(approved.signer, ['coo@localhost']);
  const config = JSON.parse(readFileSync(join(box.repo, '.coo/config.json'), 'utf8')) as {
    protected: { pattern: string; pins: Record<string, string> }[];
  };
  assert.equal(Object.keys(config.protected[0]?.pins ?? {}), ['specs/constitution.md']);
  assert.is(state('-c', 'gpg.ssh.allowedSignersFile=.coo/allowed_signers', 'verify-commit', 'approvals').status, 0);
  assert.is(state('rev-parse', 'approvals^2').stdout.trim(), next.commit);
  // R-1 was made against the config before R-2 changed it: it can no longer be carried out.
  await expectCode(decide({ ...o, id: 'R-1', decision: 'approve' }), 'E_CHANGED_SINCE_BASE');
  assert.is(
    state('log', '--first-parent', '--format=%s', 'approvals').stdout,
    `approve R-2: protect specs/** (1 file(s) pinned)\napprovals ledger\n`,
  );
});

test('no write may change a protected artefact, in any spelling; the same input gives the same bytes of error', async () => {
  await protect('specs/**');
  const before = gitTreeOfWorktree(box);
  await expectCode(write('specs/constitution.md', 'rule 1, amended by an agent\n'), 'E_GOVERNANCE_PROTECTED');
  await expectCode(write('SPECS/new-rule.md', 'a twin that must not slip past\n'), 'E_GOVERNANCE_PROTECTED');
  await expectCode(
    gatewayWrite({ ...o, ops: [{ kind: 'delete', path: 'specs/constitution.md' }] }),
    'E_GOVERNANCE_PROTECTED',
  );
  await expectCode(write('.coo/config.json', '{"version":1}\n'), 'E_GOVERNANCE_PROTECTED');
  await expectCode(write('.coo/allowed_signers', 'attacker ssh-ed25519 AAAA\n'), 'E_GOVERNANCE_PROTECTED');
  const first = (await coo(['write', 'specs/constitution.md', '--json'], { ...o, input: 'x' })).stdout;
  assert.is((await coo(['write', 'specs/constitution.md', '--json'], { ...o, input: 'x' })).stdout, first);
  assert.is(gitTreeOfWorktree(box), before);
  // Writing exactly the pinned content back is allowed: it changes nothing protected.
  await write('specs/constitution.md', 'rule 1\n');
});

test('the tripwire: a protected file changed outside coo stops verify and every write, naming both hashes; accept + approve clears it', async () => {
  await protect('specs/**');
  box.write('a.txt', 'a\n');
  await createAmu0Baseline({ ...o, name: 'B' });
  box.write('specs/constitution.md', 'edited by hand\n');
  const data = await expectCode(verify(o), 'E_PROTECTED_TAMPERED');
  assert.is(data['path'], 'specs/constitution.md');
  assert.ok(
    String(data['expected']).startsWith('sha256:') &&
      String(data['found']).startsWith('sha256:') &&
      data['expected'] !== data['found'],
  );
  await expectCode(write('src/app.js', 'unrelated\n'), 'E_PROTECTED_TAMPERED');
  const listed = await protectList(o);
  assert.equal(
    listed.tampered.map((t) => t.path),
    ['specs/constitution.md'],
  );
  const request = await protectRequest({ ...o, action: 'accept' });
  await decide({ ...o, id: request.id, decision: 'approve' });
  await verify(o);
  await write('src/app.js', 'unrelated\n');
});

test('editing .coo/config.json by hand is tampering until a person accepts it', async () => {
  const doc = JSON.parse(readFileSync(join(box.repo, '.coo/config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(box.repo, '.coo/config.json'), JSON.stringify({ ...doc, governed: [{ dir: 'reports' }] }));
  await expectCode(write('src/app.js', 'x'), 'E_POLICY_TAMPERED');
  const request = await protectRequest({ ...o, action: 'accept' });
  await decide({ ...o, id: request.id, decision: 'approve' });
  await write('reports/Status_v1.md', '# status\n');
  assert.ok(box.read('reports/INDEX.md').includes('Status_v1.md'));
});

test('rollback never changes a protected artefact (putting back its pinned content is fine)', async () => {
  box.write('specs/constitution.md', 'old rule\n');
  await snapshot({ ...o, message: 'with the old rule' });
  box.write('specs/constitution.md', 'rule 1\n');
  await protect('specs/**');
  box.write('src/app.js', 'changed\n');
  await expectCode(rollback({ ...o, to: 'snapshots' }), 'E_GOVERNANCE_PROTECTED');
  assert.is(box.read('specs/constitution.md'), 'rule 1\n');
  assert.is(box.read('src/app.js'), 'changed\n');
});

test('human-only actions refuse inside a mission; an untrusted key cannot approve; a veto is final', async () => {
  const inMission = { ...o, env: { ...box.env, COO_MISSION_ID: 'M-7' } };
  await expectCode(protectRequest({ ...inMission, action: 'add', pattern: 'specs/**' }), 'E_IN_MISSION');
  const request = await protectRequest({ ...o, action: 'add', pattern: 'specs/**' });
  await expectCode(decide({ ...inMission, id: request.id, decision: 'approve' }), 'E_IN_MISSION');
  box.useFixtureKey('stranger');
  await expectCode(decide({ ...o, id: request.id, decision: 'approve' }), 'E_SIGNER_UNTRUSTED');
  writeFileSync(join(box.home, '.gitconfig'), '');
  const vetoed = await decide({ ...o, id: request.id, decision: 'veto', note: 'not now' });
  assert.is(vetoed.result, null);
  await expectCode(decide({ ...o, id: request.id, decision: 'approve' }), 'E_REQUEST_CLOSED');
  await expectCode(decide({ ...o, id: 'R-99', decision: 'approve' }), 'E_REQUEST_NOT_FOUND');
  assert.not.ok(readFileSync(join(box.repo, '.coo/config.json'), 'utf8').includes('specs/**'));
});

test('from the CLI: protect add --approve, list, requests, rm', async () => {
  const added = await coo(['protect', 'add', 'specs/**', '--approve'], o);
  assert.is(added.code, 0, added.stderr);
  assert.ok((await coo(['protect', 'list'], o)).stdout.includes('specs/**: 1 file(s) pinned'));
  const removal = await coo(['protect', 'rm', 'specs/**', '--json'], o);
  const id = removal.json<{ id: string }>().id;
  assert.ok((await coo(['requests'], o)).stdout.includes(`${id}    pending`));
  assert.is((await coo(['approve', id], o)).code, 0);
  await write('specs/constitution.md', 'free again\n');
});

test.run();
