/**
 * `mamori supply ...`: SBOMs, vulnerability data, the trusted list and procurement checks.
 *
 *   mamori supply sbom import FILE [--product ID]        mamori supply sbom list
 *   mamori supply vulns import DIR|ZIP|FILE               mamori supply vulns show ID
 *   mamori supply criteria add FILE                       mamori supply criteria list
 *   mamori supply list add --manufacturer M --model N --assessor A --criteria V --met a,b --assessed DATE --expires DATE ...
 *   mamori supply list suspend|withdraw|reinstate ID --reason R
 *   mamori supply list show [ID] [--status S]
 *   mamori supply check --product ID | --manufacturer M --model N | --sbom FILE  [--product-version V]
 *   mamori supply fingerprint BANNER
 *   mamori supply summary [--since WHEN] [--until WHEN]
 *
 * `check` exits 0 for pass, 3 for caution and 1 for fail, so a procurement script can branch on it.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MamoriError } from '@mamori/core';
import {
  addProduct, attachSbom, checkProcurement, countVulns, createFingerprintMatcher, getProduct, getVuln, listCriteria, listProducts, listSboms, listSummary,
  loadIndexFor, matchSbom, productHistory, publishNewAdvisories, putCriteria, readSbomFile, readVulnSource, saveSbom, saveVulns, setStatus,
  type CheckResult, type ImportProblem, type ListStatus, type Sbom, type VulnMatch,
} from '@mamori/supply';
import { table, type CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { timeRangeOptions } from '../options.js';
import { progressBar } from '../progress.js';

/** `check` only: the purchase may go ahead but a person must weigh the reasons. */
const EXIT_CAUTION = 3;
const ACTOR = 'local-operator';

const usage = (reason: string): MamoriError => new MamoriError('MAMORI_USAGE', { reason });
const csv = (v: string | undefined): string[] => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function date(v: string | undefined, name: string): number {
  const t = v === undefined ? NaN : Date.parse(v);
  if (!Number.isFinite(t)) throw usage(`--${name} needs a date (YYYY-MM-DD or ISO 8601), got "${v ?? ''}"`);
  return t;
}

function readSbomArg(file: string): Sbom {
  try {
    return readSbomFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EACCES') throw usage(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code}`);
    throw e;
  }
}

function vulnRows(vs: VulnMatch[]): string {
  return table(vs.map((v) => ({
    id: v.id, severity: v.severity ? `${v.severity.rating}${v.severity.score !== undefined ? ` ${v.severity.score}` : ''}` : '?',
    component: `${v.name}@${v.version}`, fixed: v.fixed.join(' ') || '-', path: (v.path ?? []).join(' > '),
  })));
}

function checkText(r: CheckResult): string {
  const head = r.verdict === 'pass' ? 'PASS' : r.verdict === 'caution' ? 'CAUTION' : 'FAIL';
  const p = r.product;
  return [
    `${head}${p ? `  ${p.manufacturer} ${p.model} (${p.id}): ${p.status}` : '  not on the trusted list'}`,
    ...(p ? [`  assessed by ${p.assessor} on ${day(p.assessedAt)} against ${p.criteriaVersion}, expires ${day(p.expiresAt)}; versions ${p.versions.join(', ')}`] : []),
    ...r.reasons.map((x) => `  - ${x}`),
    ...(r.openVulns.length ? ['', vulnRows(r.openVulns)] : []),
  ].join('\n');
}

