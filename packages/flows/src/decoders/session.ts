/**
 * Per-exporter state: templates and options templates per observation domain, sequence
 * expectations and counters. Every table here is bounded (see `SessionLimits`), so a
 * hostile exporter flooding templates or domains cannot grow memory without limit.
 */
import { MamoriError, type ErrorCode } from '@mamori/core';
import type { Template } from './template.js';

export interface SessionLimits {
  /** Templates (data + options) kept per observation domain. */
  maxTemplatesPerDomain: number;
  /** Observation domains / source ids per exporter. */
  maxDomains: number;
  /** Fields in one template (RFC 7011 allows up to 65535; real ones have < 100). */
  maxTemplateFields: number;
  /** A template not refreshed for this long is dropped (RFC 7011 §8.4 for UDP). */
  templateTimeoutMs: number;
  /** A sequence jump larger than this is counted as an exporter restart, not as loss. */
  maxSequenceGap: number;
}

export const DEFAULT_LIMITS: SessionLimits = {
  maxTemplatesPerDomain: 512,
  maxDomains: 64,
  maxTemplateFields: 256,
  templateTimeoutMs: 30 * 60_000,
  maxSequenceGap: 1_000_000,
};

export interface ExporterCounters {
  packets: number;
  bytes: number;
  records: number;
  optionsRecords: number;
  /** Records the exporter numbered but we never received (v5, IPFIX). */
  lostRecords: number;
  /** Export packets numbered but never received (v9 counts packets). */
  lostPackets: number;
  reordered: number;
  restarts: number;
  templates: number;
  templateChanges: number;
  templatesExpired: number;
  templatesWithdrawn: number;
  missingTemplateSets: number;
  errors: number;
  errorsByCode: Partial<Record<ErrorCode | 'OTHER', number>>;
  lastError?: { code: string; message: string; offset?: number };
  firstSeen: number;
  lastSeen: number;
}

export interface DomainState {
  readonly templates: Map<number, Template>;
  /** Last in-order header sequence number and what that packet added. */
  lastSequence: number | null;
  lastIncrement: number;
  /**
   * RFC 7011 numbers a message by the records sent *before* it; some exporters (softflowd
   * 1.1's IPFIX) include the message's own records. Learned from the stream: null until
   * the two readings first disagree.
   */
  inclusiveSequence: boolean | null;
  /** 1 unless an options record or v5 header announced packet sampling. */
  samplingInterval: number;
  /** IPFIX systemInitTimeMilliseconds from an options record, to resolve sysUpTime fields. */
  systemInitMs: number | null;
}

export class ExporterSession {
  readonly domains = new Map<number, DomainState>();
  readonly counters: ExporterCounters;

  constructor(
    readonly key: string,
    readonly limits: SessionLimits = DEFAULT_LIMITS,
    now = Date.now(),
  ) {
    this.counters = {
      packets: 0, bytes: 0, records: 0, optionsRecords: 0, lostRecords: 0, lostPackets: 0, reordered: 0, restarts: 0,
      templates: 0, templateChanges: 0, templatesExpired: 0, templatesWithdrawn: 0, missingTemplateSets: 0,
      errors: 0, errorsByCode: {}, firstSeen: now, lastSeen: now,
    };
  }

  domain(id: number): DomainState {
    let d = this.domains.get(id);
    if (d) return d;
    if (this.domains.size >= this.limits.maxDomains) {
      throw new MamoriError('MAMORI_FLOWS_LIMIT', { reason: `more than ${this.limits.maxDomains} observation domains`, field: 'domain' });
    }
    d = { templates: new Map(), lastSequence: null, lastIncrement: 0, inclusiveSequence: null, samplingInterval: 1, systemInitMs: null };
    this.domains.set(id, d);
    return d;
  }

  /** The live template, or undefined when never received or expired (expired ones are dropped here). */
  template(domain: DomainState, id: number, now: number): Template | undefined {
    const t = domain.templates.get(id);
    if (t && now - t.lastSeen > this.limits.templateTimeoutMs) {
      domain.templates.delete(id);
      this.counters.templatesExpired++;
      return undefined;
    }
    return t;
  }

  /** Adds or refreshes a template; a changed definition replaces the old one. */
  learn(domain: DomainState, t: Template, offset: number): void {
    const old = domain.templates.get(t.id);
    if (old) {
      if (old.signature !== t.signature) this.counters.templateChanges++;
      else { old.lastSeen = t.lastSeen; return; }
    } else if (domain.templates.size >= this.limits.maxTemplatesPerDomain) {
      this.expire(t.lastSeen);
      if (domain.templates.size >= this.limits.maxTemplatesPerDomain) {
        throw new MamoriError('MAMORI_FLOWS_LIMIT', { offset, reason: `more than ${this.limits.maxTemplatesPerDomain} templates in one domain` });
      }
    }
    if (!old) this.counters.templates++;
    domain.templates.set(t.id, t);
  }

  withdraw(domain: DomainState, id: number): void {
    if (domain.templates.delete(id)) this.counters.templatesWithdrawn++;
  }

  /** Drops every template older than the timeout; the collector calls this periodically. */
  expire(now: number): number {
    let n = 0;
    for (const d of this.domains.values()) {
      for (const [id, t] of d.templates) {
        if (now - t.lastSeen > this.limits.templateTimeoutMs) { d.templates.delete(id); n++; }
      }
    }
    this.counters.templatesExpired += n;
    return n;
  }

  /**
   * Sequence-gap accounting. `sequence` is the header's number, `increment` what this packet
   * adds (records or 1). Modular arithmetic (RFC 7011 §3.1: wraps at 2^32); a packet from
   * the past counts as reordered and does not move the expectation back.
   */
  account(domain: DomainState, sequence: number, increment: number, unit: 'records' | 'packets'): void {
    if (domain.lastSequence !== null) {
      const exclusive = (domain.lastSequence + domain.lastIncrement) >>> 0;
      const inclusive = (domain.lastSequence + increment) >>> 0;
      if (domain.inclusiveSequence === null && exclusive !== inclusive && sequence !== exclusive) {
        if (sequence === inclusive) domain.inclusiveSequence = true;
      }
      const expected = domain.inclusiveSequence ? inclusive : exclusive;
      const gap = (sequence - expected) >>> 0;
      if (gap !== 0) {
        if (gap >= 0x80000000) { this.counters.reordered++; return; }
        if (gap > this.limits.maxSequenceGap) this.counters.restarts++;
        else if (unit === 'records') this.counters.lostRecords += gap;
        else this.counters.lostPackets += gap;
      }
    }
    domain.lastSequence = sequence;
    domain.lastIncrement = increment;
  }

  countError(e: unknown): void {
    const c = this.counters;
    c.errors++;
    const code = e instanceof MamoriError ? e.code : 'OTHER';
    c.errorsByCode[code] = (c.errorsByCode[code] ?? 0) + 1;
    c.lastError = {
      code,
      message: e instanceof Error ? e.message : String(e),
      ...(e instanceof MamoriError && typeof e.details.offset === 'number' ? { offset: e.details.offset } : {}),
    };
  }
}
