import { defineCapability } from '@atrium/plugin-sdk';
import { eventsBetween } from './event-store.ts';
import { offsetOf, workingHoursOf } from './inputs.ts';
import { busyIntervals, type Interval, subtractIntervals, workingDays } from './intervals.ts';
import { DAY_MS, formatDay, formatInstant, InvalidInputError, MINUTE_MS, parseDay, WEEKDAYS, weekdayOf } from './time.ts';

/** Deep work past about four hours stops paying; longer stretches are offered as several blocks. */
const MAX_BLOCK_MINUTES = 240;
const ALIGN_MINUTES = 15;

interface Candidate extends Interval {
  day: number;
}

/** A free stretch aligned to quarter hours and cut into blocks of at most four hours. */
function blocksIn(stretch: Interval, day: number, minimum: number): Candidate[] {
  const align = ALIGN_MINUTES * MINUTE_MS;
  let start = Math.ceil(stretch.start / align) * align;
  const end = Math.floor(stretch.end / align) * align;
  const blocks: Candidate[] = [];
  while (end - start >= minimum * MINUTE_MS) {
    const blockEnd = Math.min(end, start + MAX_BLOCK_MINUTES * MINUTE_MS);
    blocks.push({ start, end: blockEnd, day });
    start = blockEnd;
  }
  return blocks;
}

/**
 * `propose_focus_blocks`: the longest free stretches of the working week (Monday to Friday from
 * `week_start`), as blocks of at least `block_minutes`. Longest first, one per day before any
 * day gets a second, so focus time is spread over the week.
 */
export const proposeFocusBlocks = defineCapability({
  input: {
    type: 'object',
    properties: {
      week_start: { type: 'string' },
      block_minutes: { type: 'integer' },
      max_blocks: { type: 'integer' },
      working_hours: { type: 'object', properties: { start: { type: 'string' }, end: { type: 'string' } }, required: ['start', 'end'] },
      timezone_offset_minutes: { type: 'integer' },
    },
    required: ['week_start'],
  },
  async handler(input, context) {
    const offset = offsetOf(input.timezone_offset_minutes, context, input.week_start);
    const minimum = input.block_minutes ?? 90;
    const maxBlocks = input.max_blocks ?? 5;
    if (minimum < ALIGN_MINUTES || minimum > MAX_BLOCK_MINUTES) {
      throw new InvalidInputError(`block_minutes must be between ${ALIGN_MINUTES} and ${MAX_BLOCK_MINUTES}`);
    }
    if (maxBlocks < 1) throw new InvalidInputError('max_blocks must be at least 1');
    const firstDay = parseDay(input.week_start, 'week_start');
    const from = firstDay * DAY_MS - offset * MINUTE_MS;
    const to = from + 7 * DAY_MS;
    const busy = busyIntervals(await eventsBetween(from, to, offset), offset);
    const candidates = workingDays(from, to, offset, workingHoursOf(input.working_hours, context))
      .flatMap(({ day, window }) => subtractIntervals(window, busy).flatMap((stretch) => blocksIn(stretch, day, minimum)))
      .sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);

    const chosen: Candidate[] = [];
    const daysUsed = new Set<number>();
    for (const spread of [true, false]) {
      for (const candidate of candidates) {
        if (chosen.length >= maxBlocks) break;
        if (chosen.includes(candidate) || (spread && daysUsed.has(candidate.day))) continue;
        chosen.push(candidate);
        daysUsed.add(candidate.day);
      }
    }
    chosen.sort((a, b) => a.start - b.start);
    const blocks = chosen.map((block) => ({
      date: formatDay(block.day),
      weekday: WEEKDAYS[weekdayOf(block.day)],
      start: formatInstant(block.start, offset),
      end: formatInstant(block.end, offset),
      minutes: Math.round((block.end - block.start) / MINUTE_MS),
    }));
    return { week_start: input.week_start, blocks, total_minutes: blocks.reduce((sum, block) => sum + block.minutes, 0) };
  },
});
