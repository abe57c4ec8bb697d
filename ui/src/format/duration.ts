// How long a run took, in words short enough for a table cell. Pure.

/** "850 ms", "4.2 s", "42 s", "3 min 12 s", "1 h 4 min"; null for unparsable or negative spans. */
export function formatDuration(ms: number): string | null {
  if (!Number.isFinite(ms) || ms < 0) return null;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 10) return `${(Math.floor(s * 10) / 10).toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  const totalSeconds = Math.floor(s);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) {
    const rest = totalSeconds % 60;
    return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** Duration between two RFC 3339 times; "Running" while there is no end. */
export function runDuration(startedAt: string, finishedAt: string | null): string {
  if (finishedAt === null) return 'Running';
  return formatDuration(Date.parse(finishedAt) - Date.parse(startedAt)) ?? '—';
}
