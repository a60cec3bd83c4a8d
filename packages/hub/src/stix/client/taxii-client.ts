/**
 * A TAXII 2.1 client (OASIS TAXII 2.1 §4–§5) for any conforming server, mamori's included:
 * discovery, API roots, collections, objects with pagination through `next`, manifest,
 * versions, add with status polling. Transient failures (network errors, 429, 5xx) are
 * retried with exponential back-off and full jitter, honouring Retry-After.
 */
import { MamoriError } from '@mamori/core';
import { TAXII_MEDIA_TYPE } from '../taxii/media.js';

export interface TaxiiClientOptions {
  /** A discovery URL (…/taxii2/) or an API root URL. */
  url: string;
  token?: string;
  /** Attempts per request beyond the first. */
  retries?: number;
  /** First back-off delay; doubles each attempt, capped by maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
}

export interface TaxiiCollectionInfo {
  id: string;
  title: string;
  description?: string;
  can_read: boolean;
  can_write: boolean;
  media_types?: string[];
}

export interface ObjectsQuery {
  addedAfter?: string;
  limit?: number;
  next?: string;
  match?: { id?: string[]; type?: string[]; version?: string[]; spec_version?: string[] };
}

export interface ObjectsPage {
  more: boolean;
  next?: string;
  objects: Record<string, unknown>[];
  /** X-TAXII-Date-Added-First / -Last. */
  first?: string;
  last?: string;
}

export interface TaxiiStatus {
  id: string;
  status: 'pending' | 'complete';
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  successes?: { id: string; version?: string; message?: string }[];
  failures?: { id: string; version?: string; message?: string }[];
}

const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function withSlash(u: string): string {
  return u.endsWith('/') ? u : `${u}/`;
}

export class TaxiiClient {
  private apiRootUrl?: string;
  private readonly fetchFn: typeof fetch;

  constructor(readonly options: TaxiiClientOptions) {
    this.fetchFn = options.fetch ?? fetch;
  }

