/**
 * `mamori hub stix publish telescope|flows|supply`: what the other parts found, published
 * as STIX 2.1 into a hub collection (served over TAXII), under the TLP the operator chooses
 * (TLP:AMBER unless told otherwise; an object already marked stricter keeps its marking).
 *
 *   mamori hub stix publish telescope --collection ID [--tlp AMBER] [--since 24h] [--until T] [--limit N]
 *   mamori hub stix publish flows --collection ID [--tlp AMBER] [--min-score S] [--limit N]
 *   mamori hub stix publish supply --collection ID [--tlp AMBER]
 *
 * `--title` creates the collection when it does not exist (`--group` shares it with a
 * sharing group instead of the whole community). Ids are deterministic: publishing the
 * same finding again adds nothing, a finding seen again later adds a new version.
 */
import type { Command } from 'commander';
import { MamoriError, parseSince, type Platform } from '@mamori/core';
import { FlowsStore } from '@mamori/flows';
import { publishStix, readTlp, StixStore, type AddResult, type StixTlp } from '@mamori/hub';
import { checkProcurement, listProducts } from '@mamori/supply';
import { alerts, infectedHosts } from '@mamori/telescope';
import type { CliContext } from '../context.js';
import { advisoryKey, flowsToStix, supplyToStix, telescopeToStix, type ListedVulnerability, type StixObject } from '../stix-producers/index.js';

interface PublishOpts {
  collection: string;
  tlp: string;
  title?: string;
  group?: string;
}

function usage(reason: string): MamoriError {
  return new MamoriError('MAMORI_USAGE', { reason });
}

function positive(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw usage(`${option}: not a positive integer: "${text}"`);
  return n;
}

function instant(text: string, option: string): number {
  const ms = parseSince(text);
  if (Number.isNaN(ms)) throw usage(`${option}: not a time or duration: "${text}"`);
  return ms;
}

function withPublishOptions(c: Command): Command {
  return c
    .requiredOption('--collection <id>', 'hub collection to publish into')
    .option('--tlp <tlp>', 'TLP marking of what is published (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)', 'AMBER')
    .option('--title <title>', 'create the collection with this title when it does not exist')
    .option('--group <id>', 'sharing group of a collection created here (default: the whole community)');
}

async function publish(ctx: CliContext, platform: Platform, o: PublishOpts, source: string, objects: StixObject[]): Promise<void> {
  const tlp: StixTlp | undefined = readTlp(o.tlp);
  if (!tlp) throw usage(`--tlp ${o.tlp}: use CLEAR, GREEN, AMBER, AMBER+STRICT or RED`);
  const result: AddResult = objects.length
    ? await publishStix(platform, objects, { collection: o.collection, tlp, title: o.title, sharingGroupId: o.group ?? null })
    : { successes: [], failures: [] };
  const added = result.successes.filter((s) => s.tlp !== undefined).length;
  ctx.print(
    { source, collection: o.collection, tlp, objects: objects.length, added, unchanged: result.successes.length - added, failed: result.failures.length, failures: result.failures },
    (r) => `${r.source}: ${r.objects} STIX object(s) → collection ${r.collection} (TLP:${r.tlp}): ${r.added} added, ${r.unchanged} already there, ${r.failed} failed`,
  );
  if (result.failures.length) process.exitCode = 1;
}

/** Critical vulnerabilities of listed products, except those whose advisory the collection has. */
async function criticalOnListedProducts(platform: Platform, collection: string): Promise<ListedVulnerability[]> {
  const found: ListedVulnerability[] = [];
  for (const p of await listProducts(platform.store, { status: 'listed' })) {
    const check = await checkProcurement(platform.store, { productId: p.id });
    for (const v of check.openVulns) if (v.severity?.rating === 'critical') found.push({ product: p, vulnerability: v });
  }
  if (found.length === 0 || !(await new StixStore(platform.store).getCollection(collection))) return found;
  const reportIds = new Map(found.map((f) => [supplyToStix(f, new Date(0))[3].id as string, advisoryKey(f)]));
  const page = await new StixStore(platform.store).page({ collectionId: collection, ids: [...reportIds.keys()], limit: reportIds.size });
  const published = new Set(page.rows.map((r) => reportIds.get(r.id)));
  return found.filter((f) => !published.has(advisoryKey(f)));
}

export function registerStixPublish(hub: Command, ctx: CliContext): void {
  const publishCommand = hub.command('stix').description('STIX 2.1 objects from mamori\'s own findings').command('publish')
    .description('publish what telescope, flows or supply found into a hub collection (TAXII-served)');

  withPublishOptions(publishCommand.command('telescope'))
    .description('scan-campaign alerts → anomalous-activity indicators; Mirai-like scanners → address indicators and one observed-data')
    .option('--since <when>', 'ISO time or duration back from now', '24h')
    .option('--until <when>', 'ISO time or duration back from now (default now)')
    .option('--limit <n>', 'at most this many alerts and this many scanners', '1000')
    .action(async (o: PublishOpts & { since: string; until?: string; limit: string }) => {
      const window = { sinceMs: instant(o.since, '--since'), untilMs: o.until === undefined ? Date.now() : instant(o.until, '--until') };
      const limit = positive(o.limit, '--limit');
      const platform = await ctx.platform();
      const findings = { alerts: await alerts(platform.store, { ...window, limit }), infected: await infectedHosts(platform.store, { ...window, limit }) };
      await publish(ctx, platform, o, 'telescope', telescopeToStix(findings));
    });

  withPublishOptions(publishCommand.command('flows'))
    .description('C&C candidates of the latest detection run → infrastructure, address, indicator and their relationships')
    .option('--min-score <n>', 'only candidates scoring at least this')
    .option('--limit <n>', 'at most this many candidates', '100')
    .action(async (o: PublishOpts & { minScore?: string; limit: string }) => {
      const minScore = o.minScore === undefined ? undefined : Number(o.minScore);
      if (minScore !== undefined && !(minScore >= 0 && minScore <= 1)) throw usage(`--min-score: a number from 0 to 1: "${o.minScore}"`);
      const limit = positive(o.limit, '--limit');
      const platform = await ctx.platform();
      const { candidates } = await new FlowsStore(platform.store).candidates({ limit, minScore });
      await publish(ctx, platform, o, 'flows', flowsToStix(candidates));
    });

  withPublishOptions(publishCommand.command('supply'))
    .description('critical vulnerabilities of products on the trusted list → vulnerability, software, `has` and an advisory report (each once)')
    .action(async (o: PublishOpts) => {
      const platform = await ctx.platform();
      const now = new Date();
      const objects = (await criticalOnListedProducts(platform, o.collection)).flatMap((v) => supplyToStix(v, now));
      await publish(ctx, platform, o, 'supply', objects);
    });
}
