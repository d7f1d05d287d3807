/**
 * Just enough semver for `engines.atrium`: versions `x.y.z[-pre][+build]`, and ranges made of
 * `*`, `x.y.z`, `x.y`, `x`, `^…`, `~…`, `>=`, `>`, `<=`, `<`, `=`, joined by spaces (and) and `||`
 * (or). As in npm, a prerelease version only satisfies a comparator set that names a prerelease
 * of the same `x.y.z`.
 *
 * @example
 * satisfiesRange('0.1.4', '^0.1'); // true
 * satisfiesRange('0.2.0', '^0.1'); // false
 * satisfiesRange('1.4.0', '>=1.2.0 <2'); // true
 */

export interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: readonly (string | number)[];
}

type Operator = '>=' | '>' | '<=' | '<' | '=';
interface Comparator {
  operator: Operator;
  version: Version;
  /** The upper bound `^`, `~` or a partial version implies (it names no prerelease of its own). */
  implied?: true;
}
/** Alternatives (`||`) of comparator sets that must all hold. */
export type Range = readonly (readonly Comparator[])[];

const NUMBER = '(0|[1-9]\\d*)';
const PRERELEASE = '(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?';
const BUILD = '(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?';
const VERSION = new RegExp(`^v?${NUMBER}\\.${NUMBER}\\.${NUMBER}${PRERELEASE}${BUILD}$`);
// A partial version: missing or `x`/`*` parts are wildcards; a prerelease needs all three numbers.
const PARTIAL = new RegExp(
  `^v?${NUMBER}(?:\\.(${NUMBER.slice(1, -1)}|[xX*]))?(?:\\.(${NUMBER.slice(1, -1)}|[xX*]))?${PRERELEASE}${BUILD}$`,
);
const COMPARATOR = /^(\^|~|>=|>|<=|<|=)?\s*(.+)$/;

const prereleaseOf = (text: string | undefined) => (text ? text.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)) : []);

/**
 * Parses a full version, or answers `null`.
 *
 * @example
 * parseVersion('1.2.3-beta.1'); // { major: 1, minor: 2, patch: 3, prerelease: ['beta', 1] }
 */
export function parseVersion(text: string): Version | null {
  const match = VERSION.exec(text.trim());
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease: prereleaseOf(match[4]) };
}

/**
 * Semver precedence: negative, zero or positive.
 *
 * @example
 * compareVersions(parseVersion('1.0.0-rc.1')!, parseVersion('1.0.0')!); // < 0
 */
export function compareVersions(a: Version, b: Version): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return core;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  for (let index = 0; index < Math.max(a.prerelease.length, b.prerelease.length); index++) {
    const left = a.prerelease[index];
    const right = b.prerelease[index];
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    if (left === right) continue;
    if (typeof left === 'number' && typeof right === 'number') return left - right;
    if (typeof left === 'number') return -1;
    if (typeof right === 'number') return 1;
    return left < right ? -1 : 1;
  }
  return 0;
}

const version = (major: number, minor = 0, patch = 0, prerelease: readonly (string | number)[] = []): Version => ({
  major,
  minor,
  patch,
  prerelease,
});
// `<x.y.z-0` excludes the prereleases of the upper bound too.
const below = (major: number, minor = 0, patch = 0): Comparator => ({
  operator: '<',
  version: version(major, minor, patch, [0]),
  implied: true,
});

function parseComparator(text: string): Comparator[] | null {
  const [, sign = '', rest] = COMPARATOR.exec(text) ?? [];
  if (rest === undefined) return null;
  if (rest === '*' || rest === 'x' || rest === 'X') return sign === '' || sign === '>=' || sign === '=' ? [] : null;
  const match = PARTIAL.exec(rest);
  if (!match) return null;
  const major = Number(match[1]);
  const minor = match[2] === undefined || /[xX*]/.test(match[2]) ? undefined : Number(match[2]);
  const patch = match[3] === undefined || /[xX*]/.test(match[3]) ? undefined : Number(match[3]);
  if (minor === undefined && patch !== undefined) return null;
  const prerelease = prereleaseOf(match[4]);
  if (prerelease.length > 0 && patch === undefined) return null;
  const low = version(major, minor, patch, prerelease);
  const atLeast: Comparator = { operator: '>=', version: low };
  switch (sign) {
    case '^':
      if (major > 0 || minor === undefined) return [atLeast, below(major + 1)];
      if (minor > 0 || patch === undefined) return [atLeast, below(0, minor + 1)];
      return [atLeast, below(0, 0, patch + 1)];
    case '~':
      return minor === undefined ? [atLeast, below(major + 1)] : [atLeast, below(major, minor + 1)];
    case '':
    case '=':
      if (minor === undefined) return [atLeast, below(major + 1)];
      if (patch === undefined) return [atLeast, below(major, minor + 1)];
      return [{ operator: '=', version: low }];
    case '>=':
      return [atLeast];
    case '<':
      return [{ operator: '<', version: low }];
    // A partial bound is about the whole of what it leaves out: `>1.2` is `>=1.3.0`, `<=1.2` is `<1.3.0-0`.
    case '>':
      if (minor === undefined) return [{ operator: '>=', version: version(major + 1) }];
      if (patch === undefined) return [{ operator: '>=', version: version(major, minor + 1) }];
      return [{ operator: '>', version: low }];
    case '<=':
      if (minor === undefined) return [below(major + 1)];
      if (patch === undefined) return [below(major, minor + 1)];
      return [{ operator: '<=', version: low }];
    default:
      return null;
  }
}

/**
 * Parses a range, or answers `null` when it is not one this module understands.
 *
 * @example
 * parseRange('^0.1') !== null; // true
 * parseRange('latest'); // null
 */
export function parseRange(text: string): Range | null {
  const alternatives = text.trim().split('||');
  const range: Comparator[][] = [];
  for (const alternative of alternatives) {
    // Glue an operator to its version: `>= 1.2.0` is one comparator.
    const parts = alternative
      .trim()
      .replace(/(\^|~|>=|<=|>|<|=)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean);
    if (parts.length === 0) {
      if (alternatives.length > 1) return null;
      range.push([]);
      continue;
    }
    const set: Comparator[] = [];
    for (const part of parts) {
      const comparators = parseComparator(part);
      if (!comparators) return null;
      set.push(...comparators);
    }
    range.push(set);
  }
  return range;
}

function holds(comparator: Comparator, subject: Version): boolean {
  const order = compareVersions(subject, comparator.version);
  switch (comparator.operator) {
    case '>=':
      return order >= 0;
    case '>':
      return order > 0;
    case '<=':
      return order <= 0;
    case '<':
      return order < 0;
    case '=':
      return order === 0;
  }
}

const sameCore = (a: Version, b: Version) => a.major === b.major && a.minor === b.minor && a.patch === b.patch;

function setAllows(set: readonly Comparator[], subject: Version): boolean {
  if (!set.every((comparator) => holds(comparator, subject))) return false;
  if (subject.prerelease.length === 0) return true;
  return set.some((comparator) => !comparator.implied && comparator.version.prerelease.length > 0 && sameCore(comparator.version, subject));
}

/**
 * Whether `version` is in `range`; `false` when either does not parse.
 *
 * @example
 * satisfiesRange('0.1.0', '^0.1'); // true
 * satisfiesRange('1.3.0', '~1.2.5'); // false
 * satisfiesRange('2.0.0', '*'); // true
 */
export function satisfiesRange(version: string, range: string): boolean {
  const subject = parseVersion(version);
  const parsed = parseRange(range);
  if (!subject || !parsed) return false;
  return parsed.some((set) => setAllows(set, subject));
}
