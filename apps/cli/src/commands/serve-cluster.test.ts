/**
 * Two `mamori serve` processes on one PostgreSQL schema and one NATS behave as one server
 * (issue 8 item 3): they start at the same moment on an empty schema (migrations and the
 * shared TAXII cursor key race), and a round-robin client then
 *   - logs in on one server and uses (and ends) the session on the other,
 *   - submits reports alternately (and two at a time) and pages the feed alternately,
 *   - adds STIX objects through TAXII alternately, and pages the collection alternately with
 *     each server honouring the other's `next` cursor, while more objects arrive mid-way,
 * asserting that no item is lost or duplicated; and a server-sent-event stream held on one
 * server receives the report published through the other, and telescope live counters
 * raised by another process on the bus.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  coreConfigSchema, createLogger, MemoryBus, NatsBus, openPostgresStore, TEST_DATABASE_URL, TEST_NATS_URL, uniqueName,
  type MamoriConfig, type Platform, type Store,
} from '@mamori/core';
import { createTestCommunity, hubContext, sampleIndicator, StixStore, TAXII_MEDIA_TYPE, type TestCommunity } from '@mamori/hub';
import { TELESCOPE_SUBJECTS } from '@mamori/telescope';
import { startMamori, type MamoriProcess } from '@mamori/testbed';

const PASSWORD = 'correct horse battery staple';

/** Reads server-sent events from a streaming response until `match` accepts one. */
function sseEvents(res: Response): { next(match: (event: string, data: string) => boolean, timeoutMs?: number): Promise<string>; close(): void } {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  // A read that lost a race with the timeout stays pending and keeps its chunk for the next call.
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  return {
    async next(match, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
          if (data && match(event, data)) return data;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no matching server-sent event in time');
        let timer: NodeJS.Timeout | undefined;
        pending ??= reader.read();
        const chunk = await Promise.race([pending, new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error('no matching server-sent event in time')), left); })]).finally(() => clearTimeout(timer));
        pending = null;
        if (chunk.done) throw new Error('event stream ended');
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    close: () => { void reader.cancel().catch(() => undefined); },
  };
}

