import type { IcsProperty } from './parse-ics.ts';

/** A calendar date and wall-clock time, with no zone. Months are 1–12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * A DATE or DATE-TIME value as written: a whole day, an instant in UTC (`…Z`), or a wall-clock
 * time in a named zone (`TZID=`) or in no zone at all (floating).
 */
export type IcsTime =
  | { kind: 'date'; wall: WallTime }
  | { kind: 'utc'; wall: WallTime }
  | { kind: 'zoned'; wall: WallTime; tzid: string }
  | { kind: 'floating'; wall: WallTime };

const DATE_TIME = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/;

/** Parses one DATE or DATE-TIME text; `tzid` applies to a time without `Z`. */
export function parseTimeText(text: string, tzid?: string, forceDate = false): IcsTime | null {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second, utc] = match;
  const wall = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
  };
  if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > 31 || wall.hour > 23 || wall.minute > 59) return null;
  if (hour === undefined || forceDate) return { kind: 'date', wall: { ...wall, hour: 0, minute: 0, second: 0 } };
  if (utc) return { kind: 'utc', wall };
  return tzid ? { kind: 'zoned', wall, tzid } : { kind: 'floating', wall };
}

/** A DTSTART/DTEND/RECURRENCE-ID property's value. */
export function parseTimeProperty(property: IcsProperty): IcsTime | null {
  return parseTimeText(property.value, property.params.TZID, property.params.VALUE === 'DATE');
}

/** An EXDATE/RDATE property: a comma-separated list (periods `a/b` keep their start). */
export function parseTimeList(property: IcsProperty): IcsTime[] {
  return property.value
    .split(',')
    .map((item) => parseTimeText(item.split('/')[0], property.params.TZID, property.params.VALUE === 'DATE'))
    .filter((time): time is IcsTime => time !== null);
}

/** A DURATION value: whole days (weeks included) and seconds, signed. */
export interface IcsDuration {
  days: number;
  seconds: number;
}

const DURATION = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * Parses `P1D`, `PT1H30M`, `P2W`, `-PT15M`.
 *
 * @example
 * parseDuration('P1DT2H'); // { days: 1, seconds: 7200 }
 */
export function parseDuration(text: string): IcsDuration | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const [, sign, weeks, days, hours, minutes, seconds] = match;
  const factor = sign === '-' ? -1 : 1;
  return {
    days: factor * (Number(weeks ?? 0) * 7 + Number(days ?? 0)),
    seconds: factor * (Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0)),
  };
}

/** A UTC offset such as `+0100`, `-0500` or `+053000`, in minutes. */
export function parseUtcOffset(text: string): number | null {
  const match = /^([+-])(\d{2})(\d{2})(\d{2})?$/.exec(text.trim());
  if (!match) return null;
  const minutes = Number(match[2]) * 60 + Number(match[3]) + Math.round(Number(match[4] ?? 0) / 60);
  return match[1] === '-' ? -minutes : minutes;
}
