import { defineCapability } from '@atrium/plugin-sdk';
import { eventSpan, eventsBetween } from './event-store.ts';
import { offsetOf } from './inputs.ts';
import { mergeIntervals } from './intervals.ts';
import { DAY_MS, formatDay, HOUR_MS, InvalidInputError, MINUTE_MS, parseDay, WEEKDAYS, weekdayOf } from './time.ts';

const round = (hours: number) => Math.round(hours * 100) / 100;

/**
 * `meeting_load`: hours in meetings on each of the 7 days from `week_start` (busy, timed events;
 * overlapping ones counted once), the week's total, and the days above `threshold_hours`
 * (default 4). All-day entries (holidays, trips) are not meetings and are left out.
 */
export const meetingLoad = defineCapability({
  input: {
    type: 'object',
    properties: {
      week_start: { type: 'string' },
      threshold_hours: { type: 'number' },
      timezone_offset_minutes: { type: 'integer' },
    },
    required: ['week_start'],
  },
  async handler(input, context) {
    const offset = offsetOf(input.timezone_offset_minutes, context, input.week_start);
    const threshold = input.threshold_hours ?? 4;
    if (!(threshold > 0 && threshold <= 24)) throw new InvalidInputError('threshold_hours must be above 0 and at most 24');
    const firstDay = parseDay(input.week_start, 'week_start');
    const from = firstDay * DAY_MS - offset * MINUTE_MS;
    const meetings = (await eventsBetween(from, from + 7 * DAY_MS, offset)).filter((event) => event.busy && !event.all_day);

    let totalHours = 0;
    const days = Array.from({ length: 7 }, (_, index) => {
      const day = firstDay + index;
      const start = from + index * DAY_MS;
      const end = start + DAY_MS;
      const clipped = meetings
        .map((event) => eventSpan(event))
        .filter((span) => span.end > start && span.start < end)
        .map((span) => ({ start: Math.max(span.start, start), end: Math.min(span.end, end) }));
      const hours = mergeIntervals(clipped).reduce((sum, span) => sum + (span.end - span.start), 0) / HOUR_MS;
      totalHours += hours;
      return { date: formatDay(day), weekday: WEEKDAYS[weekdayOf(day)], meeting_hours: round(hours), meetings: clipped.length };
    });
    const over = days.filter((day) => day.meeting_hours > threshold);
    return {
      week_start: input.week_start,
      threshold_hours: threshold,
      days,
      total_hours: round(totalHours),
      overloaded: over.length > 0,
      days_over_threshold: over.map((day) => day.date),
    };
  },
});
