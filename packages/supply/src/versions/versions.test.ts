import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareVersions, versionScheme } from '../index.js';

const hasDpkg = spawnSync('dpkg', ['--version']).status === 0;

describe('version schemes', () => {
  it('orders npm SemVer, pre-releases included', () => {
    expect(compareVersions('npm', '1.2.3-beta.1', '1.2.3')).toBe(-1);
    expect(compareVersions('npm', '1.10.0', '1.9.9')).toBe(1);
    expect(compareVersions('npm', 'not-a-version', '1.0.0')).toBeNull();
  });

  it('orders Go module versions and pseudo-versions', () => {
    expect(compareVersions('Go', 'v0.0.0-20230101120000-abcdef123456', 'v0.0.1')).toBe(-1);
    expect(compareVersions('Go', 'v1.2.0+incompatible', 'v1.1.9')).toBe(1);
  });

  it('orders PyPI versions by PEP 440', () => {
    const ordered = ['1.0.dev1', '1.0a1', '1.0b2', '1.0rc1', '1.0', '1.0.post1', '1!0.5'];
    for (let i = 0; i + 1 < ordered.length; i++) expect(compareVersions('PyPI', ordered[i], ordered[i + 1])).toBe(-1);
    expect(compareVersions('PyPI', '1.0', '1.0.0')).toBe(0);
  });

  it('orders Maven versions by the Maven version order', () => {
    const ordered = ['1.0-alpha1', '1.0-beta', '1.0-rc1', '1.0-SNAPSHOT', '1.0', '1.0-sp1', '1.0.1', '1.1', '1.10', '2.14.1', '2.15.0'];
    for (let i = 0; i + 1 < ordered.length; i++) expect(compareVersions('Maven', ordered[i], ordered[i + 1]), `${ordered[i]} < ${ordered[i + 1]}`).toBe(-1);
    expect(compareVersions('Maven', '1.0', '1.0.0')).toBe(0);
    expect(compareVersions('Maven', '1-ga', '1.0.final')).toBe(0);
    expect(compareVersions('Maven', '1.0RC1', '1.0-cr1')).toBe(0);
  });

  const debPairs: [string, string][] = [
    ['1.0~rc1-1', '1.0-1'], ['1:1.0', '2.0'], ['1.2.11.dfsg-2', '1.2.11.dfsg-2+deb11u1'], ['2.30-1', '2.30a-1'],
    ['1.0-1', '1.0-1~bpo1'], ['0.9.8', '0.9.10'], ['1.0+b1', '1.0'], ['7.88.1-10+deb12u5', '7.88.1-10+deb12u12'],
  ];

  it.skipIf(!hasDpkg)('orders Debian versions exactly as dpkg --compare-versions does', () => {
    const rnd = fc.sample(fc.tuple(
      fc.stringMatching(/^(?:[0-9]:)?[0-9][0-9a-z.+~]{0,6}(?:-[0-9a-z.+~]{1,4})?$/),
      fc.stringMatching(/^(?:[0-9]:)?[0-9][0-9a-z.+~]{0,6}(?:-[0-9a-z.+~]{1,4})?$/),
    ), { numRuns: 60, seed: 42 });
    for (const [a, b] of [...debPairs, ...rnd]) {
      const ours = compareVersions('Debian', a, b);
      if (ours === null) continue;
      const lt = spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0;
      const eq = spawnSync('dpkg', ['--compare-versions', a, 'eq', b]).status === 0;
      expect(ours, `${a} vs ${b}`).toBe(lt ? -1 : eq ? 0 : 1);
    }
  });

  it('orders generic versions', () => {
    expect(compareVersions('generic', '1.0rc1', '1.0')).toBe(-1);
    expect(compareVersions('generic', '1.0', '1.0.1')).toBe(-1);
    expect(compareVersions('generic', '2.4.10', '2.4.9')).toBe(1);
  });

  it('never throws on arbitrary strings (fuzz)', () => {
    for (const eco of ['npm', 'Go', 'PyPI', 'Maven', 'Debian', 'generic']) {
      const s = versionScheme(eco);
      fc.assert(fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (a, b) => {
        const x = s.parse(a);
        const y = s.parse(b);
        if (x !== null && y !== null) {
          const c = Math.sign(s.compare(x, y));
          expect(Math.sign(s.compare(y, x))).toBe(-c || 0);
        }
      }), { numRuns: 300 });
    }
  });
});
