import { builtInZone } from './built-in-zones.ts';
import type { StoredEvent } from './calendar-event.ts';
import { type IcsComponent, propertiesOf, propertyOf, unescapeText } from './ics/parse-ics.ts';
import { type IcsTime, parseDuration, parseTimeList, parseTimeProperty } from './ics/values.ts';
import { parseRule, type RecurrenceRule, recurrenceDays } from './recurrence.ts';
import { DAY_MS, dayOf, formatDay, formatInstant, MINUTE_MS, msToWall, wallToMs } from './time.ts';
import { type TimeZone, zonedToUtc, zoneFromComponent } from './time-zones.ts';

/** An occurrence before storage: instants in UTC ms, or for all-day events day numbers × DAY_MS. */
export type Occurrence = Omit<StoredEvent, 'start' | 'end' | 'feed'> & { startMs: number; endMs: number };

export interface ExpandOptions {
  /** Occurrences that end before `from` or start at or after `to` are left out. */
  from: number;
  to: number;
  /** Where floating times (no zone, no Z) are read. */
  floatingOffsetMinutes: number;
}

export interface ExpandResult {
  occurrences: Occurrence[];
  /** Recurring series found. */
  series: number;
  /** Things read approximately or skipped, for the user to know. */
  warnings: string[];
}

const MAX_DESCRIPTION = 500;
/** No zone is further than this from UTC (UTC+14 plus a margin). */
const MAX_OFFSET_MS = 16 * 3_600_000;

/** The feed's events, recurring ones expanded, within the window. */
export function expandCalendar(roots: IcsComponent[], options: ExpandOptions): ExpandResult {
  const warnings = new Set<string>();
  const zones = new Map<string, TimeZone>();
  const events: IcsComponent[] = [];
  for (const root of roots) {
    for (const component of root.components) {
      if (component.name === 'VTIMEZONE') {
        const zone = zoneFromComponent(component);
        if (zone) zones.set(zone.id, zone);
      } else if (component.name === 'VEVENT') events.push(component);
    }
  }

  const zoneFor = (tzid: string): TimeZone | null => {
    const zone = zones.get(tzid) ?? builtInZone(tzid);
    if (zone) zones.set(tzid, zone);
    else warnings.add(`unknown time zone ${tzid}: its times were read as UTC`);
    return zone;
  };
  /** The instant a value names; dates are their (floating) midnight. */
  const toMs = (time: IcsTime): number => {
    if (time.kind === 'zoned') {
      const zone = zoneFor(time.tzid);
      return zone ? zonedToUtc(zone, time.wall) : wallToMs(time.wall);
    }
    if (time.kind === 'floating') return wallToMs(time.wall) - options.floatingOffsetMinutes * MINUTE_MS;
    return wallToMs(time.wall);
  };

  const overrides = new Map<string, IcsComponent[]>();
  const masters: IcsComponent[] = [];
  for (const event of events) {
    const uid = propertyOf(event, 'UID')?.value;
    if (uid && propertyOf(event, 'RECURRENCE-ID')) overrides.set(uid, [...(overrides.get(uid) ?? []), event]);
    else masters.push(event);
  }

  const occurrences: Occurrence[] = [];
  let series = 0;
  const inWindow = (occurrence: Occurrence) => {
    // All-day events are floating days: widen the window by a day each side; queries narrow it.
    const slack = occurrence.all_day ? DAY_MS : 0;
    return occurrence.endMs + slack > options.from && occurrence.startMs - slack < options.to;
  };
  const context: Context = { toMs };

  for (const master of masters) {
    const base = eventFields(master);
    if (!base) continue;
    const start = timeOf(master, 'DTSTART');
    if (!start) {
      warnings.add(`"${base.summary}" has no readable DTSTART and was skipped`);
      continue;
    }
    const moved = new Set((overrides.get(base.uid) ?? []).map((override) => originalStart(override, context)).filter((ms) => ms !== null));
    const ruleText = propertyOf(master, 'RRULE')?.value;
    const parsed = ruleText ? parseRule(ruleText) : undefined;
    if (parsed && 'unsupported' in parsed)
      warnings.add(
        `"${base.summary}" repeats by a rule this plugin cannot expand (${parsed.unsupported}): only its first occurrence was imported`,
      );
    const rule = parsed && 'rule' in parsed ? parsed.rule : undefined;
    const recurring = rule !== undefined || propertyOf(master, 'RDATE') !== undefined;
    if (recurring) series += 1;
    for (const occurrence of occurrencesOf(master, start, rule, options, context)) {
      if (moved.has(occurrence.startMs)) continue;
      const item: Occurrence = { ...base, recurring, startMs: occurrence.startMs, endMs: occurrence.endMs };
      if (inWindow(item)) occurrences.push(item);
    }
  }
  for (const group of overrides.values()) {
    for (const override of group) {
      const base = eventFields(override);
      const start = timeOf(override, 'DTSTART');
      if (!base || !start) continue;
      const [only] = occurrencesOf(override, start, undefined, options, context);
      if (!only) continue;
      const item: Occurrence = { ...base, recurring: true, startMs: only.startMs, endMs: only.endMs };
      if (inWindow(item)) occurrences.push(item);
    }
  }
  occurrences.sort((a, b) => a.startMs - b.startMs || a.uid.localeCompare(b.uid));
  return { occurrences, series, warnings: [...warnings] };
}

