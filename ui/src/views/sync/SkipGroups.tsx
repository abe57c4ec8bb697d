// Skipped lines grouped by reason above an item table: "12 lines: no agreement addition bills the
// product — Add it to the company's agreement in ConnectWise", a link to the screen that fixes
// it, and a button that narrows the table to those lines.
import type { Cause } from '../../bindings/Cause';
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { PsaKind } from '../../bindings/PsaKind';
import { fixRoute, skipGroups, type FixScreen } from '../../format/causes';
import { routeHref } from '../../router';

/** The connector whose screens fix the groups, and its PSA (for the wording). */
export type FixContext = { connectorId: ConnectorId; psa: PsaKind | null };

type Item = { action: string; cause?: Cause | null };

const SCREEN_NAMES: Record<Exclude<FixScreen, null>, string> = {
  workspaces: 'Open Workspace mapping',
  services: 'Open Service mapping',
  connectors: 'Open Connectors',
};

type Props = {
  items: readonly Item[];
  fixes: FixContext | undefined;
  testId: string;
  /** The group shown alone in the table, if any. */
  active: Cause | 'other' | 'all';
  onShow: (cause: Cause | 'other' | 'all') => void;
};

export function SkipGroups({ items, fixes, testId, active, onShow }: Props) {
  const groups = skipGroups(items, fixes?.psa ?? null);
  if (groups.length === 0) return null;
  const total = groups.reduce((n, g) => n + g.count, 0);
  return (
    <section class="skip-groups" aria-label="Skipped lines by reason" data-testid={`${testId}-skip-groups`}>
      <h3 class="skip-groups__head">
        Not written: {total.toLocaleString('en-US')} skipped {total === 1 ? 'line' : 'lines'}, by reason
      </h3>
      <ul class="skip-groups__list">
        {groups.map((g) => {
          const route = fixes ? fixRoute(g.screen, fixes.connectorId) : null;
          const shown = active === g.cause;
          return (
            <li key={g.cause} class="skip-groups__item" data-testid={`${testId}-skip-group`} data-cause={g.cause} data-count={g.count}>
              <span class="skip-groups__title">{g.title}</span>
              {g.fix && <span class="muted"> — {g.fix}.</span>}
              <span class="skip-groups__actions">
                {route && g.screen && (
                  <a href={routeHref(route)} data-testid={`${testId}-skip-fix-${g.cause}`}>
                    {SCREEN_NAMES[g.screen]} →
                  </a>
                )}
                <button
                  type="button"
                  class="link-button"
                  onClick={() => onShow(shown ? 'all' : g.cause)}
                  aria-pressed={shown}
                  data-testid={`${testId}-skip-show-${g.cause}`}
                >
                  {shown ? 'Show all lines' : 'Show these lines'}
                </button>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
