// Date formatting with the locale and time zone injectable, so tests are deterministic.

export type TimeFormat = { locale?: string; timeZone?: string };

/** A short, local, human date-time for an RFC 3339 string; unparsable input is returned as is. */
export function formatTimestamp(iso: string, format: TimeFormat = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(format.locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(format.timeZone ? { timeZone: format.timeZone } : {}),
  })
    .format(date)
    // Newer ICU puts a narrow no-break space before AM/PM; a plain space reads the same and
    // keeps copied text and comparisons predictable.
    .replace(/\u202f/g, ' ');
}