/** How the feed's times become instants (its zones resolved). */
type Context = { toMs: (time: IcsTime) => number };

function timeOf(event: IcsComponent, name: string): IcsTime | null {
  const property = propertyOf(event, name);
  return property ? parseTimeProperty(property) : null;
}

/** The event's own fields; null for a cancelled one. */
function eventFields(event: IcsComponent): Omit<Occurrence, 'startMs' | 'endMs' | 'recurring'> | null {
  const status = propertyOf(event, 'STATUS')?.value.toUpperCase();
  if (status === 'CANCELLED') return null;
  const text = (name: string) => {
    const property = propertyOf(event, name);
    return property ? unescapeText(property.value).trim() : undefined;
  };
  const start = propertyOf(event, 'DTSTART');
  const uid = text('UID') ?? `generated-${text('SUMMARY') ?? ''}-${start?.value ?? ''}`;
  const description = text('DESCRIPTION');
  const organizer = propertyOf(event, 'ORGANIZER');
  const result: Omit<Occurrence, 'startMs' | 'endMs' | 'recurring'> = {
    uid,
    summary: text('SUMMARY') || '(no title)',
    all_day: start?.params.VALUE === 'DATE' || /^\d{8}$/.test(start?.value.trim() ?? ''),
    busy: propertyOf(event, 'TRANSP')?.value.toUpperCase() !== 'TRANSPARENT',
    attendees: propertiesOf(event, 'ATTENDEE').length,
  };
  if (status === 'TENTATIVE' || status === 'CONFIRMED') result.status = status === 'TENTATIVE' ? 'tentative' : 'confirmed';
  const location = text('LOCATION');
  if (location) result.location = location;
  if (description) result.description = description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION)}…` : description;
  if (organizer) result.organizer = organizer.params.CN ?? organizer.value.replace(/^mailto:/i, '');
  return result;
}

/** The start a moved occurrence replaces (its RECURRENCE-ID), keyed like the series' own. */
function originalStart(override: IcsComponent, context: Context): number | null {
  const time = timeOf(override, 'RECURRENCE-ID');
  return time ? context.toMs(time) : null;
}

interface Instance {
  startMs: number;
  endMs: number;
}

/**
 * The occurrences of one VEVENT up to `until`: DTSTART, then the rule's and RDATE's, without
 * EXDATEs. Each keeps DTSTART's wall-clock time and DTEND's wall-clock length in its own zone, so
 * a 09:00–10:00 meeting stays so across DST changes.
 */
function occurrencesOf(
  event: IcsComponent,
  start: IcsTime,
  rule: RecurrenceRule | undefined,
  { from, to: until }: { from: number; to: number },
  context: Context,
): Instance[] {
  const startMs = context.toMs(start);
  const startDay = dayOf(wallToMs(start.wall));
  const timeOfDay = wallToMs(start.wall) - startDay * DAY_MS;
  const wallLength = lengthOf(event, start, startMs, context);
  const onDay = (day: number): Instance => {
    const at = (localMs: number) => context.toMs({ ...start, wall: msToWall(localMs) } as IcsTime);
    const local = day * DAY_MS + timeOfDay;
    return { startMs: at(local), endMs: at(local + wallLength) };
  };

  const excluded = new Set<number>();
  const excludedDays = new Set<number>();
  for (const property of propertiesOf(event, 'EXDATE')) {
    for (const time of parseTimeList(property)) {
      if (time.kind === 'date') excludedDays.add(dayOf(wallToMs(time.wall)));
      else excluded.add(context.toMs(time));
    }
  }

  const instances: Array<Instance & { day: number }> = [{ ...onDay(startDay), day: startDay }];
  if (rule) {
    const untilMs = rule.until ? untilInstant(rule.until, start, context) : undefined;
    let count = 1;
    for (const day of recurrenceDays(rule, startDay)) {
      if (day === startDay) continue;
      if (rule.count !== undefined && count >= rule.count) break;
      const local = day * DAY_MS + timeOfDay;
      if (local + wallLength + MAX_OFFSET_MS < from) {
        // Long before the window, whatever the zone: count it without converting it.
        if (untilMs !== undefined && local - MAX_OFFSET_MS > untilMs) break;
        count += 1;
        continue;
      }
      const instance = onDay(day);
      if ((untilMs !== undefined && instance.startMs > untilMs) || instance.startMs >= until) break;
      count += 1;
      instances.push({ ...instance, day });
    }
  }
  for (const property of propertiesOf(event, 'RDATE')) {
    for (const time of parseTimeList(property)) {
      const day = dayOf(wallToMs(time.wall));
      const instance = time.kind === 'date' || start.kind === 'date' ? onDay(day) : exactly(context.toMs(time), startMs, onDay(startDay));
      if (instance.startMs !== startMs && instance.startMs < until) instances.push({ ...instance, day });
    }
  }
  return instances.filter((instance) => !excluded.has(instance.startMs) && !excludedDays.has(instance.day));
}

/** An RDATE with its own time: the series' length from there. */
const exactly = (ms: number, startMs: number, first: Instance): Instance => ({
  startMs: ms,
  endMs: ms + (first.endMs - startMs),
});

/**
 * The wall-clock length: DTEND − DTSTART (in DTSTART's zone when both share it), or DURATION; an
 * all-day event without either lasts a day, a timed one no time.
 */
function lengthOf(event: IcsComponent, start: IcsTime, startMs: number, context: Context): number {
  const end = timeOf(event, 'DTEND');
  if (end) {
    const sameClock =
      start.kind === 'date' ||
      end.kind === 'date' ||
      (start.kind === end.kind && (start.kind !== 'zoned' || (end.kind === 'zoned' && end.tzid === start.tzid)));
    return Math.max(0, sameClock ? wallToMs(end.wall) - wallToMs(start.wall) : context.toMs(end) - startMs);
  }
  const duration = parseDuration(propertyOf(event, 'DURATION')?.value ?? '');
  if (duration) return Math.max(0, duration.days * DAY_MS + duration.seconds * 1000);
  return start.kind === 'date' ? DAY_MS : 0;
}

/** UNTIL as an instant comparable with occurrence starts: a date includes that whole local day. */
function untilInstant(until: IcsTime, start: IcsTime, context: Context): number {
  if (until.kind === 'date') {
    const endOfDay = { ...until.wall, hour: 23, minute: 59, second: 59 };
    return start.kind === 'date' ? wallToMs(until.wall) : context.toMs({ ...start, wall: endOfDay } as IcsTime);
  }
  return context.toMs(until);
}

/** Storage form of an occurrence. */
export function toStored(occurrence: Occurrence, feed: string): StoredEvent {
  const { startMs, endMs, ...rest } = occurrence;
  const format = occurrence.all_day ? (ms: number) => formatDay(dayOf(ms)) : (ms: number) => formatInstant(ms);
  return { ...rest, start: format(startMs), end: format(endMs), feed };
}
