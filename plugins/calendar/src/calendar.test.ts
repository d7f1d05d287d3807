import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostResponse } from '@atrium/plugin-sdk';
import { createHarness, type FetchHandler, type Harness } from '@atrium/plugin-sdk/testing';
import { packPlugin } from '@atrium/plugin-sdk/tooling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleWorkFeed, largeFeed, outlookFeed } from './calendar.fixtures.ts';

const PLUGIN_DIR = fileURLToPath(new URL('..', import.meta.url));
const GOOGLE_URL = 'https://calendar.google.com/calendar/ical/ada%40example.com/private-0123abcd/basic.ics';
const OUTLOOK_URL = 'https://outlook.office365.com/owa/calendar/0a1b@example.com/2c3d/calendar.ics';
const LARGE_URL = 'https://calendar.google.com/calendar/ical/busy%40example.com/private-9/basic.ics';
const WINDOW = { from: '2025-02-24T00:00:00Z', to: '2025-04-30T00:00:00Z' };

/** The calendar servers: ICS text per URL, a redirect, and a 404 for anything else. */
function feeds() {
  const bodies = new Map<string, string>([
    [GOOGLE_URL, googleWorkFeed()],
    [OUTLOOK_URL, outlookFeed()],
    [LARGE_URL, largeFeed(240)],
  ]);
  const handler: FetchHandler = (url): HostResponse => {
    if (url === 'https://calendar.google.com/calendar/ical/moved/basic.ics') {
      return { status: 302, headers: { location: 'https://attacker.example.net/collect.ics' }, body: '' };
    }
    const body = bodies.get(url);
    if (body === undefined) return { status: 404, headers: { 'content-type': 'text/html' }, body: '<h1>Not Found</h1>' };
    return { status: 200, headers: { 'content-type': 'text/calendar; charset=UTF-8' }, body };
  };
  return { handler, bodies };
}

type Listed = { events: Array<{ summary: string; start: string; end: string; conflict?: boolean; all_day: boolean }>; conflicts: number };

