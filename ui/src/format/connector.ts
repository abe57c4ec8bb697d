// Text and tone for the cells of the Connectors table. Pure: no DOM, no clock.
import type { ConnectionStatus } from '../bindings/ConnectionStatus';
import type { LastSync } from '../bindings/LastSync';
import type { MappingCount } from '../bindings/MappingCount';
import type { PsaKind } from '../bindings/PsaKind';
import { formatTimestamp, type TimeFormat } from './time';

/** A colour family shared by pills and links; the stylesheet has one class per tone. */
export type Tone = 'success' | 'danger' | 'warning' | 'neutral' | 'info';

export function psaName(kind: PsaKind): string {
  switch (kind) {
    case 'connectwise':
      return 'ConnectWise PSA';
    case 'autotask':
      return 'Autotask PSA';
  }
}

/** The PSA's name without the "PSA" suffix, for the PSA column whose header already says it. */
export function psaShortName(kind: PsaKind): string {
  return kind === 'connectwise' ? 'ConnectWise' : 'Autotask';
}

/** A connector in a list of several: its name, with the PSA added when the name does not say it. */
export function connectorLabel(c: { name: string; kind: PsaKind }): string {
  const psa = psaShortName(c.kind);
  return c.name.toLowerCase().includes(psa.toLowerCase()) ? c.name : `${c.name} (${psa})`;
}

/** "Setup required" until something is mapped, then "N of M mapped". */
export function mappingText(count: MappingCount): string {
  return count.mapped === 0 ? 'Setup required' : `${count.mapped} of ${count.total} mapped`;
}

export function mappingTone(count: MappingCount): Tone {
  if (count.mapped === 0) return 'warning';
  return count.mapped >= count.total ? 'success' : 'info';
}

export function statusText(status: ConnectionStatus): string {
  switch (status.state) {
    case 'connected':
      return 'Connected';
    case 'error':
      return 'Connection failed';
    case 'untested':
      return 'Not tested';
  }
}

export function statusTone(status: ConnectionStatus): Tone {
  switch (status.state) {
    case 'connected':
      return 'success';
    case 'error':
      return 'danger';
    case 'untested':
      return 'neutral';
  }
}

/** The reason shown under a failed status (and as its tooltip); null when there is nothing to add. */
export function statusDetail(status: ConnectionStatus): string | null {
  if (status.state !== 'error') return null;
  const message = status.message?.trim();
  return message ? message : 'The last connection check failed.';
}

/** Tooltip for the status cell: the failure reason, or when the credentials were last checked. */
export function statusTooltip(status: ConnectionStatus, format?: TimeFormat): string {
  const detail = statusDetail(status);
  if (detail) return detail;
  if (status.checked_at) return `Checked ${formatTimestamp(status.checked_at, format)}`;
  return status.state === 'untested' ? 'The credentials have not been checked yet.' : statusText(status);
}

const OUTCOMES: Record<string, { label: string; tone: Tone }> = {
  succeeded: { label: 'Succeeded', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
  partial: { label: 'Partly applied', tone: 'warning' },
  held: { label: 'Held for review', tone: 'warning' },
  running: { label: 'Running', tone: 'info' },
  interrupted: { label: 'Interrupted', tone: 'warning' },
};

export function outcomeLabel(outcome: string): string {
  const known = OUTCOMES[outcome];
  if (known) return known.label;
  const text = outcome.replace(/_/g, ' ').trim();
  return text === '' ? 'Unknown' : text.charAt(0).toUpperCase() + text.slice(1);
}

export function outcomeTone(outcome: string): Tone {
  return OUTCOMES[outcome]?.tone ?? 'neutral';
}

/** "Never", or "Succeeded · Mar 4, 2025, 6:00 AM". */
export function lastSyncText(last: LastSync | null, format?: TimeFormat): string {
  if (!last) return 'Never';
  return `${outcomeLabel(last.outcome)} · ${formatTimestamp(last.started_at, format)}`;
}
