// Skipped lines grouped by why they were not written (the backend's Cause), each group with the
// words an operator acts on and the screen that fixes it. Pure.
import type { Cause } from '../bindings/Cause';
import type { ConnectorId } from '../bindings/ConnectorId';
import type { PsaKind } from '../bindings/PsaKind';
import type { Route } from '../router';

/** Where a group is fixed: a screen of this app, or nowhere here (the PSA, or time). */
export type FixScreen = 'workspaces' | 'services' | 'connectors' | null;

export type CauseText = {
  /** What the lines have in common, after "12 lines: ". */
  what: string;
  /** What to do about it. */
  fix: string;
  screen: FixScreen;
};

/** "ConnectWise" / "Autotask" / "the PSA". */
export function psaName(psa: PsaKind | null): string {
  if (psa === 'connectwise') return 'ConnectWise';
  if (psa === 'autotask') return 'Autotask';
  return 'the PSA';
}

export function causeText(cause: Cause, psa: PsaKind | null): CauseText {
  const name = psaName(psa);
  const line = psa === 'autotask' ? 'contract service' : psa === 'connectwise' ? 'agreement addition' : 'agreement or contract line';
  switch (cause) {
    case 'workspace_unmapped':
      return { what: 'workspace not mapped to a PSA company, so none of its usage is billed', fix: 'Map it on the Workspace mapping screen', screen: 'workspaces' };
    case 'service_unmapped':
      return { what: 'service in use but not mapped to a PSA product, so it is not billed', fix: 'Map it on the Service mapping screen', screen: 'services' };
    case 'product_gone':
      return { what: 'the mapped PSA product no longer exists or is inactive', fix: 'Map the service to another product on the Service mapping screen', screen: 'services' };
    case 'no_line':
      return { what: `no ${line} bills the product`, fix: `Add it to the company's ${psa === 'autotask' ? 'contract' : 'agreement'} in ${name}`, screen: null };
    case 'many_lines':
      return { what: `more than one ${line} bills the product — PSA Bridge will not guess`, fix: `Keep one line in ${name} and end the others`, screen: null };
    case 'coro_unreadable':
      return { what: 'Coro could not be read for the workspace', fix: 'Nothing to do now: the next run tries again', screen: null };
    case 'psa_unreadable':
      return { what: `${name} could not be read for the company`, fix: 'Nothing to do now: the next run tries again', screen: null };
    case 'no_count':
      return { what: 'Coro gave no usable count for the service', fix: 'The next run tries again; if it persists, save diagnostics in Settings for support', screen: null };
    case 'churned':
      return { what: 'the workspace left Coro', fix: 'Unmap it on the Workspace mapping screen when its billing has ended', screen: 'workspaces' };
    case 'awaiting':
      return { what: `an accepted change does not show in ${name} yet`, fix: 'Nothing to do: it is never sent again, and later runs check it', screen: null };
    case 'excluded':
      return { what: 'excluded from billing', fix: 'Include a line again with its toggle in the preview', screen: null };
    case 'rejected':
      return { what: 'rejected when the held changes were reviewed', fix: 'Preview again to review them anew', screen: null };
    case 'below_threshold':
      return { what: "smaller than the connector's noise threshold", fix: "Change the threshold in the connector's billing settings", screen: 'connectors' };
    case 'deferred':
      return { what: 'monthly billing: written on the billing day', fix: "Change the cadence in the connector's billing settings", screen: 'connectors' };
  }
}

export function fixRoute(screen: FixScreen, connectorId: ConnectorId): Route | null {
  switch (screen) {
    case 'workspaces':
      return { name: 'workspace-mapping', connectorId };
    case 'services':
      return { name: 'service-mapping', connectorId };
    case 'connectors':
      return { name: 'connectors' };
    default:
      return null;
  }
}

export type SkipGroup = {
  /** `other`: skipped lines without a kind (runs recorded before kinds existed). */
  cause: Cause | 'other';
  count: number;
  /** "12 lines: no agreement addition bills the product". */
  title: string;
  fix: string | null;
  screen: FixScreen;
};

type Skippable = { action: string; cause?: Cause | null };

/** The skipped items grouped by cause, largest group first (ties in the Cause order). */
export function skipGroups(items: readonly Skippable[], psa: PsaKind | null): SkipGroup[] {
  const counts = new Map<Cause | 'other', number>();
  for (const item of items) {
    if (item.action !== 'skip') continue;
    const key = item.cause ?? 'other';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const groups = [...counts].map(([cause, count]): SkipGroup => {
    const lines = `${count.toLocaleString('en-US')} ${count === 1 ? 'line' : 'lines'}`;
    if (cause === 'other') return { cause, count, title: `${lines}: see the reason on each line`, fix: null, screen: null };
    const t = causeText(cause, psa);
    return { cause, count, title: `${lines}: ${t.what}`, fix: t.fix, screen: t.screen };
  });
  return groups.sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause));
}
