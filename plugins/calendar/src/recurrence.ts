import { type IcsTime, parseTimeText } from './ics/values.ts';
import { DAY_MS, dayOf, weekdayOf } from './time.ts';

/**
 * RRULE (RFC 5545 §3.3.10) as calendars use it for meetings: DAILY, WEEKLY, MONTHLY and YEARLY
 * with INTERVAL, COUNT, UNTIL, BYDAY (with ordinals for MONTHLY/YEARLY), BYMONTHDAY, BYMONTH and
 * WKST. Expansion works on local calendar days, so a 09:00 meeting stays at 09:00 across DST.
 */

export type Frequency = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';

export interface RecurrenceRule {
  frequency: Frequency;
  interval: number;
  count?: number;
  until?: IcsTime;
  /** Weekdays (0 = Sunday), with an ordinal for "2nd Tuesday" / "last Friday". */
  byDay?: Array<{ weekday: number; ordinal?: number }>;
  byMonthDay?: number[];
  byMonth?: number[];
  weekStart: number;
}

const WEEKDAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const FREQUENCIES = new Set(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
const SUPPORTED = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'WKST']);

/** Parses an RRULE value; `unsupported` names what this expander cannot honour. */
export function parseRule(text: string): { rule: RecurrenceRule } | { unsupported: string } {
  const parts: Record<string, string> = {};
  for (const part of text.split(';')) {
    const [name, value] = part.split('=');
    if (name && value !== undefined) parts[name.toUpperCase()] = value.toUpperCase();
  }
  const frequency = parts.FREQ;
  if (!FREQUENCIES.has(frequency)) return { unsupported: `FREQ=${frequency ?? '(none)'}` };
  const extra = Object.keys(parts).filter((name) => !SUPPORTED.has(name));
  if (extra.length > 0) return { unsupported: extra.join(', ') };
  const byDay = parts.BYDAY?.split(',').map((item) => /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(item));
  if (byDay?.some((match) => !match)) return { unsupported: `BYDAY=${parts.BYDAY}` };
  const rule: RecurrenceRule = {
    frequency: frequency as Frequency,
    interval: Math.max(1, Number(parts.INTERVAL ?? 1) || 1),
    weekStart: Math.max(0, WEEKDAY_CODES.indexOf(parts.WKST ?? 'MO')),
  };
  if (parts.COUNT) rule.count = Math.max(0, Number(parts.COUNT));
  if (parts.UNTIL) rule.until = parseTimeText(parts.UNTIL) ?? undefined;
  if (byDay)
    rule.byDay = byDay.map((match) => ({ weekday: WEEKDAY_CODES.indexOf(match![2]), ordinal: match![1] ? Number(match![1]) : undefined }));
  if (parts.BYMONTHDAY) rule.byMonthDay = parts.BYMONTHDAY.split(',').map(Number);
  if (parts.BYMONTH) rule.byMonth = parts.BYMONTH.split(',').map(Number);
  if (rule.byDay?.some((day) => day.ordinal !== undefined) && (frequency === 'DAILY' || frequency === 'WEEKLY')) {
    return { unsupported: `BYDAY with ordinals for FREQ=${frequency}` };
  }
  if (frequency === 'YEARLY' && rule.byDay && !rule.byMonth) return { unsupported: 'BYDAY without BYMONTH for FREQ=YEARLY' };
  return { rule };
}

const ymd = (day: number) => {
  const date = new Date(day * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, date: date.getUTCDate() };
};
const dayNumber = (year: number, month: number, date: number) => dayOf(Date.UTC(year, month - 1, date));
const monthLength = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The days of one month the rule selects (BYMONTHDAY, BYDAY with or without ordinals, or the start's date). */
function daysInMonth(rule: RecurrenceRule, year: number, month: number, startDate: number): number[] {
  const length = monthLength(year, month);
  let dates: number[];
  if (rule.byMonthDay) {
    dates = rule.byMonthDay.map((wanted) => (wanted > 0 ? wanted : length + wanted + 1)).filter((date) => date >= 1 && date <= length);
  } else if (!rule.byDay) {
    dates = startDate <= length ? [startDate] : [];
  } else {
    dates = Array.from({ length }, (_, index) => index + 1);
  }
  if (rule.byDay) {
    const byDay = rule.byDay;
    const all = dates;
    dates = all.filter((date) => {
      const weekday = weekdayOf(dayNumber(year, month, date));
      return byDay.some((wanted) => {
        if (wanted.weekday !== weekday) return false;
        if (wanted.ordinal === undefined) return true;
        const sameWeekday = all.filter((other) => weekdayOf(dayNumber(year, month, other)) === weekday);
        const position = wanted.ordinal > 0 ? wanted.ordinal - 1 : sameWeekday.length + wanted.ordinal;
        return sameWeekday[position] === date;
      });
    });
  }
  return [...new Set(dates)].sort((a, b) => a - b).map((date) => dayNumber(year, month, date));
}

/** Days of the set's periods, in order, from the start day on; stops after `maxPeriods` periods. */
export function* recurrenceDays(rule: RecurrenceRule, startDay: number, maxPeriods = 20_000): Generator<number> {
  const start = ymd(startDay);
  const inMonths = (day: number) => !rule.byMonth || rule.byMonth.includes(ymd(day).month);
  for (let period = 0; period < maxPeriods; period++) {
    let candidates: number[];
    if (rule.frequency === 'DAILY') {
      const day = startDay + period * rule.interval;
      const { date } = ymd(day);
      const keep =
        inMonths(day) &&
        (!rule.byMonthDay || rule.byMonthDay.includes(date)) &&
        (!rule.byDay || rule.byDay.some((wanted) => wanted.weekday === weekdayOf(day)));
      candidates = keep ? [day] : [];
    } else if (rule.frequency === 'WEEKLY') {
      const weekStart = startDay - ((weekdayOf(startDay) - rule.weekStart + 7) % 7) + period * 7 * rule.interval;
      const weekdays = rule.byDay ? rule.byDay.map((wanted) => wanted.weekday) : [weekdayOf(startDay)];
      candidates = weekdays.map((weekday) => weekStart + ((weekday - rule.weekStart + 7) % 7)).filter(inMonths);
    } else if (rule.frequency === 'MONTHLY') {
      const index = start.month - 1 + period * rule.interval;
      const year = start.year + Math.floor(index / 12);
      const month = (index % 12) + 1;
      candidates = rule.byMonth && !rule.byMonth.includes(month) ? [] : daysInMonth(rule, year, month, start.date);
    } else {
      const year = start.year + period * rule.interval;
      candidates = (rule.byMonth ?? [start.month]).flatMap((month) => daysInMonth(rule, year, month, start.date));
    }
    for (const day of [...new Set(candidates)].sort((a, b) => a - b)) if (day >= startDay) yield day;
  }
}
