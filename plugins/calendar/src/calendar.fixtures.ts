/**
 * Calendar feeds as Google Calendar and Outlook publish them (CRLF lines, folded long lines,
 * VTIMEZONE blocks), for the week of Monday 2025-03-03 in Berlin and the DST change on 2025-03-30.
 */

/** iCalendar lines end in CRLF. */
const crlf = (lines: string) => `${lines.split('\n').join('\r\n')}\r\n`;

const BERLIN = `BEGIN:VTIMEZONE
TZID:Europe/Berlin
X-LIC-LOCATION:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE`;

const event = (...lines: string[]) => ['BEGIN:VEVENT', 'DTSTAMP:20250220T080000Z', ...lines, 'END:VEVENT'].join('\n');

/** The work calendar, version 1. */
export function googleWorkFeed({ withOneOnOne = true } = {}) {
  return crlf(
    [
      'BEGIN:VCALENDAR',
      'PRODID:-//Google Inc//Google Calendar 70.9054//EN',
      'VERSION:2.0',
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      'X-WR-CALNAME:ada@example.com',
      'X-WR-TIMEZONE:Europe/Berlin',
      BERLIN,
      // Mon/Wed/Fri 09:30 Berlin until Friday 4 April; Wednesday 5 March skipped, Friday 7 moved.
      event(
        'DTSTART;TZID=Europe/Berlin:20250224T093000',
        'DTEND;TZID=Europe/Berlin:20250224T100000',
        'RRULE:FREQ=WEEKLY;WKST=MO;UNTIL=20250404T215959Z;BYDAY=MO,WE,FR',
        'EXDATE;TZID=Europe/Berlin:20250305T093000',
        'UID:standup-1@google.com',
        'SUMMARY:Team standup',
        'ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Ada:mailto:ada@example.com',
        'ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Sam:mailto:sam@example.com',
        'ORGANIZER;CN=Sam Lee:mailto:sam@example.com',
        'STATUS:CONFIRMED',
        'TRANSP:OPAQUE',
      ),
      event(
        'DTSTART;TZID=Europe/Berlin:20250307T140000',
        'DTEND;TZID=Europe/Berlin:20250307T143000',
        'RECURRENCE-ID;TZID=Europe/Berlin:20250307T093000',
        'UID:standup-1@google.com',
        'SUMMARY:Team standup (moved)',
        'STATUS:CONFIRMED',
      ),
      // A reminder marked "free": it must not block time.
      event(
        'DTSTART;TZID=Europe/Berlin:20250303T120000',
        'DTEND;TZID=Europe/Berlin:20250303T130000',
        'RRULE:FREQ=DAILY;COUNT=10',
        'UID:lunch@google.com',
        'SUMMARY:Lunch',
        'TRANSP:TRANSPARENT',
      ),
      event(
        'DTSTART:20250304T090000Z',
        'DTEND:20250304T110000Z',
        'UID:qp@google.com',
        'SUMMARY:Quarterly planning',
        'LOCATION:Room 4\\, 2nd floor',
        'DESCRIPTION:Agenda:\\n1. Review Q1\\n2. Plan Q2 — bring the numbers from the finance dash',
        ' board and the hiring plan.',
      ),
      event(
        'DTSTART;TZID=Europe/Berlin:20250304T130000',
        'DTEND;TZID=Europe/Berlin:20250304T153000',
        'UID:workshop@google.com',
        'SUMMARY:Customer workshop',
        'STATUS:TENTATIVE',
      ),
      ...(withOneOnOne
        ? [event('DTSTART;TZID=Europe/Berlin:20250304T150000', 'DURATION:PT1H', 'UID:one-on-one@google.com', 'SUMMARY:1:1 with Sam')]
        : []),
      // First Tuesday of each month, after hours.
      event(
        'DTSTART;TZID=Europe/Berlin:20250304T170000',
        'DTEND;TZID=Europe/Berlin:20250304T180000',
        'RRULE:FREQ=MONTHLY;BYDAY=1TU',
        'UID:board@google.com',
        'SUMMARY:Board review',
      ),
      event('DTSTART;VALUE=DATE:20250306', 'DTEND;VALUE=DATE:20250307', 'UID:offsite@google.com', 'SUMMARY:Team offsite'),
      event(
        'DTSTART;VALUE=DATE:20250305',
        'DTEND;VALUE=DATE:20250306',
        'UID:bday@google.com',
        'SUMMARY:Sam’s birthday',
        'TRANSP:TRANSPARENT',
      ),
      event(
        'DTSTART;TZID=Europe/Berlin:20250303T150000',
        'DTEND;TZID=Europe/Berlin:20250303T160000',
        'UID:cancelled@google.com',
        'SUMMARY:Vendor call',
        'STATUS:CANCELLED',
      ),
      'END:VCALENDAR',
    ].join('\n'),
  );
}

/** A second calendar as Outlook publishes it: Windows zone names, defined by VTIMEZONE. */
export function outlookFeed() {
  return crlf(
    [
      'BEGIN:VCALENDAR',
      'METHOD:PUBLISH',
      'PRODID:Microsoft Exchange Server 2010',
      'VERSION:2.0',
      'X-WR-CALNAME:Calendar',
      'BEGIN:VTIMEZONE',
      'TZID:W. Europe Standard Time',
      'BEGIN:STANDARD',
      'DTSTART:16010101T030000',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:16010101T020000',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
      event(
        'UID:040000008200E00074C5B7101A82E00800000000A1B2C3D4E5F6',
        'SUMMARY;LANGUAGE=en-US:Dentist',
        'DTSTART;TZID=W. Europe Standard Time:20250305T110000',
        'DTEND;TZID=W. Europe Standard Time:20250305T120000',
        'CLASS:PUBLIC',
        'PRIORITY:5',
        'TRANSP:OPAQUE',
        'STATUS:CONFIRMED',
      ),
      event(
        'UID:mars-1',
        'SUMMARY:Rover sync',
        'DTSTART;TZID=Mars/Olympus_Mons:20250310T100000',
        'DTEND;TZID=Mars/Olympus_Mons:20250310T110000',
      ),
      'END:VCALENDAR',
    ].join('\n'),
  );
}

/** A busy person's feed: `count` one-off meetings over the window, and a daily series started years ago. */
export function largeFeed(count: number) {
  const meetings = Array.from({ length: count }, (_, index) => {
    const day = new Date(Date.UTC(2025, 1, 24) + Math.floor(index / 4) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
    const hour = String(9 + (index % 4) * 2).padStart(2, '0');
    return event(
      `DTSTART;TZID=Europe/Berlin:${day}T${hour}0000`,
      `DTEND;TZID=Europe/Berlin:${day}T${hour}4500`,
      `UID:m${index}@example.com`,
      `SUMMARY:Meeting ${index}`,
    );
  });
  const daily = event(
    'DTSTART;TZID=Europe/Berlin:20150105T083000',
    'DTEND;TZID=Europe/Berlin:20150105T084500',
    'RRULE:FREQ=DAILY',
    'UID:daily@example.com',
    'SUMMARY:Plan the day',
  );
  return crlf(['BEGIN:VCALENDAR', 'VERSION:2.0', BERLIN, ...meetings, daily, 'END:VCALENDAR'].join('\n'));
}
