import semver from 'semver';
import type { VersionScheme } from './scheme.js';

/** npm: SemVer 2.0 as node-semver reads it (loose, so `v1.2.3` and `=1.2.3` are accepted). */
export const npmScheme: VersionScheme<semver.SemVer> = {
  name: 'npm',
  parse: (v) => semver.parse(v, { loose: true }),
  compare: (a, b) => a.compare(b),
};

/** Go modules: SemVer with a `v` prefix; pseudo-versions are SemVer pre-releases and order correctly. */
export const goScheme: VersionScheme<semver.SemVer> = {
  name: 'Go',
  parse: (v) => semver.parse(v.startsWith('v') ? v.slice(1) : v),
  compare: (a, b) => a.compare(b),
};
