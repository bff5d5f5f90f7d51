import { readFileSync, rmSync, readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { CooError } from '../core/coo-error.js';
import { readFlatTree, type FileRecord } from '../store/flat-tree.js';
import { cooDirName, privateCooEntries } from '../store/layout.js';
import { readRef } from '../store/refs.js';
import { readCommit } from '../store/rev-parse.js';
import { computeManifestCid } from '../store/tree-manifest.js';
import { compareUtf8 } from '../core/compare-utf8.js';
import type { CapturedFile } from '../worktree/capture.js';
import { captureNow } from '../worktree/capture-now.js';
import { openRepo, type Repo, type RepoOptions } from '../store/repo.js';
import { amu0Ref } from '../baseline/sequence.js';
import { verifyBaseline } from '../baseline/verify-baseline.js';
import { findTampering } from '../governance/protected.js';
import { pinsOfCapture, registryOf } from '../governance/governance.js';
import { indexDrift } from '../gateway/index-check.js';
import { hookNames, missingHooks } from '../governance/hooks.js';
import { loadMission } from '../mission/mission.js';
import { validateWorkflow } from '../mission/workflow.js';
import { schemaProblems } from '../core/schemas.js';
import { documentLimits } from '../core/json-document.js';
import { parseStrictJson } from '../core/strict-json.js';
import { freshCapture, materialise, operationItems } from '../determinism/operations.js';
import { loadPlan } from './plan.js';

// `coo check`: the Tier-1 suite on one repository, as one deterministic command.
//   determinism of coo's own operations: the repository's baseline (or its working tree) copied
//     into two scratch roots at different paths, the same operations run in both with a pinned
//     clock and one key (snapshot, signed baseline, change, snapshot, rollback, undo): every tree
//     and commit id must be the same in both, and every rollback byte-identical;
//   AMU0: the baseline verified (signature, trust, manifest, lineage) and materialised into a
//     scratch root, read back byte for byte against its tree and manifest;
//   INDEX coherence of every governed directory;
//   governance: coo's own files and the protected artefacts against their pins (the tripwire),
//     the git hooks that stop commits of protected paths;
//   workflows: every mission, fix pack and work plan under .coo/, schema and workflow rules.
// It moves no ref and changes no file of the working tree: the scratch roots live under .coo/work
// and are removed (with no baseline yet, the working tree's blobs are stored to be copied from).
// The report holds no time and no absolute path, so the same repository gives the same report.

export type ItemStatus = 'pass' | 'fail' | 'skip';

export interface CheckItem {
  readonly id: string;
  readonly area: 'determinism' | 'amu0' | 'index' | 'governance' | 'workflows';
  readonly status: ItemStatus;
  readonly summary: string;
  readonly data: Record<string, unknown>;
}

export interface CheckReport {
  readonly version: 1;
  readonly verdict: 'pass' | 'fail';
  readonly summary: string;
  readonly counts: { readonly pass: number; readonly fail: number; readonly skip: number };
  readonly items: readonly CheckItem[];
}

export interface CheckResult {
  readonly report: CheckReport;
  readonly volatile: { readonly ms: number; readonly host: string };
}

const outsideCoo = (f: FileRecord): boolean => f.path !== cooDirName && !f.path.startsWith(`${cooDirName}/`);

function item(
  id: string,
  area: CheckItem['area'],
  status: ItemStatus,
  summary: string,
  data: Record<string, unknown> = {},
): CheckItem {
  return { id, area, status, summary, data };
}

function failure(err: unknown): { code: string; message: string } {
  const e = err as CooError;
  return { code: e.code ?? 'E_INTERNAL', message: e.message };
}

async function determinismItems(repo: Repo, scratch: string): Promise<CheckItem[]> {
  const { gitdir } = repo.layout;
  const amu0 = readRef(gitdir, amu0Ref);
  if (amu0)
    return operationItems(
      repo,
      scratch,
      (await readFlatTree(gitdir, (await readCommit(gitdir, amu0)).tree)).files,
      'amu0',
    );
  // No baseline yet: the working tree as it is (its blobs stored, to be copied from).
  const capture = await captureNow(repo, { store: true, asSnapshot: true });
  return operationItems(repo, scratch, capture.files, 'the working tree');
}

/**
 * Determinism of coo's own operations on a set of files (whose blobs the state repository holds):
 * the same operations in two scratch roots, compared id for id.
 */
async function amu0Items(repo: Repo, scratch: string): Promise<CheckItem[]> {
  const { gitdir } = repo.layout;
  const amu0 = readRef(gitdir, amu0Ref);
  if (!amu0)
    return [
      item(
        'amu0.baseline',
        'amu0',
        'fail',
        'there is no amu0 baseline: nothing to roll back to (`coo baseline create NAME`)',
        {},
      ),
    ];
  const out: CheckItem[] = [];
  try {
    const v = await verifyBaseline(repo, amu0, { current: true });
    out.push(
      item(
        'amu0.verify',
        'amu0',
        'pass',
        `amu0 #${v.sequence} ${v.commit.slice(0, 12)}: signed by ${v.signer.principals.join(', ')}, lineage of ${v.lineage} checked, manifest matches`,
        { commit: v.commit, sequence: v.sequence, manifest: v.manifest },
      ),
    );
  } catch (err) {
    out.push(
      item(
        'amu0.verify',
        'amu0',
        'fail',
        `amu0 does not verify: ${failure(err).code}: ${failure(err).message}`,
        failure(err),
      ),
    );
  }
  const commit = await readCommit(gitdir, amu0);
  const files = (await readFlatTree(gitdir, commit.tree)).files.filter(outsideCoo);
  const root = join(scratch, 'restore');
  await materialise(gitdir, files, root, join(scratch, 'restore-tmp'));
  const back = await freshCapture(root, gitdir, scratch);
  const expected = await computeManifestCid(gitdir, files);
  const byteIdentical =
    back.manifest === expected &&
    back.files.length === files.length &&
    back.files.every((f, i) => f.oid === files[i]?.oid && f.mode === files[i]?.mode && f.path === files[i]?.path);
  out.push(
    item(
      'amu0.rollback',
      'amu0',
      byteIdentical ? 'pass' : 'fail',
      byteIdentical
        ? `amu0 restored into a scratch root reads back byte for byte: ${files.length} file(s), manifest ${expected}`
        : 'amu0 restored into a scratch root does not read back as its tree',
      { commit: amu0, files: files.length, manifest: expected, readBack: back.manifest },
    ),
  );
  return out;
}

function indexItems(repo: Repo, files: readonly CapturedFile[]): CheckItem[] {
  if (repo.config.governed.length === 0)
    return [item('index', 'index', 'skip', 'no governed directories in .coo/config.json, so no INDEX to keep')];
  const report = indexDrift(repo, files);
  const drift = report.dirs.flatMap((d) => d.drift.map((x) => `${d.dir}/${x.file}: ${x.kind}`));
  return [
    item(
      'index',
      'index',
      report.clean ? 'pass' : 'fail',
      report.clean
        ? `${report.dirs.length} governed director(ies), every INDEX in sync`
        : `INDEX drift: ${drift.slice(0, 5).join('; ')} (\`coo index fix\`)`,
      { dirs: report.dirs.map((d) => d.dir), drift },
    ),
  ];
}

async function governanceItems(repo: Repo, capture: { files: readonly CapturedFile[] }): Promise<CheckItem[]> {
  const { root } = repo.layout;
  const registry = await registryOf(repo);
  const findings = findTampering(registry, pinsOfCapture(capture.files));
  const own = findings.filter((f) => f.path.startsWith(`${cooDirName}/`));
  const artefacts = findings.filter((f) => !f.path.startsWith(`${cooDirName}/`));
  const protectedCount = repo.config.protected.length;
  const items = [
    item(
      'governance.coo-files',
      'governance',
      own.length === 0 ? 'pass' : 'fail',
      own.length === 0
        ? "coo's own files (.coo/config.json, allowed_signers, …) match their pins"
        : `${own.length} of coo's own file(s) changed outside coo, first ${own[0]?.path} (\`coo protect accept\` after review)`,
      { findings: own },
    ),
    item(
      'governance.protected',
      'governance',
      artefacts.length === 0 ? (protectedCount === 0 ? 'skip' : 'pass') : 'fail',
      artefacts.length > 0
        ? `${artefacts.length} protected artefact(s) changed outside coo, first ${artefacts[0]?.path}`
        : protectedCount === 0
          ? 'the protected registry is empty (`coo protect add PATTERN`)'
          : `${protectedCount} registry entr(ies); every protected artefact matches its pin`,
      { entries: protectedCount, findings: artefacts },
    ),
  ];
  let hooks: CheckItem;
  try {
    const missing = missingHooks({ cwd: root, env: repo.env });
    hooks =
      missing.length === 0
        ? item('governance.hooks', 'governance', 'pass', `git hooks ${hookNames.join(' and ')} call \`coo guard\``, {
            missing,
          })
        : item(
            'governance.hooks',
            'governance',
            protectedCount === 0 ? 'skip' : 'fail',
            `git hook(s) ${missing.join(', ')} not installed: a git commit could carry a protected path (\`coo hooks install\`)`,
            { missing },
          );
  } catch (err) {
    hooks = item(
      'governance.hooks',
      'governance',
      'skip',
      `not a git work tree, so no git hooks: ${failure(err).message}`,
      {},
    );
  }
  items.push(hooks);
  return items;
}

function documentsUnder(dir: string, rel = ''): string[] {
  const out: string[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => compareUtf8(a.name, b.name));
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (!rel && (privateCooEntries as readonly string[]).includes(entry.name)) continue;
    if (entry.isDirectory()) out.push(...documentsUnder(dir, path));
    else if (entry.isFile() && entry.name.endsWith('.json') && path !== 'config.json') out.push(path);
  }
  return out;
}

