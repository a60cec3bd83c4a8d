/**
 * The dependency graph: shortest paths from the product to each component (what a buyer
 * reads: "product → libfoo → libbar (vulnerable)") and cycles. Both are iterative, so a
 * 100,000-deep chain or a graph full of cycles costs time linear in its size, never stack.
 */
import type { Sbom } from './model.js';

export interface DependencyPaths {
  /** Path from a root to `ref` (inclusive), or just [ref] when nothing reaches it. */
  pathTo(ref: string): string[];
}

/**
 * Breadth-first from the SBOM's root (or, with none, from every component nothing depends
 * on, and then from any still unvisited, which covers graphs that are one big cycle).
 */
export function dependencyPaths(sbom: Pick<Sbom, 'root' | 'components' | 'dependencies'>): DependencyPaths {
  const parent = new Map<string, string | null>();
  const bfs = (starts: string[]): void => {
    const queue: string[] = [];
    for (const s of starts) if (!parent.has(s)) { parent.set(s, null); queue.push(s); }
    for (let head = 0; head < queue.length; head++) {
      const cur = queue[head];
      for (const next of sbom.dependencies.get(cur) ?? []) {
        if (!parent.has(next)) { parent.set(next, cur); queue.push(next); }
      }
    }
  };
  if (sbom.root) bfs([sbom.root]);
  const hasIncoming = new Set<string>();
  for (const tos of sbom.dependencies.values()) for (const t of tos) hasIncoming.add(t);
  bfs(sbom.components.map((c) => c.ref).filter((r) => !hasIncoming.has(r)));
  for (const c of sbom.components) if (!parent.has(c.ref)) bfs([c.ref]);
  return {
    pathTo(ref) {
      const path: string[] = [];
      for (let cur: string | null | undefined = ref; cur != null; cur = parent.get(cur)) {
        path.push(cur);
        if (path.length > parent.size + 1) break; // cannot happen with BFS parents; guards the loop anyway
      }
      return path.reverse();
    },
  };
}

/** Strongly connected components with more than one member, or a self-edge: the cycles. Tarjan, iterative. */
export function findCycles(dependencies: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const start of dependencies.keys()) {
    if (index.has(start)) continue;
    const work: { v: string; i: number }[] = [{ v: start, i: 0 }];
    index.set(start, counter); low.set(start, counter); counter++;
    stack.push(start); onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const edges = dependencies.get(frame.v) ?? [];
      if (frame.i < edges.length) {
        const w = edges[frame.i++];
        if (!index.has(w)) {
          index.set(w, counter); low.set(w, counter); counter++;
          stack.push(w); onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.v, Math.min(low.get(frame.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const up = work[work.length - 1].v;
        low.set(up, Math.min(low.get(up)!, low.get(frame.v)!));
      }
      if (low.get(frame.v) === index.get(frame.v)) {
        const scc: string[] = [];
        let w: string;
        do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== frame.v);
        if (scc.length > 1 || edges.includes(frame.v)) cycles.push(scc.reverse());
      }
    }
  }
  return cycles;
}