  /** One HTTP exchange with retries; the parsed JSON body and the response headers. */
  async request(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
    const retries = this.options.retries ?? 5;
    const base = this.options.backoffMs ?? 500;
    const cap = this.options.maxBackoffMs ?? 30_000;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      let retryAfterMs: number | undefined;
      try {
        const res = await this.fetchFn(url, {
          method,
          headers: {
            accept: TAXII_MEDIA_TYPE,
            ...(payload !== undefined ? { 'content-type': TAXII_MEDIA_TYPE } : {}),
            ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
          },
          body: payload,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
        });
        const text = await res.text();
        let parsed: any;
        try {
          parsed = text ? JSON.parse(text) : {};
        } catch {
          parsed = undefined;
        }
        if (res.ok) {
          if (parsed === undefined) throw new MamoriError('MAMORI_HUB_TAXII_REMOTE', { url, status: res.status, reason: 'answer is not JSON' });
          return { status: res.status, body: parsed, headers: res.headers };
        }
        reason = parsed?.description ?? parsed?.title ?? (text.slice(0, 200) || res.statusText);
        if (!RETRY_STATUS.has(res.status) || attempt >= retries) {
          throw new MamoriError('MAMORI_HUB_TAXII_REMOTE', { url, status: res.status, reason, remote: parsed });
        }
        const ra = res.headers.get('retry-after');
        if (ra && /^\d+$/.test(ra)) retryAfterMs = Number(ra) * 1000;
      } catch (e) {
        if (e instanceof MamoriError) throw e;
        reason = (e as Error)?.message ?? String(e);
        if (attempt >= retries) throw new MamoriError('MAMORI_HUB_TAXII_REMOTE', { url, status: 'no answer', reason }, { cause: e });
      }
      const delayMs = Math.min(cap, retryAfterMs ?? Math.floor(Math.random() * base * 2 ** attempt));
      this.options.onRetry?.({ url, attempt: attempt + 1, delayMs, reason });
      await sleep(delayMs);
    }
  }

  async discovery(): Promise<{ title?: string; default?: string; api_roots?: string[] }> {
    return (await this.request('GET', withSlash(this.options.url))).body;
  }

  /** The API root URL: the given URL when it is one, else the discovery's default (or first) root. */
  async apiRoot(): Promise<string> {
    if (this.apiRootUrl) return this.apiRootUrl;
    const url = withSlash(this.options.url);
    const r = (await this.request('GET', url)).body;
    if (Array.isArray(r.versions)) {
      this.apiRootUrl = url;
    } else if (typeof r.default === 'string' || (Array.isArray(r.api_roots) && r.api_roots.length)) {
      this.apiRootUrl = withSlash(new URL(r.default ?? r.api_roots[0], url).toString());
    } else {
      throw new MamoriError('MAMORI_HUB_TAXII_REMOTE', { url, status: 200, reason: 'neither a discovery nor an API root resource' });
    }
    return this.apiRootUrl;
  }

  async apiRootInfo(): Promise<{ title?: string; versions: string[]; max_content_length: number }> {
    return (await this.request('GET', await this.apiRoot())).body;
  }

  async collections(): Promise<TaxiiCollectionInfo[]> {
    return ((await this.request('GET', `${await this.apiRoot()}collections/`)).body.collections ?? []) as TaxiiCollectionInfo[];
  }

  private async collectionUrl(id: string): Promise<string> {
    return `${await this.apiRoot()}collections/${encodeURIComponent(id)}/`;
  }

  private static query(q: ObjectsQuery): string {
    const p = new URLSearchParams();
    if (q.addedAfter) p.set('added_after', q.addedAfter);
    if (q.limit) p.set('limit', String(q.limit));
    if (q.next) p.set('next', q.next);
    for (const [k, v] of Object.entries(q.match ?? {})) if (v?.length) p.set(`match[${k}]`, v.join(','));
    const s = p.toString();
    return s ? `?${s}` : '';
  }

  async getObjects(collectionId: string, q: ObjectsQuery = {}): Promise<ObjectsPage> {
    const r = await this.request('GET', `${await this.collectionUrl(collectionId)}objects/${TaxiiClient.query(q)}`);
    return {
      more: r.body.more === true, next: typeof r.body.next === 'string' ? r.body.next : undefined, objects: Array.isArray(r.body.objects) ? r.body.objects : [],
      first: r.headers.get('x-taxii-date-added-first') ?? undefined, last: r.headers.get('x-taxii-date-added-last') ?? undefined,
    };
  }

  async getObject(collectionId: string, objectId: string, q: ObjectsQuery = {}): Promise<ObjectsPage> {
    const r = await this.request('GET', `${await this.collectionUrl(collectionId)}objects/${encodeURIComponent(objectId)}/${TaxiiClient.query(q)}`);
    return { more: r.body.more === true, next: r.body.next, objects: r.body.objects ?? [] };
  }

  async manifest(collectionId: string, q: ObjectsQuery = {}): Promise<{ more: boolean; next?: string; objects: { id: string; date_added: string; version: string; media_type?: string }[] }> {
    const r = await this.request('GET', `${await this.collectionUrl(collectionId)}manifest/${TaxiiClient.query(q)}`);
    return { more: r.body.more === true, next: r.body.next, objects: r.body.objects ?? [] };
  }

  async versions(collectionId: string, objectId: string, q: ObjectsQuery = {}): Promise<{ more: boolean; next?: string; versions: string[] }> {
    const r = await this.request('GET', `${await this.collectionUrl(collectionId)}objects/${encodeURIComponent(objectId)}/versions/${TaxiiClient.query(q)}`);
    return { more: r.body.more === true, next: r.body.next, versions: r.body.versions ?? [] };
  }

  async addObjects(collectionId: string, objects: unknown[]): Promise<TaxiiStatus> {
    return (await this.request('POST', `${await this.collectionUrl(collectionId)}objects/`, { objects })).body as TaxiiStatus;
  }

  async status(statusId: string): Promise<TaxiiStatus> {
    return (await this.request('GET', `${await this.apiRoot()}status/${encodeURIComponent(statusId)}/`)).body as TaxiiStatus;
  }

  /** Polls a status until it is complete (or the time is up: the last status is returned). */
  async waitForStatus(status: TaxiiStatus, options: { pollMs?: number; timeoutMs?: number } = {}): Promise<TaxiiStatus> {
    const deadline = Date.now() + (options.timeoutMs ?? 300_000);
    let s = status;
    let poll = options.pollMs ?? 200;
    while (s.status !== 'complete' && Date.now() < deadline) {
      await sleep(poll);
      poll = Math.min(poll * 2, 5000);
      s = await this.status(s.id);
    }
    return s;
  }

  /** Every page of a collection from a position, following `next`. */
  async *pages(collectionId: string, q: ObjectsQuery = {}): AsyncGenerator<ObjectsPage> {
    let query = { ...q };
    let lastWithoutNext: string | undefined;
    for (;;) {
      const page = await this.getObjects(collectionId, query);
      yield page;
      if (!page.more) return;
      if (page.next) {
        query = { ...q, next: page.next };
        continue;
      }
      // A server without `next`: move on by date_added, refusing to go round in circles.
      if (!page.last || page.last === lastWithoutNext) {
        throw new MamoriError('MAMORI_HUB_TAXII_REMOTE', { url: this.options.url, status: 200, reason: 'more=true without next or a new X-TAXII-Date-Added-Last: cannot page on safely' });
      }
      lastWithoutNext = page.last;
      query = { ...q, addedAfter: page.last, next: undefined };
    }
  }
}
