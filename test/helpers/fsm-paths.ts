/** The shortest event path from the initial state to every state of a transition table (breadth first). */
export function shortestPaths<S extends string, E extends string>(
  table: Readonly<Record<S, Partial<Record<E, S>>>>,
  initial: S,
): Map<S, E[]> {
  const paths = new Map<S, E[]>([[initial, []]]);
  const queue: S[] = [initial];
  while (queue.length > 0) {
    const state = queue.shift() as S;
    for (const [event, to] of Object.entries(table[state]) as [E, S][]) {
      if (!paths.has(to)) {
        paths.set(to, [...(paths.get(state) as E[]), event]);
        queue.push(to);
      }
    }
  }
  return paths;
}
