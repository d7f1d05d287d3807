import { describe, expect, it } from 'vitest';
import { compareVersions, parseRange, parseVersion, satisfiesRange } from './semver.ts';

describe('satisfiesRange', () => {
  it.each([
    ['0.1.0', '^0.1', true],
    ['0.1.9', '^0.1', true],
    ['0.2.0', '^0.1', false],
    ['0.0.9', '^0.1', false],
    ['1.9.3', '^1.2', true],
    ['2.0.0', '^1.2', false],
    ['1.1.9', '^1.2', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['1.2.5', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.2.2', '~1.2.3', false],
    ['1.2.0', '~1.2', true],
    ['1.9.0', '~1', true],
    ['1.0.0', '>=1.0.0', true],
    ['7.3.1', '>=1.0.0', true],
    ['0.9.9', '>=1.0.0', false],
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '1.2.3', false],
    ['1.2.3', '=1.2.3', true],
    ['1.4.0', '1.x', true],
    ['1.4.7', '1.4', true],
    ['0.0.1', '*', true],
    ['42.0.0', '*', true],
    ['1.5.0', '>=1.2.0 <2', true],
    ['2.0.0', '>=1.2.0 <2', false],
    ['1.5.0', '>= 1.2.0 < 2.0.0', true],
    ['3.1.0', '^1.0 || ^3.0', true],
    ['2.1.0', '^1.0 || ^3.0', false],
    ['1.3.0', '>1.2', true],
    ['1.2.9', '>1.2', false],
    ['1.2.9', '<=1.2', true],
    ['1.3.0', '<=1.2', false],
    ['1.2.3+build.7', '^1.2', true],
  ])('%s in %s: %s', (version, range, expected) => {
    expect(satisfiesRange(version, range)).toBe(expected);
  });

  it('lets prereleases in only where the range names one of the same version', () => {
    expect(satisfiesRange('2.0.0-rc.1', '^1.0')).toBe(false);
    expect(satisfiesRange('1.2.0-beta.2', '^1.0')).toBe(false);
    expect(satisfiesRange('1.2.0-beta.2', '^1.2.0-beta.1')).toBe(true);
    expect(satisfiesRange('1.2.0-alpha', '^1.2.0-beta.1')).toBe(false);
    expect(satisfiesRange('1.2.0', '^1.2.0-beta.1')).toBe(true);
    expect(satisfiesRange('0.1.0-dev', '*')).toBe(false);
  });

  it('is false for anything that does not parse', () => {
    expect(satisfiesRange('1.2', '^1.0')).toBe(false);
    expect(satisfiesRange('1.2.0', 'latest')).toBe(false);
    expect(satisfiesRange('1.2.0', '^1.0 ||')).toBe(false);
  });
});

describe('parseRange', () => {
  it('accepts the forms manifests use and refuses the rest', () => {
    for (const range of ['*', '^0.1', '^1', '~1.2.3', '>=0.1.0', '0.1.0', '1.x', '>=1 <2', '^1 || ^2']) {
      expect(parseRange(range), range).not.toBeNull();
    }
    for (const range of ['latest', '^', '1.2.3.4', '>=x.1', '01.2.3', '^1.2-beta', '~>1.0', '1.0.0 - 2.0.0']) {
      expect(parseRange(range), range).toBeNull();
    }
  });
});

describe('versions', () => {
  it('orders by precedence, prereleases before their release', () => {
    const sorted = ['1.0.0', '1.0.0-rc.1', '1.0.0-alpha', '1.0.0-alpha.1', '0.9.10', '0.9.2', '1.0.0-beta.11', '1.0.0-beta.2'].sort(
      (a, b) => compareVersions(parseVersion(a)!, parseVersion(b)!),
    );
    expect(sorted).toEqual(['0.9.2', '0.9.10', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0']);
    expect(parseVersion('1.2')).toBeNull();
  });
});
