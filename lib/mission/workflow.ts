import type { Mission } from './mission.js';

// The anti-failure workflow validator (FP-3.7): at most 5 steps, at most 2 human steps, and no
// routine human operation. A person judges (approve, veto, decide, review); anything a command
// can do (copy, move, rename, edit, test, build, deploy, update an INDEX, commit, merge) is routine,
// whether the step declares it as its action or its prompt asks for it. Pure: a mission in, a
// report (schemas/workflow-report.schema.json) out; every routine step comes with the command step
// that would replace it.

export const limits = { steps: 5, humanSteps: 2 } as const;
export const judgingActions = ['approve', 'veto', 'decide', 'review'] as const;

export type WorkflowRule =
  | 'max-steps'
  | 'max-human-steps'
  | 'routine-human-step'
  | 'human-action'
  | 'step-kind-not-allowed'
  | 'duplicate-step-id';

export interface WorkflowViolation {
  readonly rule: WorkflowRule;
  readonly step: number | null;
  readonly why: string;
  readonly evidence?: string;
  readonly suggestion?: { readonly kind: 'command'; readonly run: string; readonly why: string };
}

export interface WorkflowReport {
  readonly version: 1;
  readonly mission: string;
  readonly valid: boolean;
  readonly steps: number;
  readonly humanSteps: number;
  readonly violations: readonly WorkflowViolation[];
}

interface RoutineWork {
  readonly name: string;
  /** Words (verbs a clause starts with) that ask for this work. */
  readonly verbs: RegExp;
  readonly run: string;
}

// Each kind of routine work, the verbs that ask for it, and the command step that does it instead.
const routine: readonly RoutineWork[] = [
  { name: 'copy', verbs: /^(copy|copies|duplicate|clone)\b/u, run: 'cp SOURCE DESTINATION' },
  { name: 'move', verbs: /^(move|moves|mv|relocate)\b/u, run: 'mv SOURCE DESTINATION' },
  { name: 'rename', verbs: /^(rename|renames)\b/u, run: 'mv OLD_NAME NEW_NAME' },
  {
    name: 'edit',
    verbs:
      /^(edit|edits|modify|change|update|fix|rewrite|write|type|fill in|add|remove|delete|replace|correct|adjust)\b/u,
    run: 'a script that makes the edit (it goes through the gateway like any step)',
  },
  {
    name: 'run tests',
    verbs:
      /^(run|execute|rerun)\s+(the\s+|all\s+)?(unit\s+|integration\s+)?(tests?|test suite|specs?|checks?)\b|^test\b/u,
    run: 'npm test',
  },
  { name: 'build', verbs: /^(build|compile|bundle|package|rebuild)\b/u, run: 'npm run build' },
  {
    name: 'deploy',
    verbs: /^(deploy|release|publish|ship|upload|push)\b/u,
    run: 'the deploy command, as a command step',
  },
  {
    name: 'update an INDEX',
    verbs: /^(update|regenerate|refresh|reconcile|sync)\s+(the\s+)?index\b/u,
    run: 'coo index fix',
  },
  { name: 'commit', verbs: /^(commit|check in|snapshot)\b/u, run: 'coo snapshot -m MESSAGE' },
  { name: 'merge', verbs: /^(merge|rebase|cherry-pick)\b/u, run: 'git merge BRANCH' },
];

// Declared actions map to the same kinds of work (normalised: lower case, no punctuation).
function routineForAction(action: string): RoutineWork | null {
  const words = action.toLowerCase().replace(/[-_]+/gu, ' ').trim();
  const specific = routine.filter((r) => r.name !== 'edit').find((r) => r.verbs.test(words) || words === r.name);
  return (
    specific ??
    (routine.find((r) => r.name === 'edit')?.verbs.test(words)
      ? (routine.find((r) => r.name === 'edit') as RoutineWork)
      : null)
  );
}

/** The clauses of a prompt that ask a person to do something, with lead-ins removed. */
export function requestedClauses(text: string): string[] {
  return text
    .toLowerCase()
    .split(/(?:[.;!?\n]|,?\s+(?:and\s+)?then\s+|,\s+and\s+|\s+and\s+(?=(?:please\s+)?[a-z]+\s))/u)
    .map((clause) =>
      clause
        .trim()
        .replace(
          /^(?:(?:please|now|first|next|finally|also|kindly|manually|then)\s+|(?:you|the (?:human|reviewer|operator|person))\s+(?:must|should|need to|needs to|have to|has to|will)\s+|(?:go and|make sure to|be sure to|remember to)\s+)+/u,
          '',
        ),
    )
    .filter((clause) => clause.length > 0);
}

function routineInText(text: string): { work: RoutineWork; clause: string } | null {
  for (const clause of requestedClauses(text)) {
    if (judgingActions.some((verb) => clause.startsWith(verb))) continue;
    const specific = routine.filter((r) => r.name !== 'edit').find((r) => r.verbs.test(clause));
    const work = specific ?? routine.find((r) => r.name === 'edit' && r.verbs.test(clause));
    if (work) return { work, clause };
  }
  return null;
}

function suggestion(work: RoutineWork): WorkflowViolation['suggestion'] {
  return {
    kind: 'command',
    run: work.run,
    why: `${work.name} is work a command does the same way every time; a person only judges its result`,
  };
}

export function validateWorkflow(mission: Mission): WorkflowReport {
  const violations: WorkflowViolation[] = [];
  const steps = mission.steps;
  const human = steps.map((s, i) => [s, i] as const).filter(([s]) => s.kind === 'human');
  if (steps.length > limits.steps) {
    violations.push({
      rule: 'max-steps',
      step: null,
      why: `${steps.length} steps; a mission has at most ${limits.steps}`,
    });
  }
  if (human.length > limits.humanSteps) {
    violations.push({
      rule: 'max-human-steps',
      step: null,
      why: `${human.length} human steps; a mission has at most ${limits.humanSteps}`,
    });
  }
  const kinds = mission.scope.stepKinds;
  const ids = new Set<string>();
  steps.forEach((step, index) => {
    if (kinds && !kinds.includes(step.kind))
      violations.push({
        rule: 'step-kind-not-allowed',
        step: index,
        why: `the mission's scope does not allow ${step.kind} steps`,
      });
    if (step.id !== undefined) {
      if (ids.has(step.id))
        violations.push({ rule: 'duplicate-step-id', step: index, why: `step id ${step.id} is used twice` });
      ids.add(step.id);
    }
  });
  for (const [step, index] of human) {
    if (step.kind !== 'human') continue;
    const action = step.action.toLowerCase().trim();
    const declared = routineForAction(action);
    if (declared) {
      violations.push({
        rule: 'routine-human-step',
        step: index,
        why: `the declared action "${step.action}" is routine work (${declared.name})`,
        evidence: step.action,
        suggestion: suggestion(declared),
      });
      continue;
    }
    if (!(judgingActions as readonly string[]).includes(action)) {
      violations.push({
        rule: 'human-action',
        step: index,
        why: `a human step may only ${judgingActions.join(', ')}; "${step.action}" is none of them`,
        evidence: step.action,
      });
      continue;
    }
    const asked = routineInText(`${step.title ?? ''}. ${step.prompt}`);
    if (asked) {
      violations.push({
        rule: 'routine-human-step',
        step: index,
        why: `the step asks a person to ${asked.work.name} ("${asked.clause}")`,
        evidence: asked.clause,
        suggestion: suggestion(asked.work),
      });
    }
  }
  return {
    version: 1,
    mission: mission.id,
    valid: violations.length === 0,
    steps: steps.length,
    humanSteps: human.length,
    violations,
  };
}
