import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { schemaProblems } from '../../lib/core/schemas.js';
import { initRepo } from '../../lib/state/init.js';
import { snapshot } from '../../lib/state/snapshot.js';
import { rollback } from '../../lib/baseline/rollback.js';
import { undo } from '../../lib/state/undo.js';
import { createAmu0Baseline } from '../../lib/baseline/baseline.js';
import { gatewayWrite } from '../../lib/gateway/gateway.js';
import { protectRequest } from '../../lib/gateway/protect.js';
import { decide } from '../../lib/cli/approvals.js';
import { runMission } from '../../lib/mission/runner.js';
import { formatManifest } from '../../lib/store/manifest.js';
import { captureWorktree } from '../../lib/worktree/capture.js';
import { cooProcess } from '../helpers/cli.js';
import { projectRoot, sandbox, type Sandbox } from '../helpers/sandbox.js';

// Every JSON document coo writes has a schema in schemas/ (with a stable $id and a version), and
// what coo writes passes it. The scenario below makes one of every kind.

const test = suite('schemas of every document coo writes');
let box: Sandbox;
test.before(() => {
  box = sandbox();
});
test.after(() => box.cleanup());

const bodies = (ref: string): unknown[] => {
  const out = box
    .git(['--git-dir', '.coo/state.git', 'log', '--first-parent', '--format=%H', ref])
    .stdout.trim()
    .split('\n')
    .filter(Boolean);
  return out.flatMap((oid) => {
    const message = box.git(['--git-dir', '.coo/state.git', 'log', '-1', '--format=%B', oid]).stdout;
    const body = message.split('\n\n')[1];
    return body?.startsWith('{') ? [JSON.parse(body)] : [];
  });
};

async function valid(schema: string, doc: unknown, what: string): Promise<void> {
  assert.equal(await schemaProblems(schema, doc), [], `${what} breaks ${schema}`);
}

test('every schema has a stable $id and requires a version (or format) field; a bare array is versioned by its $id', () => {
  for (const file of readdirSync(join(projectRoot, 'schemas')).filter((f) => f.endsWith('.schema.json'))) {
    const schema = JSON.parse(readFileSync(join(projectRoot, 'schemas', file), 'utf8')) as {
      $id: string;
      type?: string;
      required?: string[];
      properties?: Record<string, unknown>;
    };
    const name = file.replace('.schema.json', '');
    assert.is(schema.$id, `https://coo.dev/schemas/${name}/v1.json`, file);
    // A write set (`coo write --set`) is a JSON array, as documented: it has no room for a field.
    if (schema.type === 'array') continue;
    assert.ok(
      schema.required?.includes('version') || schema.required?.includes('format'),
      `${file} has no required version field`,
    );
  }
});

test('schemas/CATALOGUE.md is what scripts/schema-catalogue.js makes of the schemas now', () => {
  cpSync(join(projectRoot, 'schemas'), join(box.dir, 'cat', 'schemas'), { recursive: true });
  rmSync(join(box.dir, 'cat', 'schemas', 'CATALOGUE.md'));
  const made = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'schema-catalogue.js')], {
    cwd: join(box.dir, 'cat'),
    encoding: 'utf8',
  });
  assert.is(made.status, 0, made.stderr);
  assert.is(
    readFileSync(join(box.dir, 'cat', 'schemas', 'CATALOGUE.md'), 'utf8'),
    readFileSync(join(projectRoot, 'schemas', 'CATALOGUE.md'), 'utf8'),
    'run `node scripts/schema-catalogue.js`',
  );
});

test('what a whole session of coo writes passes its schemas', async () => {
  const o = { cwd: box.repo, env: box.env };
  await initRepo(o);
  box.write('a.txt', 'a\n');
  const snap = await snapshot(o);
  box.write('a.txt', 'b\n');
  await rollback({ ...o, to: 'snapshots' });
  await undo(o);
  await createAmu0Baseline({ ...o, name: 'B' });
  await gatewayWrite({ ...o, ops: [{ kind: 'write', path: 'w.txt', content: Buffer.from('w') }] });
  await decide({ ...o, id: (await protectRequest({ ...o, action: 'add', pattern: 'a.txt' })).id, decision: 'approve' });
  writeFileSync(
    join(box.dir, 'm.json'),
    JSON.stringify({
      version: 1,
      id: 'M',
      scope: { rules: [{ rule: 'allow', pattern: 'out/**' }] },
      steps: [
        { kind: 'command', run: 'mkdir -p out && echo x > out/x' },
        { kind: 'human', action: 'approve', prompt: 'Approve.' },
      ],
    }),
  );
  const paused = await runMission({ ...o, file: join(box.dir, 'm.json') });
  await valid('run-report', paused, 'a paused run report');
  await valid('workflow-report', paused.workflow, 'a workflow report');
  const done = await decide({ ...o, id: paused.awaiting?.request as string, decision: 'approve' });
  await valid('run-report', done.result?.['report'], 'an applied run report');

  for (const doc of bodies('oplog')) await valid('oplog-record', doc, 'an oplog record');
  for (const doc of bodies('requests')) await valid('request', doc, 'a request');
  for (const doc of bodies('approvals')) await valid('decision', doc, 'a decision');
  for (const doc of bodies('runs/M/1')) await valid('run-record', doc, 'a run record');
  assert.ok(bodies('runs/M/1').length >= 10);
  const state = join(box.repo, '.coo', 'state.git', 'coo');
  await valid(
    'governance-pins',
    JSON.parse(readFileSync(join(state, 'governance-pins.json'), 'utf8')),
    'the governance pins',
  );
  await valid('config', JSON.parse(readFileSync(join(box.repo, '.coo', 'config.json'), 'utf8')), '.coo/config.json');
  const capture = await captureWorktree({
    root: box.repo,
    gitdir: join(box.repo, '.coo', 'state.git'),
    cachePath: join(box.dir, 'cache.json'),
    store: false,
    maxNewFileBytes: 1e9,
  });
  assert.ok(capture.files.length > 3);
  await valid('manifest', JSON.parse(formatManifest(capture.files).toString()), 'the manifest of the working tree');
  assert.is(snap.manifest.startsWith('bagaaiera'), true);
});

test('an interrupted rollback leaves a journal that passes its schema', async () => {
  const o = { cwd: box.repo, env: box.env };
  box.write('b.txt', 'changed\n');
  const killed = cooProcess(['rollback', 'snapshots'], {
    ...o,
    env: { ...box.env, COO_TEST_CRASH_AT: 'journal-written' },
  });
  assert.is(killed.code, -1);
  await valid(
    'journal',
    JSON.parse(readFileSync(join(box.repo, '.coo', 'state.git', 'coo', 'journal.json'), 'utf8')),
    'the journal',
  );
  assert.is(cooProcess(['undo'], o).code, 0);
});

test('a bad document is described by where it fails, what was expected and what was found', async () => {
  const mission = {
    version: 1,
    id: 'M',
    scope: { rules: [{ rule: 'allow', pattern: '**' }] },
    steps: [{ kind: 'command', run: 'true', timeoutSeconds: 'soon' }],
  };
  const [problem] = await schemaProblems('mission', mission);
  assert.equal(problem, { pointer: '/steps/0/timeoutSeconds', expected: 'must be integer', found: 'soon' });
});

test.run();
