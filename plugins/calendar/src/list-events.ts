import { defineCapability } from '@atrium/plugin-sdk';
import type { StoredEvent } from './calendar-event.ts';
import { eventSpan, eventsBetween } from './event-store.ts';
import { offsetOf, rangeOf } from './inputs.ts';
import { formatInstant } from './time.ts';

/** An event as answered: times in the caller's offset, and whether it clashes with another. */
export function presentEvent(event: StoredEvent, offsetMinutes: number, conflict = false) {
  const { feed: _feed, ...rest } = event;
  const span = eventSpan(event, offsetMinutes);
  return {
    ...rest,
    start: event.all_day ? event.start : formatInstant(span.start, offsetMinutes),
    end: event.all_day ? event.end : formatInstant(span.end, offsetMinutes),
    ...(conflict ? { conflict: true } : {}),
  };
}

/** Busy timed events that overlap another busy timed event: double bookings. */
function conflicting(events: StoredEvent[]): Set<StoredEvent> {
  const timed = events.filter((event) => event.busy && !event.all_day);
  const found = new Set<StoredEvent>();
  for (let index = 0; index < timed.length; index++) {
    const a = eventSpan(timed[index]);
    for (let other = index + 1; other < timed.length; other++) {
      const b = eventSpan(timed[other]);
      if (b.start >= a.end) break;
      if (b.end > a.start && a.end > b.start) {
        found.add(timed[index]);
        found.add(timed[other]);
      }
    }
  }
  return found;
}

/** `list_events`: the imported events overlapping `[from, to)`, in order, double bookings flagged. */
export const listEvents = defineCapability({
  input: {
    type: 'object',
    properties: {
      from: { type: 'string' },
      to: { type: 'string' },
      timezone_offset_minutes: { type: 'integer' },
    },
    required: ['from', 'to'],
  },
  async handler(input, context) {
    const offset = offsetOf(input.timezone_offset_minutes, context, input.from);
    const { from, to } = rangeOf(input, offset);
    const events = await eventsBetween(from, to, offset);
    const conflicts = conflicting(events);
    return {
      events: events.map((event) => presentEvent(event, offset, conflicts.has(event))),
      count: events.length,
      conflicts: conflicts.size,
    };
  },
});
