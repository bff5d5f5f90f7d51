// coo's public API, by name, part by part (lib/layering.json lists the parts). Everything a user
// can do from the CLI, a program can do from here with the same result. A test pins this list;
// change it on purpose.

// core: errors, path rules, canonical JSON
export { CooError, isCooError } from './core/coo-error.js';
export { catalogue, exitCodes, type ErrorCode } from './core/catalogue.js';
export { checkRepoPath, ensureValidRepoPath, isValidRepoPath, type PathProblem } from './core/repo-path.js';
export {
  canonicalKey,
  checkGatewayPath,
  ensureValidGatewayPath,
  isValidGatewayPath,
  type GatewayPathProblem,
} from './core/gateway-path.js';
export { canonicalJson } from './core/canonical-json.js';

// store: the opened repository
export { openRepo, type Repo, type RepoOptions } from './store/repo.js';

// governance: policy, requests, hooks
export type { MissionScope, ScopeRule, Ceilings } from './governance/scope.js';
export { listRequests, type RequestStatus } from './governance/requests.js';
export { installHooks, uninstallHooks } from './governance/hooks.js';
export { guard, type GuardOptions } from './governance/guard.js';

// state: init, snapshot, undo, history, the human decision
export { initRepo, type InitOptions, type InitResult } from './state/init.js';
export { snapshot, type SnapshotOptions, type SnapshotResult } from './state/snapshot.js';
export { undo, type UndoOptions, type UndoResult } from './state/undo.js';
export { log, type LogOptions, type LogEntry } from './state/log.js';
export { show, type ShowOptions, type ShowResult } from './state/show.js';
export { diff, type DiffOptions, type DiffResult, type FileChange } from './state/diff.js';
export type { DecideOptions, DecideResult } from './state/decide.js';

// baseline: AMU0 and rollback
export { rollback, type RollbackOptions, type RollbackResult } from './baseline/rollback.js';
export {
  createAmu0Baseline,
  restoreFromAmu0,
  promoteRunToAmu0,
  type CreateBaselineOptions,
  type RestoreBaselineOptions,
  type RestoreBaselineResult,
  type PromoteOptions,
} from './baseline/baseline.js';
export { verify, type VerifyOptions, type VerifyReport } from './baseline/verify.js';

// gateway: the one write path, INDEX, the protected registry's requests
export { gatewayWrite, type GatewayWriteOptions, type GatewayResult } from './gateway/gateway.js';
export type { WriteOp } from './gateway/write-set.js';
export { indexCheck, indexFix, type IndexReport } from './gateway/index-check.js';
export { protectList, protectRequest, type ProtectRequestOptions } from './gateway/protect.js';
export { trustRequest, type TrustRequestOptions } from './gateway/trust.js';

// mission: documents, the workflow validator, runs
export { validateWorkflow, type WorkflowReport, type WorkflowViolation } from './mission/workflow.js';
export { loadMission, type Mission, type Step } from './mission/mission.js';
export { runMission, resumeRun, type RunMissionOptions } from './mission/runner.js';
export { listRuns, type RunId, type RunStatus } from './mission/run-state.js';
export { runReport, type RunReport } from './mission/report.js';
export { states as missionStates, events as missionEvents, transitions as missionTransitions } from './mission/fsm.js';

// determinism: the suite
export {
  checkDeterminism,
  type CheckOptions as DeterminismOptions,
  type DeterminismReport,
  type DeterminismResult,
  type Verdict,
} from './determinism/check.js';

// plan: work plans and the Tier-1 harness
export { loadPlan as loadWorkPlan, type LoadedPlan, type WorkPlan, type FixPack } from './plan/plan.js';
export { runPlan, planStatuses, type RunPlanOptions } from './plan/runner.js';
export type { PlanStatus, PackStatus, StageStatus } from './plan/status.js';
export { planStates, planEvents, planTransitions } from './plan/fsm.js';
export { runCheck, type CheckReport, type CheckItem, type CheckResult } from './plan/harness.js';

// cli: the command line, the demo, and the decision wired to what an approval carries out
export { decide } from './cli/approvals.js';
export { runDemo, type DemoOptions, type DemoResult } from './cli/demo.js';
export { main, type Io } from './cli/main.js';