async function workflowItems(repo: Repo): Promise<CheckItem[]> {
  const cooDir = join(repo.layout.root, cooDirName);
  const docs = documentsUnder(cooDir);
  if (docs.length === 0) return [item('workflows', 'workflows', 'skip', 'no missions, packs or plans under .coo/')];
  const out: CheckItem[] = [];
  for (const rel of docs) {
    const path = join(cooDir, rel);
    const id = `workflows:.coo/${rel}`;
    let doc: Record<string, unknown>;
    try {
      const parsed = parseStrictJson(readFileSync(path, 'utf8'), { maxDepth: documentLimits.maxDepth });
      if ('problem' in parsed) {
        const { line, column, reason, kind } = parsed.problem;
        out.push(
          item(id, 'workflows', 'fail', `${line}:${column}: ${kind === 'syntax' ? 'not valid JSON: ' : ''}${reason}`),
        );
        continue;
      }
      if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
        out.push(item(id, 'workflows', 'skip', 'not a mission, fix pack or work plan'));
        continue;
      }
      doc = parsed.value as Record<string, unknown>;
    } catch (err) {
      out.push(item(id, 'workflows', 'fail', `cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`));
      continue;
    }
    try {
      if ('stages' in doc) {
        const plan = await loadPlan(path, repo.layout.root);
        const missions = [...plan.missions.values()].reduce((n, l) => n + l.length, 0);
        out.push(
          item(
            id,
            'workflows',
            'pass',
            `work plan ${plan.plan.id}: ${plan.stages.length} stage(s), ${plan.packs.size} pack(s), ${missions} mission(s), all valid`,
          ),
        );
      } else if ('acceptance' in doc) {
        const first = (await schemaProblems('fix-pack', doc))[0];
        out.push(
          first
            ? item(id, 'workflows', 'fail', `fix pack: at ${first.pointer || '/'}: expected ${first.expected}`)
            : item(id, 'workflows', 'pass', `fix pack ${String(doc['id'])}: valid`),
        );
      } else if ('steps' in doc) {
        const report = validateWorkflow(await loadMission(path));
        out.push(
          item(
            id,
            'workflows',
            report.valid ? 'pass' : 'fail',
            report.valid
              ? `mission ${report.mission}: ${report.steps} step(s), ${report.humanSteps} human, valid`
              : `mission ${report.mission}: ${report.violations.map((v) => v.why).join('; ')}`,
            { violations: report.violations },
          ),
        );
      } else {
        out.push(item(id, 'workflows', 'skip', 'not a mission, fix pack or work plan'));
      }
    } catch (err) {
      out.push(
        item(
          id,
          'workflows',
          'fail',
          `${failure(err).code}: ${failure(err).message.split(repo.layout.root).join('<root>')}`,
        ),
      );
    }
  }
  return out;
}

export async function runCheck(options: RepoOptions = {}): Promise<CheckResult> {
  const started = Date.now();
  const repo = await openRepo(options);
  const scratch = join(repo.layout.workDir, `check-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  try {
    const capture = await captureNow(repo);
    const items = [
      ...(await determinismItems(repo, join(scratch, 'ops'))),
      ...(await amu0Items(repo, scratch)),
      ...indexItems(repo, capture.files),
      ...(await governanceItems(repo, capture)),
      ...(await workflowItems(repo)),
    ];
    const counts = { pass: 0, fail: 0, skip: 0 };
    for (const i of items) counts[i.status] += 1;
    const verdict = counts.fail === 0 ? 'pass' : 'fail';
    const failed = items.filter((i) => i.status === 'fail').map((i) => i.id);
    const summary =
      verdict === 'pass'
        ? `Tier-1 checks pass: ${counts.pass} passed, ${counts.skip} not applicable`
        : `Tier-1 checks FAIL: ${failed.join(', ')}`;
    return {
      report: { version: 1, verdict, summary, counts, items },
      volatile: { ms: Date.now() - started, host: hostname() },
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
