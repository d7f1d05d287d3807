import type { WallTime } from './ics/values.ts';
import type { Observance, TimeZone } from './time-zones.ts';

/**
 * Common IANA zones, for feeds that name a zone without defining it: as observances with the
 * yearly rules those places use today (older history is not needed for a planning window).
 */

const wall = (year: number, month: number, day: number, hour: number): WallTime => ({ year, month, day, hour, minute: 0, second: 0 });
const fixed = (offset: number): Observance[] => [{ offsetFrom: offset, offsetTo: offset, start: wall(1970, 1, 1, 0), extra: [] }];
/** The EU changes at 01:00 UTC on the last Sundays of March and October. */
const europe = (standard: number): Observance[] => [
  {
    offsetFrom: standard,
    offsetTo: standard + 60,
    start: wall(1996, 3, 31, 1 + standard / 60),
    yearly: { month: 3, weekday: 0, ordinal: -1 },
    extra: [],
  },
  {
    offsetFrom: standard + 60,
    offsetTo: standard,
    start: wall(1996, 10, 27, 2 + standard / 60),
    yearly: { month: 10, weekday: 0, ordinal: -1 },
    extra: [],
  },
];
/** The US and Canada: second Sunday of March to first Sunday of November, at 02:00 local. */
const northAmerica = (standard: number): Observance[] => [
  { offsetFrom: standard, offsetTo: standard + 60, start: wall(2007, 3, 11, 2), yearly: { month: 3, weekday: 0, ordinal: 2 }, extra: [] },
  { offsetFrom: standard + 60, offsetTo: standard, start: wall(2007, 11, 4, 2), yearly: { month: 11, weekday: 0, ordinal: 1 }, extra: [] },
];
/** South-eastern Australia: first Sunday of October to first Sunday of April. */
const australia = (standard: number): Observance[] => [
  { offsetFrom: standard, offsetTo: standard + 60, start: wall(2008, 10, 5, 2), yearly: { month: 10, weekday: 0, ordinal: 1 }, extra: [] },
  { offsetFrom: standard + 60, offsetTo: standard, start: wall(2008, 4, 6, 3), yearly: { month: 4, weekday: 0, ordinal: 1 }, extra: [] },
];
const newZealand: Observance[] = [
  { offsetFrom: 720, offsetTo: 780, start: wall(2007, 9, 30, 2), yearly: { month: 9, weekday: 0, ordinal: -1 }, extra: [] },
  { offsetFrom: 780, offsetTo: 720, start: wall(2008, 4, 6, 3), yearly: { month: 4, weekday: 0, ordinal: 1 }, extra: [] },
];

const BUILT_IN = new Map<string, Observance[]>();
const define = (names: string, observances: Observance[]) => {
  for (const name of names.split(' ')) BUILT_IN.set(name, observances);
};
define('UTC Etc/UTC Etc/GMT GMT Z Africa/Abidjan Atlantic/Reykjavik', fixed(0));
define('Europe/London Europe/Dublin Europe/Lisbon Atlantic/Canary Atlantic/Madeira', europe(0));
define(
  'Europe/Berlin Europe/Paris Europe/Madrid Europe/Rome Europe/Amsterdam Europe/Brussels Europe/Vienna Europe/Zurich Europe/Stockholm Europe/Oslo Europe/Copenhagen Europe/Prague Europe/Warsaw Europe/Budapest Europe/Belgrade Europe/Luxembourg Europe/Ljubljana Europe/Zagreb Europe/Bratislava Europe/Monaco Europe/Malta',
  europe(60),
);
define(
  'Europe/Athens Europe/Helsinki Europe/Kiev Europe/Kyiv Europe/Riga Europe/Tallinn Europe/Vilnius Europe/Bucharest Europe/Sofia',
  europe(120),
);
define('Europe/Istanbul Europe/Moscow Africa/Nairobi Asia/Riyadh Asia/Baghdad', fixed(180));
define('Africa/Lagos Africa/Algiers', fixed(60));
define('Africa/Johannesburg', fixed(120));
define('America/New_York America/Toronto America/Detroit America/Montreal America/Nassau', northAmerica(-300));
define('America/Chicago America/Winnipeg', northAmerica(-360));
define('America/Denver America/Edmonton America/Boise', northAmerica(-420));
define('America/Los_Angeles America/Vancouver America/Tijuana', northAmerica(-480));
define('America/Anchorage', northAmerica(-540));
define('America/Halifax', northAmerica(-240));
define('America/Phoenix', fixed(-420));
define('Pacific/Honolulu', fixed(-600));
define('America/Mexico_City America/Costa_Rica America/Guatemala', fixed(-360));
define('America/Bogota America/Lima America/Panama', fixed(-300));
define('America/Sao_Paulo America/Argentina/Buenos_Aires America/Buenos_Aires America/Montevideo', fixed(-180));
define('Asia/Dubai', fixed(240));
define('Asia/Karachi Asia/Tashkent', fixed(300));
define('Asia/Kolkata Asia/Calcutta', fixed(330));
define('Asia/Dhaka', fixed(360));
define('Asia/Bangkok Asia/Jakarta Asia/Ho_Chi_Minh', fixed(420));
define('Asia/Shanghai Asia/Hong_Kong Asia/Singapore Asia/Taipei Asia/Manila Australia/Perth', fixed(480));
define('Asia/Tokyo Asia/Seoul', fixed(540));
define('Australia/Brisbane', fixed(600));
define('Australia/Darwin', fixed(570));
define('Australia/Adelaide', australia(570));
define('Australia/Sydney Australia/Melbourne Australia/Canberra Australia/Hobart', australia(600));
define('Pacific/Auckland', newZealand);

/**
 * The built-in zone of an IANA name; also finds it at the end of a vendor prefix
 * (`/mozilla.org/20050126_1/Europe/Berlin`).
 */
export function builtInZone(tzid: string): TimeZone | null {
  const parts = tzid.replace(/^\/+/, '').split('/');
  for (let start = 0; start < parts.length; start++) {
    const observances = BUILT_IN.get(parts.slice(start).join('/'));
    if (observances) return { id: tzid, observances };
  }
  return null;
}
