import type { CooError } from '../core/coo-error.js';
import type { Repo } from '../store/repo.js';
import { checkSignature } from '../baseline/verify-baseline.js';
import { signersInForce } from '../governance/trusted-signers.js';
import { readCommit } from '../store/rev-parse.js';
import type { LoadedPlan } from './plan.js';
import type { BaselineMark, PackStatus, PlanStatus, StageStatus } from './status.js';

// A stage's report (the plan's Tier1_Hardening_Completion_Report, its Enhancement Log): what ran,
// every check's result, the hashes, and who signed each baseline, rendered as Markdown from the
// plan's recorded status only. It holds no clock reading, so writing it again after a crash gives
// the same bytes.

const code = (s: string): string => `\`${s.replace(/`/gu, "'")}\``;

async function signerOf(repo: Repo, commit: string): Promise<string> {
  try {
    const signer = checkSignature(await readCommit(repo.layout.gitdir, commit), (await signersInForce(repo)).signers);
    return `signed by ${signer.principals.join(', ')} (${signer.key})`;
  } catch (err) {
    return `signature NOT verified: ${(err as CooError).code ?? 'error'}: ${(err as Error).message}`;
  }
}

async function baselineLine(repo: Repo, mark: BaselineMark): Promise<string> {
  return `${code(mark.name)}: amu0 #${mark.sequence}, commit ${code(mark.commit)}, tree ${code(mark.tree)}, ${await signerOf(repo, mark.commit)}`;
}

async function packSection(repo: Repo, loaded: LoadedPlan, pack: PackStatus, n: number): Promise<string[]> {
  const doc = loaded.packs.get(pack.id);
  const lines = [
    `### ${n}. ${pack.id} — ${pack.title}: ${pack.state === 'passed' ? 'passed' : pack.state === 'failed' ? 'FAILED' : pack.state}`,
    '',
  ];
  if (doc?.owner) lines.push(`Owner: ${doc.owner}${doc.contributor ? `; contributor: ${doc.contributor}` : ''}.`, '');
  if (doc?.criteria?.length) lines.push('Acceptance criteria:', ...doc.criteria.map((c) => `- ${c}`), '');
  lines.push(`- started from amu0 ${code(pack.start ?? '-')}`);
  if (pack.missions.length === 0) lines.push('- missions: none (the pack is checked by its acceptance commands)');
  for (const m of pack.missions)
    lines.push(
      `- mission ${code(m.mission)} ran as ${code(m.run)} from ${code(m.from)}: tree ${code(m.tree)}, ${m.changes} changed path(s), applied through the gateway`,
    );
  for (const a of pack.acceptance) {
    const result =
      a.passed === a.repeat
        ? `passed ${a.passed} of ${a.repeat}`
        : `FAILED after ${a.passed} of ${a.repeat} (exit ${a.exitCode ?? 'none'}${a.timedOut ? ', timed out' : ''}${a.changedTree ? ', changed the working tree' : ''})`;
    lines.push(`- acceptance ${code(a.id)}: ${code(a.run)}: ${result}`);
  }
  for (const d of pack.determinism) {
    lines.push(
      `- determinism ${code(d.mission)}: ${d.verdict} over ${d.runs} runs (record ${code(d.commit)})${d.verdict === 'reproducible' ? (d.matchesRun ? ', the same tree as the applied run' : ', NOT the tree of the applied run') : ''}`,
    );
  }
  if (pack.operations.length > 0) {
    const failed = pack.operations.filter((c) => c.status !== 'pass');
    lines.push(
      `- determinism of coo's own operations on the result (two scratch roots, pinned clock): ${failed.length === 0 ? `${pack.operations.length} check(s) passed` : `FAILED: ${failed.map((c) => c.summary).join('; ')}`}`,
    );
  }
  if (pack.rollback) {
    const r = pack.rollback;
    lines.push(
      `- AMU0 rollback check: ${r.ok ? 'byte-identical' : 'DIFFERENCE'}: restored ${code(r.baseline.commit)} and read back tree ${code(r.restored.tree)} (baseline tree ${code(r.baseline.tree)}, manifest ${code(r.restored.manifest)}); returned to ${code(r.result.commit)} and read back tree ${code(r.returned.tree)} (manifest ${code(r.returned.manifest)})`,
    );
  }
  if (pack.baseline) lines.push(`- baseline ${await baselineLine(repo, pack.baseline)}`);
  if (pack.failure) {
    const f = pack.failure;
    lines.push(`- FAILED at ${f.check}${f.code ? ` (${f.code})` : ''}: ${f.reason}`);
    lines.push(
      f.restored
        ? `- the working tree was put back to amu0 ${code(f.restored.baseline)} (tree ${code(f.restored.tree)}); what the pack left is kept in safety snapshot ${code(f.restored.safety)}`
        : '- the working tree could NOT be put back to amu0: see the reason above',
    );
  }
  lines.push('');
  return lines;
}

