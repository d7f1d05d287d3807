import { type IcsComponent, propertiesOf, propertyOf } from './ics/parse-ics.ts';
import { parseTimeText, parseUtcOffset, type WallTime } from './ics/values.ts';
import { DAY_MS, MINUTE_MS, msToWall, wallToMs, weekdayOf } from './time.ts';

/**
 * Time zones from the feed's own VTIMEZONE definitions (Google, Outlook and iCloud all include
 * them; built-in-zones.ts covers feeds that only name an IANA zone). The sandbox has no Intl, so
 * offsets are computed from the observances' yearly rules.
 */

/** One STANDARD or DAYLIGHT block: from its onset on, the offset is `offsetTo`. */
export interface Observance {
  offsetFrom: number;
  offsetTo: number;
  /** The first onset, in wall-clock time at `offsetFrom`. */
  start: WallTime;
  /** Yearly recurrence of the onset (`FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU`). */
  yearly?: { month: number; weekday?: number; ordinal?: number; monthDays?: number[]; untilMs?: number };
  /** Extra onsets (RDATE), wall-clock at `offsetFrom`. */
  extra: WallTime[];
}

export interface TimeZone {
  id: string;
  observances: Observance[];
}

const WEEKDAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/** The day of the month of the onset in `year`, or null when the rule has none that year. */
function onsetDay(yearly: NonNullable<Observance['yearly']>, year: number): number | null {
  const length = new Date(Date.UTC(year, yearly.month, 0)).getUTCDate();
  let days = Array.from({ length }, (_, index) => index + 1);
  if (yearly.monthDays) days = days.filter((day) => yearly.monthDays!.some((wanted) => wanted === day || length + wanted + 1 === day));
  if (yearly.weekday !== undefined) {
    days = days.filter((day) => weekdayOf(Math.floor(Date.UTC(year, yearly.month - 1, day) / DAY_MS)) === yearly.weekday);
    if (yearly.ordinal) return (yearly.ordinal > 0 ? days[yearly.ordinal - 1] : days[days.length + yearly.ordinal]) ?? null;
  }
  return days[0] ?? null;
}

// Every occurrence of a long series asks for the same few transitions: remember them per year.
const onsetCache = new WeakMap<Observance, Map<number, number | null>>();

/** The rule's onset in `year`, in UTC ms (null when that year has none). */
function yearlyOnset(observance: Observance, year: number): number | null {
  const cache = onsetCache.get(observance) ?? new Map<number, number | null>();
  onsetCache.set(observance, cache);
  const cached = cache.get(year);
  if (cached !== undefined) return cached;
  const day = observance.yearly ? onsetDay(observance.yearly, year) : null;
  const onset =
    day === null ? null : wallToMs({ ...observance.start, year, month: observance.yearly!.month, day }) - observance.offsetFrom * MINUTE_MS;
  cache.set(year, onset);
  return onset;
}

/** The latest onset of the observance at or before `utcMs`, in UTC ms. */
function latestOnset(observance: Observance, utcMs: number): number | null {
  const toUtc = (wall: WallTime) => wallToMs(wall) - observance.offsetFrom * MINUTE_MS;
  let latest: number | null = null;
  const consider = (onset: number) => {
    if (onset <= utcMs && (latest === null || onset > latest)) latest = onset;
  };
  const first = toUtc(observance.start);
  consider(first);
  for (const wall of observance.extra) consider(toUtc(wall));
  const { yearly } = observance;
  if (yearly) {
    const year = msToWall(utcMs).year;
    for (const candidate of [year, year - 1]) {
      if (candidate < observance.start.year) continue;
      const onset = yearlyOnset(observance, candidate);
      if (onset !== null && onset >= first && (yearly.untilMs === undefined || onset <= yearly.untilMs)) consider(onset);
    }
  }
  return latest;
}

/** The zone's offset from UTC, in minutes, at an instant. */
export function offsetAt(zone: TimeZone, utcMs: number): number {
  let best: { onset: number; offset: number } | null = null;
  for (const observance of zone.observances) {
    const onset = latestOnset(observance, utcMs);
    if (onset !== null && (best === null || onset > best.onset)) best = { onset, offset: observance.offsetTo };
  }
  if (best) return best.offset;
  // Before every onset: the offset the earliest observance changes from.
  const earliest = [...zone.observances].sort((a, b) => wallToMs(a.start) - wallToMs(b.start))[0];
  return earliest ? earliest.offsetFrom : 0;
}

/**
 * The instant a wall-clock time names in the zone. A time skipped by a DST change is read with
 * the offset before the change (so 02:30 on a spring-forward night is 03:30), as RFC 5545 says.
 */
export function zonedToUtc(zone: TimeZone, wall: WallTime): number {
  const local = wallToMs(wall);
  const first = local - offsetAt(zone, local) * MINUTE_MS;
  const second = local - offsetAt(zone, first) * MINUTE_MS;
  if (second === first) return first;
  const third = local - offsetAt(zone, second) * MINUTE_MS;
  return third === second ? second : Math.max(first, second);
}

/** Reads a VTIMEZONE component; null when it has no usable observance. */
export function zoneFromComponent(component: IcsComponent): TimeZone | null {
  const id = propertyOf(component, 'TZID')?.value;
  if (!id) return null;
  const observances: Observance[] = [];
  for (const block of component.components) {
    if (block.name !== 'STANDARD' && block.name !== 'DAYLIGHT') continue;
    const offsetFrom = parseUtcOffset(propertyOf(block, 'TZOFFSETFROM')?.value ?? '');
    const offsetTo = parseUtcOffset(propertyOf(block, 'TZOFFSETTO')?.value ?? '');
    const start = parseTimeText(propertyOf(block, 'DTSTART')?.value ?? '');
    if (offsetFrom === null || offsetTo === null || !start) continue;
    const extra = propertiesOf(block, 'RDATE').flatMap((property) =>
      property.value.split(',').flatMap((value) => {
        const time = parseTimeText(value);
        return time ? [time.wall] : [];
      }),
    );
    observances.push({ offsetFrom, offsetTo, start: start.wall, yearly: yearlyRule(propertyOf(block, 'RRULE')?.value), extra });
  }
  return observances.length > 0 ? { id, observances } : null;
}

function yearlyRule(text: string | undefined): Observance['yearly'] {
  if (!text) return undefined;
  const parts = Object.fromEntries(text.split(';').map((part) => part.split('=') as [string, string]));
  const month = Number(parts.BYMONTH);
  if (parts.FREQ !== 'YEARLY' || !(month >= 1 && month <= 12)) return undefined;
  const byDay = parts.BYDAY ? /^([+-]?\d+)?([A-Z]{2})$/.exec(parts.BYDAY) : null;
  const until = parts.UNTIL ? parseTimeText(parts.UNTIL) : null;
  return {
    month,
    weekday: byDay ? WEEKDAY_CODES.indexOf(byDay[2]) : undefined,
    ordinal: byDay?.[1] ? Number(byDay[1]) : undefined,
    monthDays: parts.BYMONTHDAY ? parts.BYMONTHDAY.split(',').map(Number) : undefined,
    untilMs: until ? wallToMs(until.wall) : undefined,
  };
}
