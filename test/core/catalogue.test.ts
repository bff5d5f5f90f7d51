import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { catalogue, exitCodes, isErrorCode } from '../../lib/core/catalogue.js';
import { CooError, isCooError } from '../../lib/core/coo-error.js';
import { projectRoot } from '../helpers/sandbox.js';

const test = suite('error catalogue [C-CLI]');

test('every code says what happened and what to do, and maps to a documented exit status', () => {
  const statuses = new Set<number>(Object.values(exitCodes));
  for (const [code, info] of Object.entries(catalogue)) {
    assert.ok(/^E_[A-Z_]+$/u.test(code), code);
    assert.ok(info.summary.length > 10 && info.hint.length > 10, code);
    assert.ok(statuses.has(info.exit), code);
  }
});

test('the README documents every code and every exit status', () => {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  for (const code of Object.keys(catalogue)) assert.ok(readme.includes(`\`${code}\``), `README lacks ${code}`);
  for (const status of Object.values(exitCodes))
    assert.ok(new RegExp(`\\| ${status} \\|`, 'u').test(readme), `README lacks exit ${status}`);
});

test('CooError carries code, data and cause, serialises to {code, message, data}, and is recognised without instanceof', () => {
  const cause = new Error('low level');
  const err = new CooError('E_REF_NOT_FOUND', 'no state named "x"', { rev: 'x' }, { cause });
  assert.equal(err.toJSON(), { code: 'E_REF_NOT_FOUND', message: 'no state named "x"', data: { rev: 'x' } });
  assert.is(err.cause, cause);
  assert.is(err.exitCode, 2);
  assert.ok(isCooError({ name: 'CooError', code: 'E_IO', message: 'from another copy of the module' }));
  assert.not.ok(isCooError({ name: 'CooError', code: 'E_NOT_A_CODE' }));
  assert.not.ok(isErrorCode('E_NOT_A_CODE'));
});

test.run();