export function registerSupply(program: Command, ctx: CliContext): void {
  const supply = program.command('supply').description('SBOMs, vulnerability data, the trusted product list and procurement checks');

  const sbom = supply.command('sbom').description('software bills of materials');
  sbom.command('import <file>')
    .description('validate and store an SBOM (CycloneDX 1.4-1.6 JSON/XML, SPDX 2.3 JSON/tag-value); match it against stored vulnerabilities')
    .option('--product <id>', 'attach it to a listed product (its vulnerabilities then raise advisories)')
    .action(async (file: string, o: { product?: string }) => {
      const s = readSbomArg(file);
      const platform = await ctx.platform();
      const stored = await saveSbom(platform.store, s);
      let advisories = 0;
      if (o.product) {
        if (!(await getProduct(platform.store, o.product))) throw new MamoriError('MAMORI_NOT_FOUND', { what: `product ${o.product}` });
        await attachSbom(platform.store, o.product, stored.id, ACTOR);
        advisories = (await publishNewAdvisories(platform.store, platform.bus)).length;
      }
      const vulns = matchSbom(s, await loadIndexFor(platform.store, s.components));
      ctx.print({ ...stored, root: s.root, issues: s.issues, vulnerabilities: vulns, advisories }, (r) => [
        `${r.id}: ${r.format} ${r.specVersion}, ${r.components} component(s)${o.product ? `, attached to ${o.product}` : ''}`,
        ...r.issues.slice(0, 20).map((i) => `  issue at ${i.at}: ${i.message}`),
        `${r.vulnerabilities.length} open vulnerabilit${r.vulnerabilities.length === 1 ? 'y' : 'ies'}${advisories ? `, ${advisories} new advisory(ies) published` : ''}`,
        ...(r.vulnerabilities.length ? [vulnRows(r.vulnerabilities)] : []),
      ].join('\n'));
    });
  sbom.command('list').description('stored SBOMs').action(async () => {
    const platform = await ctx.platform();
    ctx.print(await listSboms(platform.store), (rows) => table(rows.map((r) => ({ ...r, importedAt: new Date(r.importedAt).toISOString() }))));
  });

  const vulns = supply.command('vulns').description('vulnerability data (OSV, NVD CVE 2.0)');
  vulns.command('import <path>')
    .description('import OSV records (a directory or zip of JSON files, e.g. osv.dev <ecosystem>/all.zip) or an NVD CVE 2.0 JSON file')
    .action(async (path: string) => {
      const platform = await ctx.platform();
      const problems: ImportProblem[] = [];
      const bar = progressBar({ total: 0, format: 'importing {value} records', enabled: !ctx.json });
      let seen = 0;
      let result;
      try {
        result = await saveVulns(platform.store, readVulnSource(path, (p) => problems.push(p)), (n) => { seen += n; bar.update(seen); });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw usage(`cannot read ${path}: ENOENT`);
        throw e;
      } finally {
        bar.stop();
      }
      const advisories = await publishNewAdvisories(platform.store, platform.bus);
      const total = await countVulns(platform.store);
      ctx.print({ ...result, problems: problems.length, firstProblems: problems.slice(0, 20), total, advisories: advisories.map((a) => ({ product: a.product.id, vulnerability: a.vulnerability.id })) }, (r) => [
        `${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged; ${r.total} record(s) stored`,
        ...(r.problems ? [`${r.problems} file(s) skipped:`, ...r.firstProblems.map((p) => `  ${p.source}: ${p.message}`)] : []),
        ...r.advisories.map((a) => `advisory: ${a.product} has critical ${a.vulnerability}`),
      ].join('\n'));
      if (problems.length && result.added + result.updated + result.unchanged === 0) process.exitCode = EXIT.FAILURE;
    });
  vulns.command('show <id>').description('one stored vulnerability record').action(async (id: string) => {
    const platform = await ctx.platform();
    const r = await getVuln(platform.store, id);
    if (!r) throw new MamoriError('MAMORI_NOT_FOUND', { what: `vulnerability ${id}` });
    ctx.print(r);
  });

  const criteria = supply.command('criteria').description('criteria catalogues the list is assessed against');
  criteria.command('add <file>')
    .description('publish a catalogue version from JSON: {"version","title","criteria":[{"id","title","required"}]}')
    .action(async (file: string) => {
      let doc: { version?: string; title?: string; criteria?: unknown };
      try { doc = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { throw usage(`cannot read ${file}: ${(e as Error).message}`); }
      if (typeof doc.version !== 'string' || typeof doc.title !== 'string' || !Array.isArray(doc.criteria)) throw usage(`${file} needs version, title and criteria`);
      const platform = await ctx.platform();
      await putCriteria(platform.store, { version: doc.version, title: doc.title, publishedAt: Date.now(), criteria: doc.criteria.map((c: any) => ({ id: String(c.id), title: String(c.title ?? c.id), description: c.description, required: c.required !== false })) });
      ctx.print({ version: doc.version, criteria: doc.criteria.length }, (r) => `catalogue ${r.version} published (${r.criteria} criteria)`);
    });
  criteria.command('list').description('catalogues and their criteria').action(async () => {
    const platform = await ctx.platform();
    ctx.print(await listCriteria(platform.store), (cs) => cs.map((c) => `${c.version}  ${c.title}\n${table(c.criteria.map((k) => ({ id: k.id, required: k.required ? 'yes' : 'no', title: k.title })))}`).join('\n\n') || '(none)');
  });

  const list = supply.command('list').description('the trusted list of products and services');
  list.command('add')
    .description('list a product or service after its assessment')
    .requiredOption('--manufacturer <name>').requiredOption('--model <name>').requiredOption('--assessor <name>')
    .requiredOption('--criteria <version>', 'criteria catalogue version assessed against')
    .option('--met <ids>', 'criteria met, comma-separated', '')
    .requiredOption('--assessed <date>').requiredOption('--expires <date>')
    .option('--versions <list>', 'versions the assessment covers, comma-separated (default: all)')
    .option('--kind <kind>', 'product or service', 'product')
    .option('--cpe <cpe>', 'the device\'s CPE, matched against CPE-based vulnerability records')
    .option('--fingerprint <regex>', 'banner expression naming this device (repeatable)', collect)
    .option('--id <id>', 'identifier (default: from manufacturer and model)')
    .action(async (o: { manufacturer: string; model: string; assessor: string; criteria: string; met: string; assessed: string; expires: string; versions?: string; kind: string; cpe?: string; fingerprint?: string[]; id?: string }) => {
      if (o.kind !== 'product' && o.kind !== 'service') throw usage('--kind is product or service');
      const platform = await ctx.platform();
      const p = await addProduct(platform.store, {
        id: o.id, kind: o.kind, manufacturer: o.manufacturer, model: o.model, assessor: o.assessor, criteriaVersion: o.criteria, criteriaMet: csv(o.met),
        assessedAt: date(o.assessed, 'assessed'), expiresAt: date(o.expires, 'expires'), versions: csv(o.versions), cpe: o.cpe, fingerprints: o.fingerprint,
      }, ACTOR);
      ctx.print(p, (x) => `listed ${x.id}: ${x.manufacturer} ${x.model}`);
    });
  for (const [verb, status] of [['suspend', 'suspended'], ['withdraw', 'withdrawn'], ['reinstate', 'listed']] as const) {
    list.command(`${verb} <id>`)
      .description(`${verb} a listing (kept in its history)`)
      .requiredOption('--reason <text>')
      .action(async (id: string, o: { reason: string }) => {
        const platform = await ctx.platform();
        const p = await setStatus(platform.store, id, status as ListStatus, ACTOR, o.reason);
        ctx.print(p, (x) => `${x.id}: ${x.status} (${o.reason})`);
      });
  }
  list.command('show [id]')
    .description('the list, or one entry with its history')
    .option('--status <status>', 'listed, suspended or withdrawn')
    .action(async (id: string | undefined, o: { status?: string }) => {
      const platform = await ctx.platform();
      if (id) {
        const p = await getProduct(platform.store, id);
        if (!p) throw new MamoriError('MAMORI_NOT_FOUND', { what: `product ${id}` });
        const history = await productHistory(platform.store, id);
        ctx.print({ product: p, history: history.map(({ snapshot: _s, ...h }) => h) }, (r) => [
          `${p.id}: ${p.manufacturer} ${p.model} (${p.kind}) — ${p.status}${p.statusReason ? ` (${p.statusReason})` : ''}`,
          `  assessor ${p.assessor}, criteria ${p.criteriaVersion}: ${p.criteriaMet.join(', ') || 'none met'}`,
          `  assessed ${day(p.assessedAt)}, expires ${day(p.expiresAt)}, versions ${p.versions.join(', ')}${p.sbomId ? `, SBOM ${p.sbomId}` : ''}`,
          table(r.history.map((h) => ({ at: new Date(h.at).toISOString(), action: h.action, status: h.status, actor: h.actor, reason: h.reason ?? '' }))),
        ].join('\n'));
        return;
      }
      if (o.status && !['listed', 'suspended', 'withdrawn'].includes(o.status)) throw usage('--status is listed, suspended or withdrawn');
      const rows = await listProducts(platform.store, { status: o.status as ListStatus | undefined });
      ctx.print(rows, (ps) => table(ps.map((p) => ({ id: p.id, kind: p.kind, manufacturer: p.manufacturer, model: p.model, status: p.status, criteria: p.criteriaVersion, expires: day(p.expiresAt) }))));
    });

  supply.command('check')
    .description('procurement check: listed or not, open vulnerabilities, unmet criteria, verdict (exit 0 pass, 3 caution, 1 fail)')
    .option('--product <id>').option('--manufacturer <name>').option('--model <name>')
    // Not `--version`: the root program's -V/--version is recognised anywhere on the line.
    .option('--product-version <version>', 'the version being bought')
    .option('--sbom <file>', 'the candidate\'s SBOM')
    .action(async (o: { product?: string; manufacturer?: string; model?: string; productVersion?: string; sbom?: string }) => {
      if (!o.product && !o.sbom && !(o.manufacturer && o.model)) throw usage('give --product, --manufacturer with --model, or --sbom');
      if ((o.manufacturer === undefined) !== (o.model === undefined)) throw usage('--manufacturer and --model go together');
      const s = o.sbom ? readSbomArg(o.sbom) : undefined;
      const platform = await ctx.platform();
      const r = await checkProcurement(platform.store, { productId: o.product, manufacturer: o.manufacturer, model: o.model, version: o.productVersion, sbom: s });
      ctx.print(r, checkText);
      process.exitCode = r.verdict === 'pass' ? EXIT.OK : r.verdict === 'caution' ? EXIT_CAUTION : EXIT.FAILURE;
    });

  supply.command('summary')
    .description('the list over a time range: listed at its end, added in it, vulnerabilities open in the products listed then, critical advisories sent')
    .option('--since <when>', 'ISO-8601 time or a duration back from now (24h, 180d)', '180d')
    .option('--until <when>', 'ISO-8601 time or duration back from now (exclusive); default now')
    .action(async (o: { since: string; until?: string }) => {
      const { from, to } = timeRangeOptions(o);
      const platform = await ctx.platform();
      const r = await listSummary(platform.store, { from, to });
      ctx.print(r, (x) => `${new Date(from).toISOString()} – ${new Date(to).toISOString()}: ${x.listed} listed at the end (${x.added} added), ${x.openVulns} open vulnerabilit${x.openVulns === 1 ? 'y' : 'ies'} (${x.criticalOpen} critical) in ${x.productsWithVulns} product(s), ${x.advisories} advisory(ies) sent`);
    });

  supply.command('fingerprint <banner>')
    .description('name a surveyed device from its banner or model string (exit 1 when nothing on the list matches)')
    .action(async (banner: string) => {
      const platform = await ctx.platform();
      const m = createFingerprintMatcher(await listProducts(platform.store))(banner);
      ctx.print({ product: m?.product ?? null, by: m?.by ?? null }, (r) => (r.product ? `${r.product.id}: ${r.product.manufacturer} ${r.product.model} (${r.product.status}; matched by ${r.by})` : 'no listed product matches'));
      if (!m) process.exitCode = EXIT.FAILURE;
    });
}
