import { describe, expect, it } from 'vitest';
import type { Cause } from '../bindings/Cause';
import { causeText, fixRoute, skipGroups } from './causes';

const ALL: Cause[] = [
  'workspace_unmapped', 'service_unmapped', 'product_gone', 'no_line', 'many_lines', 'coro_unreadable',
  'psa_unreadable', 'no_count', 'churned', 'awaiting', 'excluded', 'rejected', 'below_threshold', 'deferred',
];

describe('skipGroups', () => {
  it('groups skipped lines by cause, largest first, and ignores the rest', () => {
    const items = [
      { action: 'skip', cause: 'no_line' as const },
      { action: 'increase', cause: null },
      { action: 'skip', cause: 'workspace_unmapped' as const },
      { action: 'skip', cause: 'no_line' as const },
      { action: 'skip', cause: null },
      { action: 'unchanged' },
    ];
    const groups = skipGroups(items, 'connectwise');
    expect(groups.map((g) => [g.cause, g.count])).toEqual([
      ['no_line', 2],
      ['other', 1],
      ['workspace_unmapped', 1],
    ]);
    expect(groups[0]!.title).toBe('2 lines: no agreement addition bills the product');
    expect(groups[0]!.fix).toBe("Add it to the company's agreement in ConnectWise");
    expect(groups[2]!.title).toBe('1 line: workspace not mapped to a PSA company, so none of its usage is billed');
  });

  it('names the PSA the connector uses', () => {
    expect(causeText('no_line', 'autotask').fix).toBe("Add it to the company's contract in Autotask");
    expect(causeText('many_lines', 'autotask').what).toContain('contract service');
  });

  it('every cause has words, and mapping causes link to their screen', () => {
    for (const c of ALL) {
      const t = causeText(c, null);
      expect(t.what.length).toBeGreaterThan(5);
      expect(t.fix.length).toBeGreaterThan(5);
    }
    expect(fixRoute(causeText('workspace_unmapped', null).screen, 4)).toEqual({ name: 'workspace-mapping', connectorId: 4 });
    expect(fixRoute(causeText('service_unmapped', null).screen, 4)).toEqual({ name: 'service-mapping', connectorId: 4 });
    expect(fixRoute(causeText('no_line', null).screen, 4)).toBeNull();
  });
});
