import { MamoriError } from '@mamori/core';
import { parseCpe } from './cpe.js';
import { parsePurl } from './purl.js';
import { DEFAULT_LIMITS, type Sbom, type SbomComponent, type SbomEncoding, type SbomFormat, type SbomIssue, type SbomLimits } from './model.js';

/** What a format reader hands over for one component, before identities are normalised. */
export interface RawComponent {
  ref?: string;
  name: string;
  version?: string;
  group?: string;
  type?: string;
  supplier?: string;
  purl?: string;
  cpe?: string;
}

/**
 * Collects components and edges from any reader and does the format-independent work:
 * purl and CPE normalisation, unique refs, the component limit, and a bounded issue list.
 */
export class SbomBuilder {
  readonly components: SbomComponent[] = [];
  readonly dependencies = new Map<string, string[]>();
  readonly issues: SbomIssue[] = [];
  private issueCount = 0;
  private readonly refs = new Set<string>();
  private readonly limits: Required<SbomLimits>;
  root?: string;

  constructor(limits: SbomLimits = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  issue(at: string, message: string): void {
    this.issueCount++;
    if (this.issues.length < this.limits.maxIssues) this.issues.push({ at, message });
  }

  /** Adds a component; returns its ref. `at` locates it in the source for issues. */
  add(raw: RawComponent, at: string): string {
    if (this.components.length >= this.limits.maxComponents) {
      throw new MamoriError('MAMORI_SUPPLY_SBOM_TOO_LARGE', { limit: this.limits.maxComponents, what: 'components', field: at });
    }
    let ref = raw.ref && raw.ref.length > 0 ? raw.ref : `mamori:component:${this.components.length}`;
    if (this.refs.has(ref)) {
      this.issue(at, `duplicate reference "${ref.slice(0, 120)}"; renamed`);
      ref = `${ref}#dup${this.components.length}`;
    }
    this.refs.add(ref);
    const c: SbomComponent = { ref, name: raw.name };
    if (raw.version) c.version = raw.version;
    if (raw.group) c.group = raw.group;
    if (raw.type) c.type = raw.type;
    if (raw.supplier) c.supplier = raw.supplier;
    if (raw.purl) {
      try {
        c.purl = parsePurl(raw.purl).purl;
      } catch (e) {
        this.issue(`${at}/purl`, (e as Error).message);
      }
    }
    if (raw.cpe) {
      try {
        c.cpe = parseCpe(raw.cpe).formatted;
      } catch (e) {
        this.issue(`${at}/cpe`, (e as Error).message);
      }
    }
    this.components.push(c);
    return ref;
  }

  depend(from: string, to: string): void {
    const list = this.dependencies.get(from);
    if (list) { if (!list.includes(to)) list.push(to); } else this.dependencies.set(from, [to]);
  }

  /** Drops edges to or from refs no component has (recorded as issues) and returns the SBOM. */
  finish(meta: { format: SbomFormat; encoding: SbomEncoding; specVersion: string; serialNumber?: string; name?: string }): Sbom {
    for (const [from, tos] of this.dependencies) {
      if (!this.refs.has(from)) {
        this.issue(`dependencies`, `edge from unknown reference "${from.slice(0, 120)}" dropped`);
        this.dependencies.delete(from);
        continue;
      }
      const kept = tos.filter((t) => this.refs.has(t));
      if (kept.length !== tos.length) this.issue('dependencies', `${tos.length - kept.length} edge(s) from "${from.slice(0, 120)}" to unknown references dropped`);
      this.dependencies.set(from, kept);
    }
    if (this.root && !this.refs.has(this.root)) {
      this.issue('root', `described element "${this.root.slice(0, 120)}" is not a component`);
      this.root = undefined;
    }
    if (this.issueCount > this.issues.length) this.issues.push({ at: '', message: `${this.issueCount - this.issues.length} more issue(s) not listed` });
    return { ...meta, root: this.root, components: this.components, dependencies: this.dependencies, issues: this.issues };
  }
}
