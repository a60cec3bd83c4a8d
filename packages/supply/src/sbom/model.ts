/**
 * The one shape every SBOM format is read into. CycloneDX and SPDX differ in names and
 * nesting, not in what a matcher needs: components with identities (purl, CPE) and the
 * edges "A depends on B" between them.
 */

export type SbomFormat = 'cyclonedx' | 'spdx';
export type SbomEncoding = 'json' | 'xml' | 'tag-value';

export interface SbomComponent {
  /** The document's own id for it (CycloneDX bom-ref, SPDX SPDXID), or one made up. */
  ref: string;
  name: string;
  version?: string;
  group?: string;
  type?: string;
  supplier?: string;
  /** Canonical package URL (packageurl-js normal form), when the SBOM gave a valid one. */
  purl?: string;
  /** CPE 2.3 formatted string, when given (2.2 URIs are converted). */
  cpe?: string;
}

export interface SbomIssue {
  /** JSON path (`/components/3/purl`) or `line N` for tag-value and XML. */
  at: string;
  message: string;
}

export interface Sbom {
  format: SbomFormat;
  encoding: SbomEncoding;
  specVersion: string;
  serialNumber?: string;
  name?: string;
  /** The component the SBOM describes (CycloneDX metadata.component, SPDX DESCRIBES). */
  root?: string;
  components: SbomComponent[];
  /** ref → refs it depends on. Cycles are allowed: real SBOMs have them. */
  dependencies: Map<string, string[]>;
  /** Problems that do not make the document unusable (an invalid purl, a dangling edge). */
  issues: SbomIssue[];
}

export interface SbomLimits {
  /** Refuse documents larger than this many bytes. Default 256 MiB. */
  maxBytes?: number;
  /** Refuse documents with more components than this. Default 2,000,000. */
  maxComponents?: number;
  /** Keep at most this many issues (the rest are counted). Default 1,000. */
  maxIssues?: number;
  /** Cut XSD validation of an XML document off after this many milliseconds. Default 300,000. */
  xsdTimeoutMs?: number;
  /** Memory the XSD validator may use, in MiB. Default 256 (it streams: 16 MiB do for 100,000 components). */
  xsdMemoryMiB?: number;
}

export const DEFAULT_LIMITS: Required<SbomLimits> = {
  maxBytes: 256 * 1024 * 1024,
  maxComponents: 2_000_000,
  maxIssues: 1000,
  xsdTimeoutMs: 300_000,
  xsdMemoryMiB: 256,
};
