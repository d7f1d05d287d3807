import type { WallTime } from './ics/values.ts';

/**
 * Instants are UTC milliseconds; local calendar days are "day numbers" (days since 1970-01-01).
 * The sandbox has no Intl, so everything here is arithmetic on Date.UTC.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** Input the caller got wrong (a date that is not a date, a range that ends before it starts). */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** A wall-clock time read as if it were UTC: the basis for local arithmetic. */
export const wallToMs = (wall: WallTime) => Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);

export function msToWall(ms: number): WallTime {
  const date = new Date(ms);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
  };
}

export const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

/** 0 is Sunday (1970-01-01 was a Thursday). */
export const weekdayOf = (day: number) => (((day + 4) % 7) + 7) % 7;

const pad = (value: number, width = 2) => String(Math.abs(value)).padStart(width, '0');

/** `2025-03-03` for a day number. */
export function formatDay(day: number): string {
  const wall = msToWall(day * DAY_MS);
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
}

/**
 * An instant as ISO 8601: `Z` for UTC, else in local time with its offset.
 *
 * @example
 * formatInstant(Date.UTC(2025, 2, 3, 8), 60); // '2025-03-03T09:00:00+01:00'
 */
export function formatInstant(ms: number, offsetMinutes = 0): string {
  const wall = msToWall(ms + offsetMinutes * MINUTE_MS);
  const date = `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`;
  if (offsetMinutes === 0) return `${date}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  return `${date}${sign}${pad(Math.trunc(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** A `YYYY-MM-DD` date as a day number. */
export function parseDay(text: string, field: string): number {
  const match = DATE.exec(text);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || formatDay(dayOf(ms)) !== text) throw new InvalidInputError(`${field} must be a date such as 2025-03-03`);
  return dayOf(ms);
}

/**
 * An ISO 8601 date or date-time as UTC milliseconds. A time without an offset, and a bare date
 * (its midnight), are local times at `offsetMinutes` east of UTC.
 *
 * @example
 * parseInstant('2025-03-03', 60); // 2025-03-02T23:00:00Z
 * parseInstant('2025-03-03T09:00:00-05:00', 60); // 2025-03-03T14:00:00Z
 */
export function parseInstant(text: string, field: string, offsetMinutes = 0): number {
  const match = INSTANT.exec(text.trim());
  if (!match) throw new InvalidInputError(`${field} must be an ISO 8601 date or date-time such as 2025-03-03T09:00:00Z`);
  const [, year, month, day, hour, minute, second, zone] = match;
  const local = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0));
  if (formatDay(dayOf(local)) !== `${year}-${month}-${day}`) throw new InvalidInputError(`${field} is not a real date`);
  if (!zone) return local - offsetMinutes * MINUTE_MS;
  if (zone.toUpperCase() === 'Z') return local;
  const [, sign, hours, minutes] = /^([+-])(\d{2}):?(\d{2})$/.exec(zone) ?? [];
  const offset = (Number(hours) * 60 + Number(minutes)) * (sign === '-' ? -1 : 1);
  return local - offset * MINUTE_MS;
}

/** `HH:MM` as minutes after midnight (`24:00` allowed as the end of a day). */
export function parseClock(text: string, field: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
  if (!match || Number(match[2]) > 59 || minutes > 24 * 60) throw new InvalidInputError(`${field} must be a time such as 09:00`);
  return minutes;
}

/** Runs `task` over the items, at most `limit` at a time (the sandbox caps host calls in flight). */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += limit) {
    results.push(...(await Promise.all(items.slice(start, start + limit).map(task))));
  }
  return results;
}
