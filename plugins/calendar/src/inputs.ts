import type { PluginContext } from '@atrium/plugin-sdk';
import { builtInZone } from './built-in-zones.ts';
import type { WorkingHours } from './intervals.ts';
import { DAY_MS, InvalidInputError, parseInstant } from './time.ts';
import { offsetAt } from './time-zones.ts';

/** The longest range one query reads (its days' indexes are read one by one). */
export const MAX_RANGE_DAYS = 62;

/**
 * The user's offset from UTC in minutes: the call's `timezone_offset_minutes`, else the
 * `time_zone` setting's offset at `reference` (an input date; DST is taken at that moment),
 * else UTC.
 */
export function offsetOf(value: number | undefined, context: PluginContext, reference?: string): number {
  if (value !== undefined) {
    if (!Number.isInteger(value) || value < -720 || value > 840) {
      throw new InvalidInputError('timezone_offset_minutes must be whole minutes between -720 and 840');
    }
    return value;
  }
  const name = context.settings.time_zone;
  if (typeof name !== 'string' || name.trim() === '') return 0;
  const zone = builtInZone(name.trim());
  if (!zone)
    throw new InvalidInputError(`the time_zone setting ${name} is not a zone this plugin knows; pass timezone_offset_minutes instead`);
  const at = reference ? parseInstant(reference, 'date', 0) : Date.now();
  return offsetAt(zone, at);
}

/** The call's working hours, else the settings', else 09:00–17:00. */
export function workingHoursOf(value: WorkingHours | undefined, context: PluginContext): WorkingHours {
  if (value) return value;
  const { working_hours_start: start, working_hours_end: end } = context.settings;
  return { start: typeof start === 'string' ? start : '09:00', end: typeof end === 'string' ? end : '17:00' };
}

/** `from`/`to` as UTC ms, checked: in order and at most `MAX_RANGE_DAYS` apart. */
export function rangeOf(input: { from: string; to: string }, offsetMinutes: number, maxDays = MAX_RANGE_DAYS) {
  const from = parseInstant(input.from, 'from', offsetMinutes);
  const to = parseInstant(input.to, 'to', offsetMinutes);
  if (to <= from) throw new InvalidInputError('to must be after from');
  if (to - from > maxDays * DAY_MS) throw new InvalidInputError(`a range covers at most ${maxDays} days`);
  return { from, to };
}
