import type { StoredEvent } from './calendar-event.ts';
import { eventSpan } from './event-store.ts';
import { DAY_MS, dayOf, InvalidInputError, MINUTE_MS, parseClock, weekdayOf } from './time.ts';

/** A half-open span of time in UTC ms. */
export interface Interval {
  start: number;
  end: number;
}

export interface WorkingHours {
  start: string;
  end: string;
}

/** Sorted, overlapping and touching intervals joined. */
export function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter((interval) => interval.end > interval.start).sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged;
}

/** What is left of `window` once the (merged) busy intervals are taken out. */
export function subtractIntervals(window: Interval, busy: Interval[]): Interval[] {
  const free: Interval[] = [];
  let cursor = window.start;
  for (const interval of busy) {
    if (interval.end <= cursor) continue;
    if (interval.start >= window.end) break;
    if (interval.start > cursor) free.push({ start: cursor, end: Math.min(interval.start, window.end) });
    cursor = Math.max(cursor, interval.end);
  }
  if (cursor < window.end) free.push({ start: cursor, end: window.end });
  return free;
}

/**
 * The time events block: busy ones only, widened by `bufferMinutes` each side, merged. An
 * all-day busy event (a day off, a conference) blocks its whole local day.
 */
export function busyIntervals(events: StoredEvent[], offsetMinutes: number, bufferMinutes = 0): Interval[] {
  const buffer = bufferMinutes * MINUTE_MS;
  return mergeIntervals(
    events
      .filter((event) => event.busy)
      .map((event) => {
        const span = eventSpan(event, offsetMinutes);
        return event.all_day ? span : { start: span.start - buffer, end: span.end + buffer };
      }),
  );
}

/** A local working day: its date (day number, local) and its working window in UTC ms. */
export interface WorkingDay {
  day: number;
  window: Interval;
}

/**
 * The working windows of the local days overlapping `[from, to)`, clipped to it; weekends are
 * left out unless asked for.
 */
export function workingDays(from: number, to: number, offsetMinutes: number, hours: WorkingHours, includeWeekends = false): WorkingDay[] {
  const startMinutes = parseClock(hours.start, 'working_hours.start');
  const endMinutes = parseClock(hours.end, 'working_hours.end');
  if (endMinutes <= startMinutes) throw new InvalidInputError('working_hours.end must be after working_hours.start');
  const shift = offsetMinutes * MINUTE_MS;
  const days: WorkingDay[] = [];
  for (let day = dayOf(from + shift); day <= dayOf(to - 1 + shift); day++) {
    const weekday = weekdayOf(day);
    if (!includeWeekends && (weekday === 0 || weekday === 6)) continue;
    const start = Math.max(from, day * DAY_MS + startMinutes * MINUTE_MS - shift);
    const end = Math.min(to, day * DAY_MS + endMinutes * MINUTE_MS - shift);
    if (end > start) days.push({ day, window: { start, end } });
  }
  return days;
}
