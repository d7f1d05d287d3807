const dateFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

const timestampFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  second: '2-digit',
});

function parse(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatDate(value: string | null | undefined, empty = '—'): string {
  const date = parse(value);
  return date ? dateFormat.format(date) : empty;
}

export function formatDateTime(value: string | null | undefined, empty = '—'): string {
  const date = parse(value);
  return date ? dateTimeFormat.format(date) : empty;
}

/** Date and time to the second, for logs. */
export function formatTimestamp(value: string | null | undefined, empty = '—'): string {
  const date = parse(value);
  return date ? timestampFormat.format(date) : empty;
}

export function isPast(value: string | null | undefined): boolean {
  const date = parse(value);
  return date !== null && date.getTime() <= Date.now();
}

export function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

export function initials(name: string | undefined, fallback: string): string {
  const source = (name || fallback || '?').trim();
  const parts = source.split(/[\s@._-]+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[1][0] : source.slice(0, 2);
  return letters.toUpperCase();
}

/** Turns a YYYY-MM-DD date input value into the end of that day, local time, as ISO. */
export function endOfDayIso(dateInput: string): string {
  return new Date(`${dateInput}T23:59:59`).toISOString();
}

/** Turns a YYYY-MM-DD date input value into the start of that day, local time, as ISO. */
export function startOfDayIso(dateInput: string): string {
  return new Date(`${dateInput}T00:00:00`).toISOString();
}

export function dateInputValue(offsetDays: number): string {
  const date = new Date(Date.now() + offsetDays * 86_400_000);
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}
