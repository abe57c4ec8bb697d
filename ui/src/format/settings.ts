// The Settings form: Coro regions, the daily sync time and the decrease limit as the operator
// types them, and their conversion to and from what the backend stores. Pure.
import type { CoroStatus, SettingsView } from '../ipc/types';

export type RegionChoice = 'us' | 'ca' | 'eu' | 'custom';

export const REGIONS: ReadonlyArray<{ value: RegionChoice; label: string }> = [
  { value: 'us', label: 'United States (api.secure.coro.net)' },
  { value: 'ca', label: 'Canada (api.secure-ca.coro.net)' },
  { value: 'eu', label: 'Europe (api.secure-eu.coro.net)' },
  { value: 'custom', label: 'Custom URL' },
];

const NAMED = new Set(['us', 'ca', 'eu']);

/** Reads a stored region (`us`, `ca`, `eu` or a URL) back into the select and the URL field. */
export function regionChoice(region: string | null | undefined, baseUrl?: string | null): { choice: RegionChoice; url: string } {
  const r = (region ?? '').trim();
  if (NAMED.has(r.toLowerCase())) return { choice: r.toLowerCase() as RegionChoice, url: '' };
  if (r !== '') return { choice: 'custom', url: r };
  if (baseUrl) return { choice: 'custom', url: baseUrl };
  return { choice: 'us', url: '' };
}

/** What `coro_connect` takes as `region`. */
export function regionValue(choice: RegionChoice, url: string): string {
  return choice === 'custom' ? url.trim() : choice;
}

/** The settings as typed: text fields stay text until saved. */
export type SettingsForm = {
  clientId: string;
  time: string;
  paused: boolean;
  notifySuccess: boolean;
  maxDecreasePercent: string;
  maxIncreaseFactor: string;
  minIncreaseUnits: string;
};

export function formOf(s: SettingsView): SettingsForm {
  return {
    clientId: s.connectwise_client_id ?? '',
    time: s.daily_sync_time,
    paused: s.daily_sync_paused,
    notifySuccess: s.notify_success,
    maxDecreasePercent: percentText(s.max_decrease_share),
    maxIncreaseFactor: String(s.max_increase_factor),
    minIncreaseUnits: String(s.min_increase_units),
  };
}

/** 0.5 → "50", 0.125 → "12.5". */
export function percentText(share: number): string {
  return String(Math.round(share * 1000) / 10);
}

/** "HH:MM" (24 h; "6:30" is read as 06:30), or null. */
export function normaliseTime(text: string): string | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return null;
  return `${String(h).padStart(2, '0')}:${m[2]}`;
}

/** "50" or "50 %" → 0.5; null outside 0–100 or when not a number. */
export function shareOf(percent: string): number | null {
  const text = percent.trim().replace(/\s*%$/, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const n = Number(text);
  return n >= 0 && n <= 100 ? Math.round(n * 10) / 1000 : null;
}

/** "2" or "2.5×" → 2.5; null below 1, above 1000 or when not a number. */
export function factorOf(text: string): number | null {
  const t = text.trim().replace(/\s*[×x]$/i, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 1000 ? n : null;
}

/** A whole number of units from 0 to 1,000,000, or null. */
export function unitsOf(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n <= 1_000_000 ? n : null;
}

export type Checked = { ok: true; settings: SettingsView } | { ok: false; field: keyof SettingsForm; message: string };

export function settingsOf(form: SettingsForm): Checked {
  const time = normaliseTime(form.time);
  if (time === null) return { ok: false, field: 'time', message: 'Write the daily sync time as HH:MM (24 h), e.g. 06:00.' };
  const share = shareOf(form.maxDecreasePercent);
  if (share === null)
    return { ok: false, field: 'maxDecreasePercent', message: 'The largest automatic decrease must be a percentage from 0 to 100.' };
  const factor = factorOf(form.maxIncreaseFactor);
  if (factor === null)
    return { ok: false, field: 'maxIncreaseFactor', message: 'The increase factor must be a number from 1 to 1000, e.g. 2.' };
  const units = unitsOf(form.minIncreaseUnits);
  if (units === null)
    return { ok: false, field: 'minIncreaseUnits', message: 'The minimum held increase must be a whole number of units, e.g. 10.' };
  const clientId = form.clientId.trim();
  return {
    ok: true,
    settings: {
      connectwise_client_id: clientId === '' ? null : clientId,
      daily_sync_time: time,
      daily_sync_paused: form.paused,
      notify_success: form.notifySuccess,
      max_decrease_share: share,
      max_increase_factor: factor,
      min_increase_units: units,
    },
  };
}

/** "Connected to Acme MSP (channel-id)" / "Not connected". */
export function coroStatusText(s: CoroStatus | null): string {
  if (!s) return 'Checking…';
  if (!s.connected) return 'Not connected';
  const channel = s.channel_name?.trim() || s.channel;
  if (!channel) return 'Connected';
  return s.channel_name && s.channel ? `Connected to ${s.channel_name} (${s.channel})` : `Connected to ${channel}`;
}
