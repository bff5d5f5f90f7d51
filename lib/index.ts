// coo's public API, by name. Everything a user can do from the CLI, a program can do from here
// with the same result. A test pins this list; change it on purpose.

export { CooError, isCooError } from './core/coo-error.js';
export { catalogue, exitCodes, type ErrorCode } from './core/catalogue.js';
export { initRepo, type InitOptions, type InitResult } from './state/init.js';
export { openRepo, type Repo, type RepoOptions } from './store/repo.js';
export { snapshot, type SnapshotOptions, type SnapshotResult } from './state/snapshot.js';
export { rollback, type RollbackOptions, type RollbackResult } from './baseline/rollback.js';
export { undo, type UndoOptions, type UndoResult } from './state/undo.js';
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
export { log, type LogOptions, type LogEntry } from './state/log.js';
export { show, type ShowOptions, type ShowResult } from './state/show.js';
export { diff, type DiffOptions, type DiffResult, type FileChange } from './state/diff.js';
export { checkRepoPath, ensureValidRepoPath, isValidRepoPath, type PathProblem } from './core/repo-path.js';
export { canonicalKey, checkGatewayPath, ensureValidGatewayPath, isValidGatewayPath, type GatewayPathProblem } from './core/gateway-path.js';
export { gatewayWrite, type GatewayWriteOptions, type GatewayResult } from './gateway/gateway.js';
export type { WriteOp } from './gateway/write-set.js';
export { indexCheck, indexFix, type IndexReport } from './gateway/index-check.js';
export { protectList, protectRequest, type ProtectRequestOptions } from './gateway/protect.js';
export { decide } from './cli/approvals.js';
export type { DecideOptions, DecideResult } from './state/decide.js';
export { installHooks, uninstallHooks } from './governance/hooks.js';
export { guard, type GuardOptions } from './governance/guard.js';
export type { MissionScope, ScopeRule, Ceilings } from './governance/scope.js';
export { validateWorkflow, type WorkflowReport, type WorkflowViolation } from './mission/workflow.js';
export { loadMission, type Mission, type Step } from './mission/mission.js';
export { runMission, resumeRun, type RunMissionOptions } from './mission/runner.js';
export { listRuns, type RunId, type RunStatus } from './mission/run-state.js';
export { runReport, type RunReport } from './mission/report.js';
export { states as missionStates, events as missionEvents, transitions as missionTransitions } from './mission/fsm.js';
export { canonicalJson } from './core/canonical-json.js';
export { runDemo, type DemoOptions, type DemoResult } from './cli/demo.js';
export { main, type Io } from './cli/main.js';
export { checkDeterminism, type CheckOptions as DeterminismOptions, type DeterminismReport, type DeterminismResult, type Verdict } from './determinism/check.js';
export { listRequests, type RequestStatus } from './governance/requests.js';
export { loadPlan as loadWorkPlan, type LoadedPlan, type WorkPlan, type FixPack } from './plan/plan.js';
export { runPlan, planStatuses, type RunPlanOptions } from './plan/runner.js';
export type { PlanStatus, PackStatus, StageStatus } from './plan/status.js';
export { planStates, planEvents, planTransitions } from './plan/fsm.js';
export { runCheck, type CheckReport, type CheckItem, type CheckResult } from './plan/harness.js';
