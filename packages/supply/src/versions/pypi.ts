import { compare, valid } from '@renovatebot/pep440';
import type { VersionScheme } from './scheme.js';

/** PyPI: PEP 440 (epochs, pre/post/dev releases, local versions) via @renovatebot/pep440. */
export const pypiScheme: VersionScheme<string> = {
  name: 'PyPI',
  parse: (v) => (valid(v) === null ? null : v),
  compare: (a, b) => compare(a, b),
};