describe('calendar plugin', () => {
  const servers = feeds();
  let workDir: string;
  let harness: Harness;

  const list = async (from: string, to: string, extra: Record<string, unknown> = {}) =>
    (await harness.invoke('list_events', { from, to, ...extra })) as Listed;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'atrium-calendar-'));
    const { file } = await packPlugin({ dir: PLUGIN_DIR, out: join(workDir, 'calendar.atrium-plugin.json') });
    harness = await createHarness({ bundle: file, settings: { time_zone: 'Europe/Berlin' }, fetch: servers.handler });
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('imports a Google feed: recurring events expanded, skipped and moved occurrences honoured', async () => {
    const result = await harness.invoke('import_feed', { url: GOOGLE_URL, ...WINDOW });
    expect(result).toMatchObject({ host: 'calendar.google.com', recurring_series: 3, removed: 0, warnings: [] });
    expect(harness.fetched).toEqual([expect.objectContaining({ url: GOOGLE_URL, allowed: true })]);
    // Events are stored per occurrence under event:<uid>:<start>.
    expect(harness.store.get('event:qp@google.com:2025-03-04T09:00:00Z')).toMatchObject({
      summary: 'Quarterly planning',
      location: 'Room 4, 2nd floor',
      description: 'Agenda:\n1. Review Q1\n2. Plan Q2 — bring the numbers from the finance dashboard and the hiring plan.',
    });
    expect(harness.store.get('event:offsite@google.com:2025-03-06')).toMatchObject({ all_day: true, end: '2025-03-07' });
    // Secret feed URLs are credentials: only a hash of the URL is kept.
    expect(JSON.stringify([...harness.store])).not.toContain('private-0123abcd');

    const week = await list('2025-03-03', '2025-03-08');
    expect(week.events.map((event) => [event.summary, event.start])).toEqual([
      ['Team standup', '2025-03-03T09:30:00+01:00'],
      ['Lunch', '2025-03-03T12:00:00+01:00'],
      ['Quarterly planning', '2025-03-04T10:00:00+01:00'],
      ['Lunch', '2025-03-04T12:00:00+01:00'],
      ['Customer workshop', '2025-03-04T13:00:00+01:00'],
      ['1:1 with Sam', '2025-03-04T15:00:00+01:00'],
      ['Board review', '2025-03-04T17:00:00+01:00'],
      ['Sam’s birthday', '2025-03-05'],
      ['Lunch', '2025-03-05T12:00:00+01:00'],
      ['Team offsite', '2025-03-06'],
      ['Lunch', '2025-03-06T12:00:00+01:00'],
      ['Lunch', '2025-03-07T12:00:00+01:00'],
      ['Team standup (moved)', '2025-03-07T14:00:00+01:00'],
    ]);
    expect(week.events.filter((event) => event.conflict).map((event) => event.summary)).toEqual(['Customer workshop', '1:1 with Sam']);
  });

  it('keeps a weekly meeting at its local time across the DST change, and stops at UNTIL and COUNT', async () => {
    const spring = await list('2025-03-24T00:00:00Z', '2025-04-12T00:00:00Z', { timezone_offset_minutes: 0 });
    const standups = spring.events.filter((event) => event.summary === 'Team standup').map((event) => event.start);
    expect(standups).toEqual([
      '2025-03-24T08:30:00Z',
      '2025-03-26T08:30:00Z',
      '2025-03-28T08:30:00Z',
      '2025-03-31T07:30:00Z',
      '2025-04-02T07:30:00Z',
      '2025-04-04T07:30:00Z',
    ]);
    expect(spring.events.filter((event) => event.summary === 'Board review').map((event) => event.start)).toEqual(['2025-04-01T15:00:00Z']);
    const march = await list('2025-03-01', '2025-03-31');
    expect(march.events.filter((event) => event.summary === 'Lunch')).toHaveLength(10);
  });

  it('finds free slots inside working hours, around meetings and all-day blocks', async () => {
    const result = await harness.invoke('find_free_slots', { from: '2025-03-03', to: '2025-03-08', duration_minutes: 60 });
    expect(result).toEqual({
      slots: [
        { start: '2025-03-03T10:00:00+01:00', end: '2025-03-03T17:00:00+01:00', minutes: 420 },
        { start: '2025-03-04T09:00:00+01:00', end: '2025-03-04T10:00:00+01:00', minutes: 60 },
        { start: '2025-03-04T12:00:00+01:00', end: '2025-03-04T13:00:00+01:00', minutes: 60 },
        { start: '2025-03-04T16:00:00+01:00', end: '2025-03-04T17:00:00+01:00', minutes: 60 },
        { start: '2025-03-05T09:00:00+01:00', end: '2025-03-05T17:00:00+01:00', minutes: 480 },
        { start: '2025-03-07T09:00:00+01:00', end: '2025-03-07T14:00:00+01:00', minutes: 300 },
        { start: '2025-03-07T14:30:00+01:00', end: '2025-03-07T17:00:00+01:00', minutes: 150 },
      ],
      count: 7,
    });
    const tight = (await harness.invoke('find_free_slots', {
      from: '2025-03-04',
      to: '2025-03-05',
      duration_minutes: 30,
      working_hours: { start: '08:00', end: '18:00' },
      buffer_minutes: 15,
    })) as { slots: Array<{ start: string; end: string }> };
    expect(tight.slots.map((slot) => [slot.start.slice(11, 16), slot.end.slice(11, 16)])).toEqual([
      ['08:00', '09:45'],
      ['12:15', '12:45'],
      ['16:15', '16:45'],
    ]);
  });

  it('proposes focus blocks in the longest free stretches, spread over the week', async () => {
    const result = (await harness.invoke('propose_focus_blocks', { week_start: '2025-03-03' })) as {
      blocks: Array<{ date: string; weekday: string; start: string; end: string; minutes: number }>;
      total_minutes: number;
    };
    expect(result.blocks.map((block) => [block.weekday, block.start.slice(11, 16), block.end.slice(11, 16)])).toEqual([
      ['Monday', '10:00', '14:00'],
      ['Monday', '14:00', '17:00'],
      ['Wednesday', '09:00', '13:00'],
      ['Wednesday', '13:00', '17:00'],
      ['Friday', '09:00', '13:00'],
    ]);
    expect(result.total_minutes).toBe(1140);
    const three = (await harness.invoke('propose_focus_blocks', { week_start: '2025-03-03', max_blocks: 3 })) as typeof result;
    expect(three.blocks.map((block) => block.weekday)).toEqual(['Monday', 'Wednesday', 'Friday']);
  });

  it('measures the meeting load per day and flags the overloaded ones', async () => {
    const result = await harness.invoke('meeting_load', { week_start: '2025-03-03', threshold_hours: 4 });
    expect(result).toEqual({
      week_start: '2025-03-03',
      threshold_hours: 4,
      days: [
        { date: '2025-03-03', weekday: 'Monday', meeting_hours: 0.5, meetings: 1 },
        { date: '2025-03-04', weekday: 'Tuesday', meeting_hours: 6, meetings: 4 },
        { date: '2025-03-05', weekday: 'Wednesday', meeting_hours: 0, meetings: 0 },
        { date: '2025-03-06', weekday: 'Thursday', meeting_hours: 0, meetings: 0 },
        { date: '2025-03-07', weekday: 'Friday', meeting_hours: 0.5, meetings: 1 },
        { date: '2025-03-08', weekday: 'Saturday', meeting_hours: 0, meetings: 0 },
        { date: '2025-03-09', weekday: 'Sunday', meeting_hours: 0, meetings: 0 },
      ],
      total_hours: 7,
      overloaded: true,
      days_over_threshold: ['2025-03-04'],
    });
    expect(await harness.invoke('meeting_load', { week_start: '2025-03-03', threshold_hours: 6 })).toMatchObject({
      overloaded: false,
      days_over_threshold: [],
    });
  });

  it('merges a second feed, and re-importing one feed replaces only its own events', async () => {
    const outlook = await harness.invoke('import_feed', { url: OUTLOOK_URL, ...WINDOW });
    expect(outlook).toMatchObject({
      host: 'outlook.office365.com',
      events: 2,
      warnings: ['unknown time zone Mars/Olympus_Mons: its times were read as UTC'],
    });
    const wednesday = await list('2025-03-05', '2025-03-06');
    expect(wednesday.events.map((event) => [event.summary, event.start])).toContainEqual(['Dentist', '2025-03-05T11:00:00+01:00']);

    servers.bodies.set(GOOGLE_URL, googleWorkFeed({ withOneOnOne: false }));
    expect(await harness.invoke('import_feed', { url: GOOGLE_URL, ...WINDOW })).toMatchObject({ removed: 1 });
    const tuesday = await list('2025-03-04', '2025-03-05');
    expect(tuesday.events.map((event) => event.summary)).not.toContain('1:1 with Sam');
    expect(tuesday.conflicts).toBe(0);
    expect((await list('2025-03-05', '2025-03-06')).events.map((event) => event.summary)).toContain('Dentist');
  });

  it('refuses feeds on hosts the manifest does not grant, even through a redirect', async () => {
    await expect(harness.invoke('import_feed', { url: 'https://calendar.example.net/team.ics' })).rejects.toMatchObject({
      code: 'plugin_error',
      message: expect.stringContaining('not allowed'),
    });
    await expect(harness.invoke('import_feed', { url: 'https://calendar.google.com/calendar/ical/moved/basic.ics' })).rejects.toThrow(
      /not allowed/,
    );
    expect(harness.fetched.filter((entry) => !entry.allowed).map((entry) => entry.url)).toEqual([
      'https://calendar.example.net/team.ics',
      'https://attacker.example.net/collect.ics',
    ]);
  });

  it('accepts webcal:// iCloud links and reports a feed that is not found', async () => {
    await expect(
      harness.invoke('import_feed', { url: 'webcal://p42-caldav.icloud.com/published/2/MTIzNDU2Nzg5', ...WINDOW }),
    ).rejects.toMatchObject({ guestName: 'FeedError', message: 'the calendar feed answered HTTP 404' });
    expect(harness.fetched.at(-1)).toMatchObject({ url: 'https://p42-caldav.icloud.com/published/2/MTIzNDU2Nzg5', allowed: true });
  });

  it('imports a busy calendar within its deadline', async () => {
    const busy = await createHarness({ bundle: join(workDir, 'calendar.atrium-plugin.json'), fetch: servers.handler });
    try {
      const started = performance.now();
      const result = await busy.invoke('import_feed', { url: LARGE_URL, ...WINDOW });
      expect(result).toMatchObject({ events: 240 + 65, recurring_series: 1 });
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(await busy.invoke('meeting_load', { week_start: '2025-03-03', timezone_offset_minutes: 60 })).toMatchObject({
        total_hours: 22.75,
      });
    } finally {
      await busy.close();
    }
  });

  it('rejects ranges it cannot answer', async () => {
    await expect(harness.invoke('list_events', { from: '2025-03-10', to: '2025-03-01' })).rejects.toMatchObject({
      guestName: 'InvalidInputError',
    });
    await expect(harness.invoke('list_events', { from: '2025-01-01', to: '2025-06-01' })).rejects.toMatchObject({
      guestName: 'InvalidInputError',
    });
    await expect(
      harness.invoke('find_free_slots', {
        from: '2025-03-03',
        to: '2025-03-04',
        duration_minutes: 30,
        working_hours: { start: '17:00', end: '09:00' },
      }),
    ).rejects.toMatchObject({ guestName: 'InvalidInputError' });
  });
});
