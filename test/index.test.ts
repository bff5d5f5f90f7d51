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
    'checkDeterminism',
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
    'listRuns',
    'loadMission',
    'log',
    'main',
    'missionEvents',
    'missionStates',
    'missionTransitions',
    'openRepo',
    'promoteRunToAmu0',
    'protectList',
    'protectRequest',
    'restoreFromAmu0',
    'resumeRun',
    'rollback',
    'runDemo',
    'runMission',
    'runReport',
    'show',
    'snapshot',
    'undo',
    'uninstallHooks',
    'validateWorkflow',
    'verify',
  ]);
});

test.run();