describe('two mamori servers on one PostgreSQL and NATS', () => {
  const schema = uniqueName('cluster').toLowerCase();
  const dir = mkdtempSync(join(tmpdir(), 'mamori-cluster-'));
  const keyFile = join(dir, 'shared', 'taxii-cursor.key');
  const servers: MamoriProcess[] = [];
  const bases: string[] = [];
  let store: Store;
  let c: TestCommunity;
  let turn = 0;
  /** The round-robin client: each call goes to the next server. */
  const nextBase = (): string => bases[turn++ % bases.length];

  const api = async (base: string, path: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> => {
    const r = await fetch(`${base}/api/hub${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };

  beforeAll(async () => {
    const env = {
      MAMORI_DATABASE_URL: TEST_DATABASE_URL,
      MAMORI_DATABASE_SCHEMA: schema,
      MAMORI_NATS_URL: TEST_NATS_URL,
      MAMORI_TAXII__CURSOR_KEY_FILE: keyFile,
      MAMORI_HUB__AUDIT__TIME_STAMP: 'false',
      MAMORI_HUB__LOGIN__SCRYPT_N: '1024',
      MAMORI_LOG_LEVEL: 'warn',
    };
    // Both at once, on a schema that does not exist yet: migrations and the key file race.
    for (const name of ['a', 'b']) servers.push(startMamori(['--data', join(dir, name), 'serve', '--host', '127.0.0.1', '--port', '0'], env));
    for (const s of servers) bases.push(`http://127.0.0.1:${(await s.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 120_000))[1]}`);

    store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
    const config = { ...coreConfigSchema.parse({ dataDir: dir, log: { level: 'silent' } }), hub: { login: { scryptN: 1024 }, audit: { timeStamp: false } } } as MamoriConfig;
    const bus = new MemoryBus();
    const platform: Platform = { config, store, bus, log: createLogger({ level: 'silent', pretty: false }), close: async () => { await bus.close(); } };
    c = await createTestCommunity(hubContext(platform), PASSWORD);
  }, 180_000);

  afterAll(async () => {
    for (const s of servers) s.kill('SIGTERM');
    await Promise.all(servers.map((s) => s.exited()));
    if (store) {
      await store.db.schema.dropSchema(schema).ifExists().cascade().execute().catch(() => undefined);
      await store.close();
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('started together on an empty schema: every migration applied once, one shared cursor key', async () => {
    const names = (await store.db.selectFrom('mamori_migration').select('name').execute()).map((r) => r.name as string);
    expect(names.length).toBeGreaterThan(5);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('hub/0001_init');
    expect(readFileSync(keyFile, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a session opened on one server works on the other, and logging out on it ends it on both', async () => {
    const [a, b] = bases;
    const login = await fetch(`${a}/api/hub/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: c.financeA.username, password: PASSWORD }) });
    expect(login.status).toBe(200);
    const { token } = await login.json() as { token: string };
    const me = await api(b, '/me', token);
    expect(me.status).toBe(200);
    expect(me.body.userId).toBe(c.financeA.userId);
    expect(me.body.via).toBe('session');
    expect((await api(b, '/auth/logout', token, { method: 'POST' })).status).toBe(204);
    expect((await api(a, '/me', token)).status).toBe(401);
    expect((await api(b, '/me', token)).status).toBe(401);
    // API tokens made outside either server are known to both.
    for (const base of bases) expect((await api(base, '/me', c.gas.token)).body.userId).toBe(c.gas.userId);
  });

  it('an event stream on server A receives the report published through server B', async () => {
    const [a, b] = bases;
    const res = await fetch(`${a}/api/hub/stream?sector=finance`, { headers: { authorization: `Bearer ${c.financeB.token}`, accept: 'text/event-stream' } });
    expect(res.status).toBe(200);
    const events = sseEvents(res);
    try {
      // The stream subscribes to the bus just after answering: a report published before that
      // is (rightly) not streamed, so publish until one arrives, at most five times.
      const sent = new Set<string>();
      let data: string | null = null;
      for (let i = 0; i < 5 && !data; i++) {
        const r = await api(b, '/reports', c.financeA.token, { method: 'POST', body: { sector: 'finance', affectedService: 'internet banking', cause: 'cyber-attack', severity: 3, title: 'raised on B', tlp: 'GREEN', submit: true } });
        expect(r.status).toBe(201);
        sent.add(r.body.id);
        data = await events.next((event, d) => event === 'report' && sent.has(JSON.parse(d).id), 5000).catch(() => null);
      }
      expect(data && JSON.parse(data).title).toBe('raised on B');
    } finally {
      events.close();
    }
  });

  it('telescope live counters raised by another process on the bus reach a stream on either server', async () => {
    const label = uniqueName('sensor');
    const bus = await NatsBus.connect(TEST_NATS_URL, 'cluster-test');
    const streams = await Promise.all(bases.map(async (base) => {
      const res = await fetch(`${base}/api/telescope/live`, { headers: { authorization: `Bearer ${c.coordinator.token}`, accept: 'text/event-stream' } });
      expect(res.status).toBe(200);
      return sseEvents(res);
    }));
    try {
      // As above: counters raised before a stream has subscribed are not replayed, so raise until each has one.
      for (const s of streams) {
        let data: string | null = null;
        for (let i = 0; i < 5 && !data; i++) {
          await bus.publish(TELESCOPE_SUBJECTS.rate, { atMs: Date.now(), packetsPerSecond: 1234, frames: 99, source: label });
          data = await s.next((event, d) => event === 'rate' && JSON.parse(d).source === label, 5000).catch(() => null);
        }
        expect(data && JSON.parse(data).packetsPerSecond).toBe(1234);
      }
    } finally {
      for (const s of streams) s.close();
      await bus.close();
    }
  });

  it('reports submitted alternately (and two at once) page alternately with none lost or repeated', async () => {
    const submitted: string[] = [];
    for (let i = 0; i < 20; i++) {
      const pair = await Promise.all([0, 1].map((k) => api(nextBase(), '/reports', c.financeA.token, {
        method: 'POST', body: { sector: 'finance', affectedService: 'payments', cause: 'failure', severity: 1, title: `cluster report ${i}.${k}`, tlp: 'GREEN', submit: true },
      })));
      for (const r of pair) {
        expect(r.status).toBe(201);
        submitted.push(r.body.id);
      }
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await api(nextBase(), `/reports?limit=7&cause=failure${cursor ? `&cursor=${cursor}` : ''}`, c.financeB.token);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((r: { id: string }) => r.id));
      cursor = page.body.next;
    } while (cursor);
    expect(seen.length).toBe(submitted.length);
    expect(new Set(seen)).toEqual(new Set(submitted));
  });

  it('a TAXII collection filled through both servers pages across them, objects added mid-way included, none lost or repeated', async () => {
    const collection = 'c1f2b9d0-0000-4000-8000-00000000c1a5';
    await new StixStore(store).createCollection({ id: collection, title: 'cluster', defaultTlp: 'GREEN' });
    const path = `/taxii2/mamori/collections/${collection}/objects/`;
    const taxii = async (base: string, query: string, body?: unknown): Promise<{ status: number; body: any }> => {
      const r = await fetch(`${base}${path}${query}`, {
        method: body ? 'POST' : 'GET',
        headers: { accept: TAXII_MEDIA_TYPE, authorization: `Bearer ${c.financeA.token}`, ...(body ? { 'content-type': TAXII_MEDIA_TYPE } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: r.status, body: await r.json() };
    };
    let n = 0;
    const added: string[] = [];
    const addPairs = async (pairs: number): Promise<void> => {
      for (let i = 0; i < pairs; i++) {
        const envelopes = [0, 1].map(() => ({ objects: [sampleIndicator(9000 + n++), sampleIndicator(9000 + n++)] }));
        const answers = await Promise.all(envelopes.map((e) => taxii(nextBase(), '', e)));
        for (const [k, r] of answers.entries()) {
          expect(r.status).toBe(202);
          expect(r.body.success_count).toBe(2);
          added.push(...envelopes[k].objects.map((o) => o.id as string));
        }
      }
    };
    await addPairs(10);
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await taxii(nextBase(), `?limit=6${next ? `&next=${encodeURIComponent(next)}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.objects ?? []).map((o: { id: string }) => o.id));
      next = page.body.more ? page.body.next : undefined;
      if (++pages === 3) await addPairs(3); // arrives while a reader is part-way through
    } while (next);
    expect(seen.length).toBe(added.length);
    expect(new Set(seen)).toEqual(new Set(added));
  });
});
