/**
 * `mamori hub taxii ...`: sync with any TAXII 2.1 server (another mamori included) and
 * manage the local collections this mamori serves.
 *
 *   mamori hub taxii collections --server URL [--token T]
 *   mamori hub taxii pull --server URL --collection ID [--token T] [--into LOCAL] [--limit N] [--type T,...] [--restart]
 *   mamori hub taxii push --server URL --collection ID [--token T] (--file F | --from LOCAL) [--restart]
 *   mamori hub taxii collection add --title T [--id ID] [--group GROUP] [--tlp TLP] [--description D]
 *   mamori hub taxii collection list
 *
 * pull and push save their position after every page or batch and resume from it.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MamoriError } from '@mamori/core';
import { pullCollection, pushCollection, pushObjects, readTlp, StixStore, TaxiiClient } from '@mamori/hub';
import { table, type CliContext } from '../context.js';
import { progressBar } from '../progress.js';
import { registerStixPublish } from './stix-publish.js';

interface RemoteOptions {
  server: string;
  token?: string;
}

function client(ctx: CliContext, o: RemoteOptions): TaxiiClient {
  let url: URL;
  try {
    url = new URL(o.server);
  } catch {
    throw new MamoriError('MAMORI_USAGE', { reason: `--server ${o.server} is not a URL` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MamoriError('MAMORI_USAGE', { reason: '--server must be an http(s) URL' });
  return new TaxiiClient({
    url: url.toString(), token: o.token ?? process.env.MAMORI_TAXII_TOKEN,
    onRetry: (r) => ctx.note(`retry ${r.attempt} in ${r.delayMs} ms: ${r.reason}`),
  });
}

/** Objects from a bundle, a TAXII envelope, a JSON array or JSON lines. */
export function readObjectsFile(file: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MamoriError('MAMORI_USAGE', { reason: `cannot read ${file}: ${(e as Error).message}` });
  }
  const asObjects = (v: unknown): Record<string, unknown>[] | undefined => {
    if (Array.isArray(v)) return v as Record<string, unknown>[];
    if (v && typeof v === 'object' && Array.isArray((v as { objects?: unknown }).objects)) return (v as { objects: Record<string, unknown>[] }).objects;
    return undefined;
  };
  try {
    const whole = asObjects(JSON.parse(text));
    if (whole) return whole;
  } catch {
    // not one JSON document: try JSON lines
  }
  return text.split('\n').map((l, i) => ({ l: l.trim(), i })).filter(({ l }) => l).map(({ l, i }) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch (e) {
      throw new MamoriError('MAMORI_HUB_STIX_INVALID', { field: `${file}:${i + 1}`, reason: `line ${i + 1} is not JSON: ${(e as Error).message}` });
    }
  });
}

