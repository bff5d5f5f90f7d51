// Named points where the crash tests kill coo with SIGKILL, to prove that a crash at any step
// leaves the state repository valid and the next command able to recover. Set
// COO_TEST_CRASH_AT=<point>[:<n>] to die the n-th time (default: first) the point is reached.
// Without the variable this is one string comparison per call.

const spec = process.env['COO_TEST_CRASH_AT'] ?? '';
const [target, nth] = spec.split(':');
const limit = nth === undefined ? 1 : Number(nth);
let hits = 0;

export function crashPoint(name: string): void {
  if (spec === '' || name !== target) return;
  hits += 1;
  if (hits === limit) process.kill(process.pid, 'SIGKILL');
}
