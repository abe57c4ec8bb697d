// Text and tone for the workspace and service mapping screens. Pure: no DOM.
import type { PsaKind } from '../bindings/PsaKind';
import type { ServiceRow, Suggestion, Unit, WorkspaceRow } from '../ipc/types';
import type { Tone } from './connector';

/** What a Coro workspace or service maps to, in the PSA's own words (as in the vendor guides). */
export function companyNoun(kind: PsaKind): string {
  return kind === 'connectwise' ? 'ConnectWise company' : 'Autotask company';
}

/** ConnectWise bills catalog products; Autotask bills contract services. */
export function productNoun(kind: PsaKind): string {
  return kind === 'connectwise' ? 'ConnectWise product' : 'Autotask service';
}

export type MappingSummary = {
  /** Billable rows mapped to something that still exists. */
  mapped: number;
  /** Billable rows (archived workspaces are never billed). */
  total: number;
  /** Rows whose PSA company/product has disappeared. */
  stale: number;
  /** Archived workspaces: listed, never billed. */
  archived: number;
};

type Mappable = { archived?: boolean; stale: boolean; mapped: boolean };

function summarise(rows: readonly Mappable[]): MappingSummary {
  let mapped = 0;
  let total = 0;
  let stale = 0;
  let archived = 0;
  for (const row of rows) {
    if (row.archived) {
      archived++;
      continue;
    }
    total++;
    if (row.mapped && row.stale) stale++;
    else if (row.mapped) mapped++;
  }
  return { mapped, total, stale, archived };
}

export function workspaceSummary(rows: readonly WorkspaceRow[]): MappingSummary {
  return summarise(rows.map((r) => ({ archived: r.archived, stale: r.stale, mapped: r.company !== null })));
}

export function serviceSummary(rows: readonly ServiceRow[]): MappingSummary {
  return summarise(rows.map((r) => ({ stale: r.stale, mapped: r.product !== null })));
}

/** "3 of 12 mapped · 1 needs attention · 2 archived (not billed)". */
export function summaryText(s: MappingSummary): string {
  const parts = [`${s.mapped} of ${s.total} mapped`];
  if (s.stale > 0) parts.push(`${s.stale} ${s.stale === 1 ? 'needs' : 'need'} attention`);
  if (s.archived > 0) parts.push(`${s.archived} archived (not billed)`);
  return parts.join(' · ');
}

/** "Suggested: Contoso Ltd (92%)". */
export function suggestionText(s: Suggestion): string {
  return `Suggested: ${s.name} (${Math.round(Math.min(1, Math.max(0, s.score)) * 100)}%)`;
}

const WORKSPACE_STATUS: Record<string, { label: string; tone: Tone }> = {
  subscription: { label: 'Subscription', tone: 'success' },
  active: { label: 'Active', tone: 'success' },
  trial: { label: 'Trial', tone: 'info' },
  expired: { label: 'Expired', tone: 'warning' },
  suspended: { label: 'Suspended', tone: 'warning' },
  archived: { label: 'Archived', tone: 'neutral' },
};

/** The Coro status badge of a workspace; `archived` wins over whatever the status says. */
export function workspaceStatus(status: string, archived: boolean): { label: string; tone: Tone } {
  if (archived) return WORKSPACE_STATUS.archived!;
  const key = status.trim().toLowerCase();
  const known = WORKSPACE_STATUS[key];
  if (known) return known;
  const text = key.replace(/[_-]+/g, ' ');
  return { label: text === '' ? 'Unknown' : text.charAt(0).toUpperCase() + text.slice(1), tone: 'neutral' };
}

export function unitLabel(unit: Unit): string {
  if (unit === 'max') return 'Larger of users and devices';
  return unit === 'device' ? 'Device' : 'User';
}

export const UNITS: readonly Unit[] = ['device', 'user', 'max'];

/** The override to send with a mapping: none when the row bills in its default unit. */
export function unitOverride(row: ServiceRow): Unit | null {
  return row.unit === row.default_unit ? null : row.unit;
}

export function staleCompanyText(kind: PsaKind, name: string): string {
  const psa = kind === 'connectwise' ? 'ConnectWise' : 'Autotask';
  return `${name} no longer exists in ${psa} (deleted, merged or made inactive). This workspace is not billed until it is mapped again.`;
}

export function staleProductText(kind: PsaKind, name: string): string {
  const where = kind === 'connectwise' ? 'the ConnectWise product catalog' : 'Autotask services';
  return `${name} is no longer in ${where}. This service is not billed until it is mapped again.`;
}

/** Case-insensitive match of a row filter against a name or id. */
export function rowMatches(filter: string, ...fields: Array<string | null | undefined>): boolean {
  const f = filter.trim().toLowerCase();
  if (f === '') return true;
  return fields.some((x) => x != null && x.toLowerCase().includes(f));
}