export function registerTaxii(program: Command, ctx: CliContext): void {
  const hub = program.commands.find((c) => c.name() === 'hub') ?? program.command('hub').description('the sharing hub: community, reports, STIX/TAXII');
  const taxii = hub.command('taxii').description('STIX 2.1 over TAXII 2.1: sync with other servers, manage local collections');
  registerStixPublish(hub, ctx);

  taxii.command('collections')
    .description('list the collections of a remote TAXII 2.1 server')
    .requiredOption('--server <url>', 'discovery or API root URL (…/taxii2/)')
    .option('--token <token>', 'bearer token (default MAMORI_TAXII_TOKEN)')
    .action(async (o: RemoteOptions) => {
      const list = await client(ctx, o).collections();
      ctx.print(list, (rows) => table(rows.map((c) => ({ id: c.id, title: c.title, read: c.can_read, write: c.can_write }))));
    });

  taxii.command('pull')
    .description('fetch a remote collection into a local one, page by page, resuming where the last pull stopped')
    .requiredOption('--server <url>', 'discovery or API root URL')
    .requiredOption('--collection <id>', 'remote collection id')
    .option('--token <token>', 'bearer token (default MAMORI_TAXII_TOKEN)')
    .option('--into <id>', 'local collection (default: same id, created when missing)')
    .option('--limit <n>', 'page size to ask for', (v) => Number(v), 500)
    .option('--type <types>', 'only these STIX types (comma-separated)')
    .option('--restart', 'ignore the saved position and start from the beginning')
    .action(async (o: RemoteOptions & { collection: string; into?: string; limit: number; type?: string; restart?: boolean }) => {
      if (!Number.isInteger(o.limit) || o.limit < 1) throw new MamoriError('MAMORI_USAGE', { reason: '--limit must be a positive integer' });
      const platform = await ctx.platform();
      const store = new StixStore(platform.store);
      const into = o.into ?? o.collection;
      if (!(await store.getCollection(into))) await store.createCollection({ id: into, title: `pulled from ${o.server} (${o.collection})`, defaultTlp: 'AMBER' });
      const bar = progressBar({ total: o.limit, format: 'pull [{bar}] {value} objects | {pages} pages', enabled: !ctx.json });
      try {
        const r = await pullCollection({
          client: client(ctx, o), remoteCollection: o.collection, store, localCollection: into, limit: o.limit, restart: o.restart,
          match: o.type ? { type: o.type.split(',') } : undefined,
          onPage: (p) => { bar.setTotal(p.received + o.limit); bar.update(p.received, { pages: p.pages }); },
        });
        bar.stop();
        ctx.print({ into, ...r }, (x) => `${x.received} object(s) in ${x.pages} page(s): ${x.stored} new, ${x.invalid} rejected → local collection ${x.into}${x.position.addedAfter ? ` (resume after ${x.position.addedAfter})` : ''}`);
      } finally {
        bar.stop();
      }
    });

  taxii.command('push')
    .description('send a file (bundle, envelope, JSON lines) or a local collection to a remote collection, resuming after the last accepted batch')
    .requiredOption('--server <url>', 'discovery or API root URL')
    .requiredOption('--collection <id>', 'remote collection id')
    .option('--token <token>', 'bearer token (default MAMORI_TAXII_TOKEN)')
    .option('--file <file>', 'STIX bundle, TAXII envelope, JSON array or JSON lines')
    .option('--from <id>', 'local collection to send')
    .option('--restart', 'ignore the saved position and send everything')
    .action(async (o: RemoteOptions & { collection: string; file?: string; from?: string; restart?: boolean }) => {
      if (!o.file === !o.from) throw new MamoriError('MAMORI_USAGE', { reason: 'give exactly one of --file and --from' });
      const platform = await ctx.platform();
      const store = new StixStore(platform.store);
      const objects = o.file ? readObjectsFile(o.file) : undefined;
      const bar = progressBar({ total: objects?.length ?? 1, format: 'push [{bar}] {value}/{total} objects', enabled: !ctx.json });
      try {
        const common = { client: client(ctx, o), remoteCollection: o.collection, store, restart: o.restart, onBatch: (p: { sent: number }) => bar.update(p.sent) };
        const r = objects ? await pushObjects({ ...common, objects }) : await pushCollection({ ...common, localCollection: o.from! });
        bar.stop();
        ctx.print(r, (x) => `${x.sent} object(s) in ${x.batches} batch(es): ${x.succeeded} accepted, ${x.failed} rejected${x.failures.length ? `\n  ${x.failures.slice(0, 10).map((f) => `${f.id}: ${f.message ?? ''}`).join('\n  ')}` : ''}`);
        if (r.failed > 0) process.exitCode = 1;
      } finally {
        bar.stop();
      }
    });

  const collection = taxii.command('collection').description('the local collections this mamori serves over TAXII');
  collection.command('add')
    .description('create a local collection (shared with a sharing group, or with the whole community)')
    .requiredOption('--title <title>', 'title')
    .option('--id <id>', 'collection id (default: a new UUID)')
    .option('--group <id>', 'sharing group id (default: the whole community)')
    .option('--tlp <tlp>', 'TLP for objects that arrive unmarked', 'AMBER')
    .option('--description <text>', 'description')
    .action(async (o: { title: string; id?: string; group?: string; tlp: string; description?: string }) => {
      const tlp = readTlp(o.tlp);
      if (!tlp) throw new MamoriError('MAMORI_USAGE', { reason: `--tlp ${o.tlp}: use CLEAR, GREEN, AMBER, AMBER+STRICT or RED` });
      const platform = await ctx.platform();
      const store = new StixStore(platform.store);
      if (o.id && (await store.getCollection(o.id))) throw new MamoriError('MAMORI_USAGE', { reason: `collection ${o.id} exists` });
      const c = await store.createCollection({ id: o.id, title: o.title, description: o.description, sharingGroupId: o.group ?? null, defaultTlp: tlp });
      ctx.print(c, (x) => `collection ${x.id} "${x.title}" (${x.sharingGroupId ? `group ${x.sharingGroupId}` : 'community'}, unmarked → TLP:${x.defaultTlp})`);
    });
  collection.command('list')
    .description('list the local collections')
    .action(async () => {
      const platform = await ctx.platform();
      const list = await new StixStore(platform.store).listCollections();
      ctx.print(list, (rows) => table(rows.map((c) => ({ id: c.id, title: c.title, group: c.sharingGroupId ?? 'community', tlp: c.defaultTlp }))));
    });
}
