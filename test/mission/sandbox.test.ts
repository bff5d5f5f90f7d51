import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunReport } from '../../lib/mission/report.js';
import { coo } from '../helpers/cli.js';
import { cooBin, sandbox, type Sandbox } from '../helpers/sandbox.js';

// A mission step is confined: it tries every way out a careless or hostile agent would, and none
// works. It cannot write the real working tree or anything outside the repository, cannot read
// coo's key or the user's, cannot approve its own request (no state repository, no key in sight),
// and cannot reach the network unless the mission asks. Where no sandbox can be made, a run
// refuses unless someone accepts an unconfined run, and the report says which it was.

const test = suite('mission sandbox [C-MISSION-RUN]');
let box: Sandbox;
let o: { cwd: string; env: Sandbox['env'] };

test.before(() => {
  const bwrap = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-all', '/bin/true']);
  assert.is(
    bwrap.status,
    0,
    'these tests need bubblewrap (Debian package bubblewrap) able to make a sandbox; .ci/run installs it',
  );
});
test.before.each(async () => {
  box = sandbox();
  o = { cwd: box.repo, env: box.env };
  box.write('src/app.js', 'export const v = 1;\n');
  assert.is((await coo(['init'], o)).code, 0);
  assert.is((await coo(['baseline', 'create', 'BASE'], o)).code, 0);
});
test.after.each(() => box.cleanup());

function mission(name: string, run: string, extra: Record<string, unknown> = {}): string {
  const path = join(box.dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      version: 1,
      id: name,
      scope: { rules: [{ rule: 'allow', pattern: '**' }] },
      steps: [{ kind: 'command', run }],
      ...extra,
    }),
  );
  return path;
}

async function runReport(file: string, args: string[] = []): Promise<RunReport> {
  const run = await coo(['run', file, '--json', ...args], o);
  assert.is(run.code, 0, run.stdout + run.stderr);
  return run.json<RunReport>();
}

test('a step cannot write the real working tree, the repository beside it, its parent or the home directory', async () => {
  const targets = [
    join(box.repo, 'src', 'app.js'),
    join(box.repo, 'planted.txt'),
    join(box.dir, 'outside.txt'),
    join(box.home, 'in-home.txt'),
  ];
  const run = targets
    .map((t, i) => `(echo pwned > ${JSON.stringify(t)}) 2>/dev/null; echo ${i}:$? >> tries.txt`)
    .join('; ');
  const report = await runReport(mission('write-out', run));
  assert.is(report.confinement?.kind, 'bubblewrap');
  assert.is(box.read('src/app.js'), 'export const v = 1;\n');
  for (const t of targets.slice(1)) assert.not.ok(existsSync(t), t);
  // Every attempt failed inside the sandbox (the only change applied is the step's own note).
  assert.equal(
    box
      .read('tries.txt')
      .trim()
      .split('\n')
      .map((l) => l.split(':')[1] !== '0'),
    [true, true, true, true],
  );
  assert.equal(
    report.changes.map((c) => c.path),
    ['tries.txt'],
  );
});

test("a step cannot read coo's key or the user's, nor the state repository", async () => {
  const keyPath = box.useFixtureKey();
  const stolen = ['.coo/keys/id_ed25519', '.coo/state.git/HEAD'].map((p) => join(box.repo, p)).concat(keyPath);
  const run = `${stolen.map((p) => `cat ${JSON.stringify(p)} >> stolen.txt 2>/dev/null`).join('; ')}; echo done >> stolen.txt`;
  await runReport(mission('read-key', run));
  assert.is(box.read('stolen.txt'), 'done\n');
  assert.ok(readFileSync(keyPath, 'utf8').includes('PRIVATE KEY'));
});

test('a step cannot approve its own request, even with COO_MISSION_ID unset', async () => {
  const request = await coo(['protect', 'add', 'src/**', '--json'], o);
  const id = request.json<{ id: string }>().id;
  const attempt = `env -u COO_MISSION_ID ${JSON.stringify(process.execPath)} ${JSON.stringify(cooBin)} -C ${JSON.stringify(box.repo)} approve ${id} > attempt.txt 2>&1; echo exit=$? >> attempt.txt`;
  await runReport(mission('self-approve', attempt));
  assert.match(box.read('attempt.txt'), /exit=[1-9]/);
  const requests = (await coo(['requests', '--json'], o)).json<{ id: string; status: string }[]>();
  assert.equal(
    requests.map((r) => [r.id, r.status]),
    [[id, 'pending']],
  );
  assert.is(box.git(['--git-dir', '.coo/state.git', 'rev-parse', '-q', '--verify', 'approvals']).stdout, '');
});

test('the network is off unless the mission asks for it', async () => {
  const server: Server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const probe = (out: string): string =>
    `node -e "require('net').connect(${port}, '127.0.0.1').on('connect', () => { require('fs').writeFileSync('${out}', 'connected'); process.exit(0) }).on('error', (e) => { require('fs').writeFileSync('${out}', e.code); process.exit(0) })"`;
  try {
    const off = await runReport(mission('net-off', probe('off.txt')));
    assert.is(off.confinement?.network, false);
    assert.is.not(box.read('off.txt'), 'connected');
    const on = await runReport(mission('net-on', probe('on.txt'), { sandbox: { network: true } }));
    assert.is(on.confinement?.network, true);
    assert.is(box.read('on.txt'), 'connected');
  } finally {
    server.close();
  }
});

test('with no sandbox to be had, a run refuses before it starts, unless the person or the mission accepts an unconfined run', async () => {
  const none = { ...o, env: { ...box.env, COO_BWRAP: '' } };
  const file = mission('anywhere', 'echo ran > ran.txt');
  const refused = await coo(['run', file, '--json'], none);
  assert.is(refused.code, 3);
  assert.is(refused.json<{ code: string }>().code, 'E_SANDBOX_UNAVAILABLE');
  assert.is(box.git(['--git-dir', '.coo/state.git', 'for-each-ref', 'refs/heads/runs/']).stdout, '');
  const byPerson = await coo(['run', file, '--unconfined', '--json'], none);
  assert.is(byPerson.code, 0, byPerson.stderr);
  assert.equal([byPerson.json<RunReport>().confinement?.kind, box.read('ran.txt')], ['none', 'ran\n']);
  const byMission = await coo(
    ['run', mission('accepts', 'echo ok > ok.txt', { sandbox: { unconfined: true } }), '--json'],
    none,
  );
  assert.match(byMission.json<RunReport>().confinement?.why ?? '', /accepted by the mission/);
});

test.run();
