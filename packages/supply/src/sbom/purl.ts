import { PackageURL } from 'packageurl-js';
import { MamoriError } from '@mamori/core';

/** A package URL split into what matching needs: OSV ecosystem and package name. */
export interface PurlIdentity {
  purl: string;
  type: string;
  ecosystem: string;
  /** The name as the ecosystem's advisories spell it (`@scope/pkg`, `group:artifact`, `golang.org/x/net`). */
  name: string;
  version?: string;
}

/** purl type → OSV ecosystem name (https://ossf.github.io/osv-schema/#affectedpackage-field). */
const ECOSYSTEMS: Record<string, string> = {
  npm: 'npm', pypi: 'PyPI', maven: 'Maven', golang: 'Go', deb: 'Debian', cargo: 'crates.io',
  gem: 'RubyGems', nuget: 'NuGet', composer: 'Packagist', hex: 'Hex', pub: 'Pub', swift: 'SwiftURL',
  apk: 'Alpine', rpm: 'Red Hat', cocoapods: 'CocoaPods', conan: 'ConanCenter', generic: 'generic',
};

/** Parses and canonicalises a purl; throws MAMORI_SUPPLY_PURL naming what is wrong. */
export function parsePurl(input: string): PurlIdentity {
  const p = fromString(input);
  return { ...identityOf(p), purl: p.toString() };
}

/**
 * What matching needs from a purl (ecosystem, name, version), without re-serialising it:
 * the matcher's hot path, where the purl is already the canonical one the reader stored.
 */
export function purlPackage(input: string): Omit<PurlIdentity, 'purl'> {
  return identityOf(fromString(input));
}

function fromString(input: string): PackageURL {
  try {
    return PackageURL.fromString(input.trim());
  } catch (e) {
    throw new MamoriError('MAMORI_SUPPLY_PURL', { purl: input.slice(0, 200), reason: (e as Error).message.replace(/^Invalid purl: /, '') });
  }
}

function identityOf(p: PackageURL): Omit<PurlIdentity, 'purl'> {
  const type = p.type.toLowerCase();
  const ecosystem = ECOSYSTEMS[type] ?? type;
  return { type, ecosystem, name: ecosystemName(type, p.namespace ?? undefined, p.name), version: p.version ?? undefined };
}

/** The package name in the ecosystem's own spelling (what OSV's `package.name` holds). */
export function ecosystemName(type: string, namespace: string | undefined, name: string): string {
  switch (type) {
    case 'npm': return namespace ? `${namespace}/${name}` : name;
    case 'maven': return namespace ? `${namespace}:${name}` : name;
    case 'pypi': return normalisePypiName(name);
    case 'golang': case 'composer': case 'swift': return namespace ? `${namespace}/${name}` : name;
    case 'deb': case 'apk': case 'rpm': return name; // namespace is the distribution
    default: return namespace ? `${namespace}/${name}` : name;
  }
}

/** PEP 503 normalisation: case-insensitive, runs of `-_.` are one `-`. */
export function normalisePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The key an index files a package under: ecosystem and name, normalised where the ecosystem is case-insensitive. */
export function packageKey(ecosystem: string, name: string): string {
  const eco = ecosystem.split(':')[0]; // "Debian:12" → "Debian"
  const n = eco === 'PyPI' ? normalisePypiName(name) : eco === 'npm' || eco === 'Go' || eco === 'Maven' ? name : name.toLowerCase();
  return `${eco}\u0000${n}`;
}
