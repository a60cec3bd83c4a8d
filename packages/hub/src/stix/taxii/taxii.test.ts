import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMamoriError, testBackends, type Platform } from '@mamori/core';
import { decodeCursor, encodeCursor, queryDigest } from './cursor.js';
import { acceptsTaxii, isTaxiiContentType } from './media.js';
import { parseTaxiiQuery } from './params.js';
import { TaxiiService } from './service.js';
import type { TaxiiAccess } from './access.js';
import { stixMigrations } from '../store/migrations.js';
import { StixStore } from '../store/stix-store.js';
import { sampleIndicator } from '../samples.js';

const key = randomBytes(32);

describe('next cursor', () => {
  const pos = { dateAdded: 1_790_000_000_000_000, id: 'indicator--6b4a1f2e-3d5c-4e7f-8a9b-0c1d2e3f4a5b', versionKey: '2026-01-01T00:00:00.000000000Z' };
  const digest = queryDigest({ types: ['indicator'] });

  it('round-trips and is bound to its query and its key', () => {
    const c = encodeCursor(key, pos, digest);
    expect(decodeCursor(key, c, digest)).toEqual(pos);
    expect(() => decodeCursor(key, c, queryDigest({ types: ['malware'] }))).toThrow(/other filters/);
    expect(() => decodeCursor(randomBytes(32), c, digest)).toThrow(/signature/);
  });

  it('fuzz: any tampering is a MAMORI_HUB_TAXII_CURSOR error', () => {
    const c = encodeCursor(key, pos, digest);
    fc.assert(fc.property(fc.nat({ max: c.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }), (i, ch) => {
      const t = c.slice(0, i) + ch + c.slice(i + 1);
      if (t === c) return;
      try {
        decodeCursor(key, t, digest);
        // base64url has a few equivalent encodings of a final partial byte: the same payload may survive
        expect(decodeCursor(key, t, digest)).toEqual(pos);
      } catch (e) {
        expect(isMamoriError(e, 'MAMORI_HUB_TAXII_CURSOR')).toBe(true);
      }
    }), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ maxLength: 3000 }), (s) => {
      try { decodeCursor(key, s, digest); } catch (e) { expect(isMamoriError(e, 'MAMORI_HUB_TAXII_CURSOR')).toBe(true); }
    }), { numRuns: 500 });
  });
});

describe('media types', () => {
  it.each([
    [undefined, true], ['application/taxii+json;version=2.1', true], ['application/taxii+json', true], ['*/*', true],
    ['application/json, */*;q=0.1', true], ['application/taxii+json;version=2.0', false], ['application/json', false], ['text/html', false],
    ['application/taxii+json; version="2.1"', true], ['*/*;q=0', false],
  ])('Accept %s → %s', (accept, ok) => expect(acceptsTaxii(accept)).toBe(ok));
  it('content types', () => {
    expect(isTaxiiContentType('application/taxii+json;version=2.1')).toBe(true);
    expect(isTaxiiContentType('application/taxii+json; charset=utf-8; version=2.1')).toBe(true);
    expect(isTaxiiContentType('application/json')).toBe(false);
    expect(isTaxiiContentType('application/taxii+json;version=2.0')).toBe(false);
  });
});

describe('query parameters', () => {
  it('reads the filters', () => {
    const f = parseTaxiiQuery({ 'match[type]': 'indicator,malware', 'match[version]': 'first,2026-01-01T00:00:00Z', limit: '5000', added_after: '2026-01-01T00:00:00.5Z' });
    expect(f).toMatchObject({ types: ['indicator', 'malware'], versions: { first: true, versions: ['2026-01-01T00:00:00Z'] }, limit: 1000 });
    expect(f.addedAfter).toBe(Date.UTC(2026, 0, 1) * 1000 + 500_000);
  });
  it.each([
    [{ limit: '0' }, /limit/], [{ limit: 'ten' }, /limit/], [{ added_after: '2026-13-01T00:00:00Z' }, /added_after/],
    [{ 'match[version]': 'newest' }, /match\[version\]/], [{ 'match[colour]': 'red' }, /unsupported match/], [{ 'match[type]': 'Bad Type' }, /STIX type/],
    [{ 'match[spec_version]': '3.0' }, /2.0 or 2.1/],
  ])('rejects %j naming the parameter', (q, re) => {
    expect(() => parseTaxiiQuery(q as Record<string, string>)).toThrow(re);
  });
});

