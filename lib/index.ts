// coo's public API, by name. Everything a user can do from the CLI, a program can do from here
// with the same result. A test pins this list; change it on purpose.

export { CooError, isCooError } from './errors/coo-error.js';
export { catalogue, exitCodes, type ErrorCode } from './errors/catalogue.js';
export { initRepo, type InitOptions, type InitResult } from './repo/init.js';
export { openRepo, type Repo, type RepoOptions } from './repo/repo.js';
export { snapshot, type SnapshotOptions, type SnapshotResult } from './snapshot/snapshot.js';
export { rollback, undo, type RollbackOptions, type RollbackResult, type UndoOptions } from './snapshot/rollback.js';
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
export { log, type LogOptions, type LogEntry } from './history/log.js';
export { show, type ShowOptions, type ShowResult } from './history/show.js';
export { diff, type DiffOptions, type DiffResult, type FileChange } from './history/diff.js';
export { checkRepoPath, ensureValidRepoPath, isValidRepoPath, type PathProblem } from './paths/repo-path.js';
export { canonicalKey, checkGatewayPath, ensureValidGatewayPath, isValidGatewayPath, type GatewayPathProblem } from './paths/gateway-path.js';
export { gatewayWrite, type GatewayWriteOptions, type GatewayResult } from './gateway/gateway.js';
export type { WriteOp } from './gateway/write-set.js';
export { indexCheck, indexFix, type IndexReport } from './gateway/index-check.js';
export { protectList, protectRequest, type ProtectRequestOptions } from './approvals/protect.js';
export { decide, type DecideOptions, type DecideResult } from './approvals/decide.js';
export { installHooks, uninstallHooks } from './hooks/hooks.js';
export { guard, type GuardOptions } from './hooks/guard.js';
export type { MissionScope, ScopeRule, Ceilings } from './governance/scope.js';
export { validateWorkflow, type WorkflowReport, type WorkflowViolation } from './missions/workflow.js';
export { loadMission, type Mission, type Step } from './missions/mission.js';
export { runMission, resumeRun, type RunMissionOptions } from './missions/runner.js';
export { listRuns, type RunId, type RunStatus } from './missions/run-state.js';
export { runReport, type RunReport } from './missions/report.js';
export { states as missionStates, events as missionEvents, transitions as missionTransitions } from './missions/fsm.js';
export { canonicalJson } from './util/canonical-json.js';
export { runDemo, type DemoOptions, type DemoResult } from './demo/demo.js';
export { main, type Io } from './cli/main.js';
export { checkDeterminism, type CheckOptions as DeterminismOptions, type DeterminismReport, type DeterminismResult, type Verdict } from './determinism/check.js';
export { listRequests, type RequestStatus } from './approvals/requests.js';
export { loadPlan as loadWorkPlan, type LoadedPlan, type WorkPlan, type FixPack } from './plans/plan.js';
export { runPlan, planStatuses, type RunPlanOptions } from './plans/runner.js';
export type { PlanStatus, PackStatus, StageStatus } from './plans/status.js';
export { planStates, planEvents, planTransitions } from './plans/fsm.js';
export { runCheck, type CheckReport, type CheckItem, type CheckResult } from './check/harness.js';