/** What the passing packs did, counted from the record (nothing claimed that did not run). */
function tally(packs: readonly PackStatus[]): string {
  const missions = packs.reduce((n, p) => n + p.missions.length, 0);
  const acceptance = packs.reduce((n, p) => n + p.acceptance.length, 0);
  const determinism = packs.reduce((n, p) => n + p.determinism.length, 0);
  const rollbacks = packs.filter((p) => p.rollback?.ok).length;
  return [
    `${missions} mission(s) applied through the gateway`,
    `${acceptance} acceptance command(s) passed`,
    `${determinism} mission(s) reproducible under the determinism suite`,
    `coo's own operations deterministic on every result`,
    `${rollbacks} AMU0 rollback check(s) byte-identical`,
  ].join(', ');
}

export async function renderStageReport(
  repo: Repo,
  loaded: LoadedPlan,
  status: PlanStatus,
  stage: StageStatus,
): Promise<string> {
  const doc = loaded.stages.find((s) => s.id === stage.id);
  const passed = stage.packs.filter((p) => p.state === 'passed');
  const failed = stage.packs.filter((p) => p.state === 'failed');
  const lines = [
    `# ${stage.title}: report`,
    '',
    `Plan ${code(status.plan)}, "${loaded.plan.title}", attempt ${status.attempt} (${code(status.name)} in .coo/state.git). This report was written by coo through its write gateway, from the plan's recorded state; every id below can be checked with plain git.`,
    '',
    '| | |',
    '| --- | --- |',
    `| plan documents | tree ${code(status.documents)} |`,
    `| plan approved | ${status.approval ? `request ${status.approval.request}, decision ${code(status.approval.commit ?? '-')}` : '-'} |`,
    `| G1 baseline | ${status.g1 ? await baselineLine(repo, status.g1) : '-'} |`,
    `| stage | ${code(stage.id)}, packs in ${stage.order === 'exact' ? 'this exact order, stopping at the first failure' : 'any order, each on its own'} |`,
    '',
    '## Verdict',
    '',
    failed.length === 0
      ? `All ${passed.length} pack(s) passed: ${tally(stage.packs)}.`
      : `${failed.length} of ${stage.packs.length} pack(s) FAILED: ${failed.map((p) => `${p.id} (${p.failure?.check})`).join(', ')}. Failed packs were rolled back; the others passed.`,
    '',
  ];
  if (doc?.goal) lines.push(`Goal: ${doc.goal}`, '');
  if (doc?.completion.length) lines.push('## Completion conditions', '', ...doc.completion.map((c) => `- ${c}`), '');
  lines.push('## Packs', '');
  for (const [i, pack] of stage.packs.entries()) lines.push(...(await packSection(repo, loaded, pack, i + 1)));
  lines.push(
    '## Checking this report',
    '',
    '```',
    `git --git-dir=.coo/state.git log --oneline ${status.name}`,
    `git --git-dir=.coo/state.git -c gpg.ssh.allowedSignersFile=.coo/allowed_signers verify-commit ${status.g1?.commit ?? 'amu0'}`,
    `coo plan status ${status.plan}`,
    '```',
    '',
  );
  if (stage.humanGate) {
    lines.push(
      '## Decision',
      '',
      'coo now waits for a person: `coo plan status` names the request; `coo approve R-n` goes on with the next stage, `coo veto R-n` ends the plan here.',
      '',
    );
  }
  return lines.join('\n');
}
