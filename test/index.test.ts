import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as api from '../lib/index.js';

const test = suite('public API');

test('lib/index.ts exports exactly this list', () => {
  assert.equal(Object.keys(api).sort(), [
    'CooError',
    'canonicalJson',
    'catalogue',
    'checkRepoPath',
    'createAmu0Baseline',
    'diff',
    'ensureValidRepoPath',
    'exitCodes',
    'initRepo',
    'isCooError',
    'isValidRepoPath',
    'log',
    'main',
    'openRepo',
    'promoteRunToAmu0',
    'restoreFromAmu0',
    'rollback',
    'runDemo',
    'show',
    'snapshot',
    'undo',
    'verify',
  ]);
});

test.run();
