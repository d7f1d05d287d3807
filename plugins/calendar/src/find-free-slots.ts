import { defineCapability } from '@atrium/plugin-sdk';
import { eventsBetween } from './event-store.ts';
import { offsetOf, rangeOf, workingHoursOf } from './inputs.ts';
import { busyIntervals, subtractIntervals, workingDays } from './intervals.ts';
import { formatInstant, InvalidInputError, MINUTE_MS } from './time.ts';

const MAX_SLOTS = 200;

/**
 * `find_free_slots`: the free stretches of at least `duration_minutes` inside working hours
 * (default 09:00–17:00 on weekdays, in the caller's offset), around busy events.
 */
export const findFreeSlots = defineCapability({
  input: {
    type: 'object',
    properties: {
      from: { type: 'string' },
      to: { type: 'string' },
      duration_minutes: { type: 'integer' },
      working_hours: { type: 'object', properties: { start: { type: 'string' }, end: { type: 'string' } }, required: ['start', 'end'] },
      timezone_offset_minutes: { type: 'integer' },
      include_weekends: { type: 'boolean' },
      buffer_minutes: { type: 'integer' },
    },
    required: ['from', 'to', 'duration_minutes'],
  },
  async handler(input, context) {
    const offset = offsetOf(input.timezone_offset_minutes, context, input.from);
    const { from, to } = rangeOf(input, offset);
    if (!(input.duration_minutes > 0)) throw new InvalidInputError('duration_minutes must be positive');
    const days = workingDays(from, to, offset, workingHoursOf(input.working_hours, context), input.include_weekends ?? false);
    const busy = busyIntervals(await eventsBetween(from, to, offset), offset, input.buffer_minutes ?? 0);
    const slots = days
      .flatMap(({ window }) => subtractIntervals(window, busy))
      .filter((slot) => slot.end - slot.start >= input.duration_minutes * MINUTE_MS);
    return {
      slots: slots.slice(0, MAX_SLOTS).map((slot) => ({
        start: formatInstant(slot.start, offset),
        end: formatInstant(slot.end, offset),
        minutes: Math.round((slot.end - slot.start) / MINUTE_MS),
      })),
      count: slots.length,
    };
  },
});
