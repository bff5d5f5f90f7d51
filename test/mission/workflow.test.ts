import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { validateWorkflow } from '../../lib/mission/workflow.js';
import type { Mission, Step } from '../../lib/mission/mission.js';
import { schemaProblems } from '../../lib/core/schemas.js';
import { fixtures } from '../helpers/sandbox.js';

const test = suite('workflow validator [C-MISSION-VALIDATE]');
const prompts = JSON.parse(readFileSync(join(fixtures, 'missions', 'prompts.json'), 'utf8')) as {
  judging: string[];
  routine: [string, string][];
};
const mission = (steps: Step[]): Mission => ({ version: 1, id: 'M', scope: { rules: [] }, steps });
const human = (prompt: string, action = 'review'): Step => ({ kind: 'human', action, prompt });
const command: Step = { kind: 'command', run: 'true' };

test('at most 5 steps and at most 2 human steps', () => {
  assert.ok(
    validateWorkflow(mission([command, command, command, human('Approve it.', 'approve'), human('Review it.')])).valid,
  );
  const six = validateWorkflow(mission([command, command, command, command, command, command]));
  assert.equal(
    six.violations.map((v) => [v.rule, v.step]),
    [['max-steps', null]],
  );
  const three = validateWorkflow(
    mission([human('Approve it.', 'approve'), human('Review it.'), human('Decide.', 'decide')]),
  );
  assert.equal(
    three.violations.map((v) => v.rule),
    ['max-human-steps'],
  );
});

test('a person may only judge: declared routine actions are rejected with a suggested command step', () => {
  for (const [action, run] of [
    ['copy', 'cp SOURCE DESTINATION'],
    ['run-tests', 'npm test'],
    ['build', 'npm run build'],
    ['deploy', 'the deploy command, as a command step'],
    ['update index', 'coo index fix'],
    ['commit', 'coo snapshot -m MESSAGE'],
    ['merge', 'git merge BRANCH'],
    ['rename', 'mv OLD_NAME NEW_NAME'],
    ['edit', 'a script that makes the edit (it goes through the gateway like any step)'],
  ] as const) {
    const report = validateWorkflow(mission([command, human('Fine.', action)]));
    assert.equal(
      report.violations.map((v) => [v.rule, v.step, v.suggestion?.run]),
      [['routine-human-step', 1, run]],
      action,
    );
  }
  assert.equal(
    validateWorkflow(mission([human('Fine.', 'juggle')])).violations.map((v) => v.rule),
    ['human-action'],
  );
});

test('routine work is recognised in what the prompt asks, and judging prompts pass', () => {
  for (const prompt of prompts.judging) {
    const report = validateWorkflow(mission([human(prompt)]));
    assert.ok(report.valid, `${prompt}: ${JSON.stringify(report.violations)}`);
  }
  for (const [prompt, work] of prompts.routine) {
    const report = validateWorkflow(mission([human(prompt)]));
    assert.is(report.violations[0]?.rule, 'routine-human-step', prompt);
    assert.ok(report.violations[0]?.why.includes(work), `${prompt}: ${report.violations[0]?.why}`);
    assert.is(report.violations[0]?.suggestion?.kind, 'command');
  }
});

test('step kinds the scope does not allow, and duplicate step ids', () => {
  const limited: Mission = {
    ...mission([command, human('Approve.', 'approve')]),
    scope: { rules: [], stepKinds: ['command'] },
  };
  assert.equal(
    validateWorkflow(limited).violations.map((v) => [v.rule, v.step]),
    [['step-kind-not-allowed', 1]],
  );
  const dup = mission([{ ...command, id: 'a' } as Step, { ...command, id: 'a' } as Step]);
  assert.equal(
    validateWorkflow(dup).violations.map((v) => v.rule),
    ['duplicate-step-id'],
  );
});

test('the report is a schema-valid document, and the same mission always gives the same report', async () => {
  const m = mission([
    command,
    command,
    command,
    command,
    command,
    human('Copy the report, then approve.', 'review'),
    human('x', 'build'),
  ]);
  const report = validateWorkflow(m);
  assert.equal(await schemaProblems('workflow-report', report), []);
  assert.is(JSON.stringify(validateWorkflow(m)), JSON.stringify(report));
  assert.equal(
    report.violations.map((v) => v.rule),
    ['max-steps', 'routine-human-step', 'routine-human-step'],
  );
});

test.run();
