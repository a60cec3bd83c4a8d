import { debianScheme } from './debian.js';
import { genericScheme } from './generic.js';
import { mavenScheme } from './maven.js';
import { goScheme, npmScheme } from './npm.js';
import { pypiScheme } from './pypi.js';
import type { VersionScheme } from './scheme.js';

export type { VersionScheme } from './scheme.js';
export { debianScheme, verrevcmp } from './debian.js';
export { mavenScheme } from './maven.js';
export { npmScheme, goScheme } from './npm.js';
export { pypiScheme } from './pypi.js';
export { genericScheme } from './generic.js';

const BY_ECOSYSTEM: Record<string, VersionScheme<any>> = {
  npm: npmScheme, Go: goScheme, PyPI: pypiScheme, Maven: mavenScheme, Debian: debianScheme, Ubuntu: debianScheme,
  'crates.io': npmScheme, Hex: npmScheme, Pub: npmScheme,
};

/** The scheme for an OSV ecosystem name (`Debian:12` → Debian); generic when none is known. */
export function versionScheme(ecosystem: string): VersionScheme<any> {
  return BY_ECOSYSTEM[ecosystem.split(':')[0]] ?? genericScheme;
}

/** Compares two version strings in an ecosystem; null when either is not a version there. */
export function compareVersions(ecosystem: string, a: string, b: string): number | null {
  const s = versionScheme(ecosystem);
  const x = s.parse(a);
  const y = s.parse(b);
  return x === null || y === null ? null : Math.sign(s.compare(x, y));
}
