import type { SessionUsage } from '@polymux/contracts';

export type SessionCall = SessionUsage['calls'][number];

/** A call in its session's tree: how deep it is (a root is 0) and the calls it led to, by when they started. */
export interface ChainLink {
  call: SessionCall;
  depth: number;
  children: string[];
}

export interface SessionChain {
  /** Every call once, depth first: each call, then the calls it led to, siblings by when they started. */
  links: ChainLink[];
  /** The calls no other call of the session led to, by when they started. */
  roots: string[];
}

/**
 * A session's call tree from its calls (by when each started) and their parent request ids. A call
 * whose parent is not among them (a call outside the session, one that failed and was not charged,
 * or beyond the answer's limit) is a root that keeps its parent request id. Parents named in a loop
 * (only a caller inventing ids could) reach no root: each such call starts a tree of its own.
 */
export const sessionChain = (calls: readonly SessionCall[]): SessionChain => {
  const ids = new Set(calls.map((call) => call.requestId));
  const childrenOf = new Map<string, SessionCall[]>();
  const rootCalls: SessionCall[] = [];
  for (const call of calls) {
    const parent = call.parentRequestId;
    if (parent === null || parent === call.requestId || !ids.has(parent)) rootCalls.push(call);
    else childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), call]);
  }
  const links: ChainLink[] = [];
  const roots: string[] = [];
  const visited = new Set<string>();
  const walk = (root: SessionCall): void => {
    roots.push(root.requestId);
    // Iterative, so that a long agent run's chain cannot overflow the stack.
    const stack: Array<[SessionCall, number]> = [[root, 0]];
    for (let next = stack.pop(); next; next = stack.pop()) {
      const [call, depth] = next;
      if (visited.has(call.requestId)) continue;
      visited.add(call.requestId);
      const children = childrenOf.get(call.requestId) ?? [];
      links.push({ call, depth, children: children.map((child) => child.requestId) });
      for (const child of [...children].reverse()) stack.push([child, depth + 1]);
    }
  };
  for (const root of rootCalls) walk(root);
  for (const call of calls) if (!visited.has(call.requestId)) walk(call);
  return { links, roots };
};
