import { describe, expect, it } from 'vitest';
import type { PlanItem } from '../../ipc/types';
import { approvedKeys, counts, decideAll, keyOf } from './decisions';

const item = (ws: string, svc: string): PlanItem =>
  ({ workspace_id: ws, service_key: svc, action: 'hold' }) as unknown as PlanItem;

describe('held-change decisions', () => {
  const items = [item('a', 'edr'), item('b', 'edr'), item('b', 'email')];
  it('needs every item decided, then sends only the approved', () => {
    const some = { [keyOf(items[0]!)]: 'approve' as const };
    expect(counts(items, some)).toEqual({ approved: 1, rejected: 0, open: 2 });
    expect(approvedKeys(items, some)).toBeNull();
    const all = { ...decideAll(items, 'reject'), ...some };
    expect(approvedKeys(items, all)).toEqual([{ workspace_id: 'a', service_key: 'edr' }]);
    expect(approvedKeys(items, decideAll(items, 'approve'))).toHaveLength(3);
    expect(approvedKeys(items, decideAll(items, 'reject'))).toEqual([]);
  });
});
