import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as api from '../lib/index.js';

const test = suite('public API');

test('lib/index.ts exports exactly this list', () => {
  assert.equal(Object.keys(api).sort(), [
    'CooError',
    'canonicalJson',
    'canonicalKey',
    'catalogue',
    'checkGatewayPath',
    'checkRepoPath',
    'createAmu0Baseline',
    'decide',
    'diff',
    'ensureValidGatewayPath',
    'ensureValidRepoPath',
    'exitCodes',
    'gatewayWrite',
    'guard',
    'indexCheck',
    'indexFix',
    'initRepo',
    'installHooks',
    'isCooError',
    'isValidGatewayPath',
    'isValidRepoPath',
    'log',
    'main',
    'openRepo',
    'promoteRunToAmu0',
    'protectList',
    'protectRequest',
    'restoreFromAmu0',
    'rollback',
    'runDemo',
    'show',
    'snapshot',
    'undo',
    'uninstallHooks',
    'verify',
  ]);
});

test.run();
