import { atrium, defineCapability } from '@atrium/plugin-sdk';
import { hashText, replaceFeedEvents } from './event-store.ts';
import { expandCalendar, toStored } from './feed-events.ts';
import { IcsSyntaxError, parseIcs } from './ics/parse-ics.ts';
import { offsetOf } from './inputs.ts';
import { DAY_MS, dayOf, formatInstant, InvalidInputError, parseInstant } from './time.ts';

/** The feed could not be fetched or is not a calendar. */
export class FeedError extends Error {
  override readonly name = 'FeedError';
}

const MAX_REDIRECTS = 3;
const MAX_WINDOW_DAYS = 400;
const DEFAULT_PAST_DAYS = 7;
const DEFAULT_FUTURE_DAYS = 90;
const MAX_WARNINGS = 20;

/** `webcal://` is how calendar apps publish feeds; it is plain HTTPS underneath. */
const normaliseUrl = (url: string) => url.trim().replace(/^webcals?:\/\//i, 'https://');

const hostOf = (url: string) => /^https?:\/\/([^/?#:]+)/i.exec(url)?.[1]?.toLowerCase() ?? '';

/**
 * Fetches the feed, following a few redirects itself (the host does not follow them, so every
 * hop is checked against the manifest's network permissions).
 */
async function fetchFeed(url: string): Promise<string> {
  let target = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await atrium.fetch(target, { headers: { accept: 'text/calendar, text/plain;q=0.5' } });
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location) {
      target = location.startsWith('/') ? `${/^https?:\/\/[^/]+/i.exec(target)?.[0] ?? ''}${location}` : normaliseUrl(location);
      continue;
    }
    if (response.status !== 200) throw new FeedError(`the calendar feed answered HTTP ${response.status}`);
    if (!/BEGIN:VCALENDAR/i.test(response.body)) throw new FeedError('the URL did not answer an iCalendar feed (no BEGIN:VCALENDAR)');
    return response.body;
  }
  throw new FeedError(`the calendar feed redirected more than ${MAX_REDIRECTS} times`);
}

/**
 * `import_feed`: fetches an ICS feed, expands its events over a window (default: a week back to
 * 90 days ahead) and stores each occurrence; importing the same feed again replaces what it held
 * in that window. The URL (often secret) is not stored; the feed is known by a hash of it.
 */
export const importFeed = defineCapability({
  input: {
    type: 'object',
    properties: {
      url: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      timezone_offset_minutes: { type: 'integer' },
    },
  },
  async handler(input, context) {
    const url = normaliseUrl(input.url ?? (await atrium.secrets.get('feed_url')) ?? '');
    if (!/^https?:\/\//i.test(url)) throw new InvalidInputError('pass the feed url (https:// or webcal://), or set the feed_url setting');
    const offset = offsetOf(input.timezone_offset_minutes, context, input.from);
    const today = dayOf(Date.now()) * DAY_MS;
    const from = input.from ? parseInstant(input.from, 'from', offset) : today - DEFAULT_PAST_DAYS * DAY_MS;
    const to = input.to ? parseInstant(input.to, 'to', offset) : from + (DEFAULT_PAST_DAYS + DEFAULT_FUTURE_DAYS) * DAY_MS;
    if (to <= from) throw new InvalidInputError('to must be after from');
    if (to - from > MAX_WINDOW_DAYS * DAY_MS) throw new InvalidInputError(`the import window covers at most ${MAX_WINDOW_DAYS} days`);

    const text = await fetchFeed(url);
    let roots: ReturnType<typeof parseIcs>;
    try {
      roots = parseIcs(text);
    } catch (error) {
      if (error instanceof IcsSyntaxError) throw new FeedError(`the feed is not valid iCalendar: ${error.message}`);
      throw error;
    }
    const feed = `f${hashText(url)}`;
    const { occurrences, series, warnings } = expandCalendar(roots, { from, to, floatingOffsetMinutes: offset });
    const events = occurrences.map((occurrence) => toStored(occurrence, feed));
    const days: number[] = [];
    for (let day = dayOf(from); day <= dayOf(to - 1); day++) days.push(day);
    const { removed } = await replaceFeedEvents(feed, events, days);
    const summary = {
      feed_id: feed,
      host: hostOf(url),
      events: events.length,
      recurring_series: series,
      removed,
      window: { from: formatInstant(from), to: formatInstant(to) },
      warnings: warnings.slice(0, MAX_WARNINGS),
    };
    await atrium.store.set(`feed:${feed}`, { ...summary, imported_at: formatInstant(Date.now()) });
    await atrium.log('info', `imported ${events.length} occurrences from ${summary.host}`, { removed, series });
    return summary;
  },
});
