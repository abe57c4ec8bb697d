// How much Coro bills a key across the channel (issue 13): shown beside each service so new,
// unmapped keys are seen with their counts before anything is billed.
import type { KeyUse } from '../bindings/KeyUse';

/** "12 in 3 workspaces"; null when Coro was not seen billing it. */
export function inUseText(u: KeyUse | null): string | null {
  if (!u) return null;
  return `${u.count} in ${u.workspaces} workspace${u.workspaces === 1 ? '' : 's'}`;
}