describe.each(testBackends())('TaxiiService with hostile input on $name', (backend) => {
  let platform: Platform;
  let service: TaxiiService<string>;
  let store: StixStore;
  const open: TaxiiAccess<string> = {
    authenticate: async () => 'tester',
    collectionRights: () => ({ canRead: true, canWrite: true }),
    narrowing: () => ({ tlps: ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] }),
    canReadObject: () => true,
    canReadLevel: () => true,
    owner: () => ({ ownerOrgId: 'o', authorUserId: 'tester' }),
    canDeleteObject: () => true,
  };
  beforeAll(async () => {
    platform = await backend.open({ migrations: [stixMigrations] });
    store = new StixStore(platform.store);
    await store.createCollection({ id: 'c', title: 'c' });
    service = new TaxiiService(store, open, { apiRoot: 'r', title: 't', maxContentLength: 1 << 20, asyncThreshold: 1000, maxObjects: 500, cursorKey: key });
  });
  afterAll(async () => platform?.close());

  it('rejects conflicting versions in one envelope and writes neither', async () => {
    const a = sampleIndicator(1);
    const s = await service.addObjects('tester', 'c', { objects: [a, { ...a, name: 'other' }, sampleIndicator(2)] });
    expect(s).toMatchObject({ success_count: 1, failure_count: 2 });
    const page = await store.page({ collectionId: 'c', limit: 10, versions: { all: true }, ids: [String(a.id)] });
    expect(page.rows).toHaveLength(0);
  });

  it('refuses envelopes past maxObjects and bodies that are not envelopes', async () => {
    await expect(service.addObjects('tester', 'c', { objects: Array.from({ length: 501 }, () => ({})) })).rejects.toThrow(/exceeds/);
    for (const body of [null, [], 'x', { objects: 'x' }, { object: [] }]) {
      await expect(service.addObjects('tester', 'c', body)).rejects.toMatchObject({ code: 'MAMORI_HUB_TAXII_BAD_REQUEST' });
    }
  });

  it('fuzz: random envelopes give a status or a MamoriError, never a crash', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constant(sampleIndicator(3)), fc.record({ type: fc.constant('indicator'), id: fc.string() })), { maxLength: 8 }), async (objects) => {
      try {
        const s = await service.addObjects('tester', 'c', { objects });
        expect(s.success_count + s.failure_count).toBe(objects.length);
      } catch (e) {
        if (!isMamoriError(e)) throw e;
      }
    }), { numRuns: 60 });
  });

  it('reuses a collection it has found, and finds one created just after a lookup missed it', async () => {
    await expect(service.collection('tester', 'late')).rejects.toMatchObject({ code: 'MAMORI_HUB_TAXII_NOT_FOUND' });
    await store.createCollection({ id: 'late', title: 'late' });
    expect(await service.collection('tester', 'late')).toMatchObject({ id: 'late', can_read: true });
    const lookups: string[] = [];
    const counting = Object.create(store, { getCollection: { value: (id: string) => { lookups.push(id); return store.getCollection(id); } } }) as StixStore;
    const cached = new TaxiiService(counting, open, { ...service.options, collectionCacheMs: 60_000 });
    for (let i = 0; i < 3; i++) await cached.getObjects('tester', 'late', {});
    expect(lookups).toEqual(['late']);
    const uncached = new TaxiiService(counting, open, { ...service.options, collectionCacheMs: 0 });
    for (let i = 0; i < 3; i++) await uncached.getObjects('tester', 'late', {});
    expect(lookups).toHaveLength(4);
  });

  it('fuzz: random query strings give a page or a 400, never a crash', async () => {
    await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom('limit', 'next', 'added_after', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]', 'match[x]'), fc.string({ maxLength: 40 })), async (q) => {
      try {
        await service.getObjects('tester', 'c', q);
      } catch (e) {
        if (!isMamoriError(e)) throw e;
        expect(e.status).toBe(400);
      }
    }), { numRuns: 80 });
  });
});
