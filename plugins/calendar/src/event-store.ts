import { atrium, type JsonValue } from '@atrium/plugin-sdk';
import type { StoredEvent } from './calendar-event.ts';
import { DAY_MS, dayOf, formatDay, MINUTE_MS, mapLimited, parseDay } from './time.ts';

/**
 * Storage layout, in the installation's store:
 * - `event:<uid>:<start>` → a `StoredEvent` (one per occurrence);
 * - `day:<YYYY-MM-DD>` → `{ <event key>: <feed id> }`, the events touching that UTC day (all-day
 *   events: their dates). `store.list` answers at most 100 entries, so ranges are read through
 *   these per-day indexes rather than by listing events;
 * - `feed:<feed id>` → what the last import of that feed did.
 */

type DayIndex = Record<string, string>;

const BATCH = 16;
/** A long event is indexed on at most this many days. */
const MAX_INDEXED_DAYS = 62;
const MAX_UID_IN_KEY = 180;

/** A short, stable hash (FNV-1a, 2 × 32 bits) for ids derived from long or secret text. */
export function hashText(text: string): string {
  let first = 0x811c9dc5;
  let second = 0x01000193;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    first = Math.imul(first ^ code, 0x01000193) >>> 0;
    second = Math.imul(second ^ code, 0x811c9dc5) >>> 0;
  }
  return first.toString(16).padStart(8, '0') + second.toString(16).padStart(8, '0');
}

/** `event:<uid>:<start>`; a UID too long for a key is hashed. */
export function eventKey(event: Pick<StoredEvent, 'uid' | 'start'>): string {
  const uid = event.uid.length > MAX_UID_IN_KEY ? `h-${hashText(event.uid)}` : event.uid;
  return `event:${uid}:${event.start}`;
}

/** The UTC days (day numbers) an event is indexed under. */
export function indexedDays(event: Pick<StoredEvent, 'start' | 'end' | 'all_day'>): number[] {
  const first = event.all_day ? parseDay(event.start, 'start') : dayOf(Date.parse(event.start));
  const endMs = event.all_day ? parseDay(event.end, 'end') * DAY_MS : Date.parse(event.end);
  // The end is exclusive: an event ending at midnight does not touch the next day.
  const last = Math.max(first, dayOf(endMs - (endMs > first * DAY_MS ? 1 : 0)));
  const days: number[] = [];
  for (let day = first; day <= last && days.length < MAX_INDEXED_DAYS; day++) days.push(day);
  return days;
}

const dayKey = (day: number) => `day:${formatDay(day)}`;

async function readIndex(day: number): Promise<DayIndex> {
  const value = await atrium.store.get(dayKey(day));
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as DayIndex) : {};
}

/**
 * Replaces what one feed holds on the given days with `events`: writes the events, adds them to
 * the day indexes, and deletes this feed's events on those days that are no longer in it (other
 * feeds' entries are kept). Answers how many stale occurrences were removed.
 */
export async function replaceFeedEvents(feed: string, events: StoredEvent[], days: number[]): Promise<{ removed: number }> {
  const additions = new Map<number, DayIndex>();
  const keep = new Set<string>();
  for (const event of events) {
    const key = eventKey(event);
    keep.add(key);
    for (const day of indexedDays(event)) additions.set(day, { ...additions.get(day), [key]: feed });
  }
  await mapLimited(events, BATCH, (event) => atrium.store.set(eventKey(event), event as unknown as JsonValue));

  const touched = [...new Set([...days, ...additions.keys()])];
  const stale = new Set<string>();
  await mapLimited(touched, BATCH, async (day) => {
    const index = await readIndex(day);
    const next: DayIndex = {};
    for (const [key, owner] of Object.entries(index)) {
      if (owner === feed && !keep.has(key)) stale.add(key);
      else next[key] = owner;
    }
    Object.assign(next, additions.get(day));
    const changed =
      Object.keys(next).length !== Object.keys(index).length || Object.entries(next).some(([key, owner]) => index[key] !== owner);
    if (!changed) return;
    if (Object.keys(next).length === 0) await atrium.store.delete(dayKey(day));
    else await atrium.store.set(dayKey(day), next);
  });
  await mapLimited([...stale], BATCH, (key) => atrium.store.delete(key));
  return { removed: stale.size };
}

/**
 * The stored events overlapping `[from, to)`, sorted by start. All-day events are placed on the
 * user's local days (`offsetMinutes` east of UTC).
 */
export async function eventsBetween(from: number, to: number, offsetMinutes = 0): Promise<StoredEvent[]> {
  const days: number[] = [];
  // All-day events are indexed by date, which may sit a day either side of the UTC range.
  for (let day = dayOf(from) - 1; day <= dayOf(to) + 1; day++) days.push(day);
  const indexes = await mapLimited(days, BATCH, readIndex);
  const keys = [...new Set(indexes.flatMap((index) => Object.keys(index)))];
  const events = await mapLimited(keys, BATCH, (key) => atrium.store.get(key) as Promise<StoredEvent | null>);
  return events
    .filter((event): event is StoredEvent => event !== null)
    .filter((event) => {
      const { start, end } = eventSpan(event, offsetMinutes);
      return (end > from && start < to) || (start === end && start >= from && start < to);
    })
    .sort((a, b) => eventSpan(a, offsetMinutes).start - eventSpan(b, offsetMinutes).start || a.summary.localeCompare(b.summary));
}

/** An event's instants: all-day dates become the user's local midnights. */
export function eventSpan(event: StoredEvent, offsetMinutes = 0): { start: number; end: number } {
  if (!event.all_day) return { start: Date.parse(event.start), end: Date.parse(event.end) };
  const shift = offsetMinutes * MINUTE_MS;
  return { start: parseDay(event.start, 'start') * DAY_MS - shift, end: parseDay(event.end, 'end') * DAY_MS - shift };
}
