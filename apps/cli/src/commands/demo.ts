/**
 * `mamori demo`: load a demo data set built through the parts' real code paths (a generated
 * darknet capture, a survey of an emulated device farm on loopback, flows from a botnet
 * scenario, a trusted list with a year of history, a demo community with reports and a
 * sealed advisory); `--remove` deletes exactly what the demo made, listed in its manifest.
 */
import type { Command } from 'commander';
import { buildDemo, demoStatus, DEMO_STEPS, removeDemo, type DemoResult } from '@mamori/server';
import { table, type CliContext } from '../context.js';
import { progressBar } from '../progress.js';

function humanResult(r: DemoResult): string {
  const line = (name: string, v: Record<string, number>) => `  ${name.padEnd(10)} ${Object.entries(v).map(([k, n]) => `${k} ${n}`).join(', ')}`;
  return [
    `demo data loaded (${r.objects} objects in the demo manifest; remove with \`mamori demo --remove\`)`,
    line('telescope', r.telescope), line('survey', r.survey), line('flows', r.flows), line('supply', r.supply), line('hub', r.hub),
    '',
    'demo users (passwords are shown only now):',
    table(r.users.map((u) => ({ username: u.username, password: u.password, roles: u.roles.join(','), organisation: u.org }))),
  ].join('\n');
}

export function registerDemo(program: Command, ctx: CliContext): void {
  program.command('demo')
    .description('load demo data through the real code paths (telescope, survey, flows, supply, hub, trust), clearly labelled [demo]; --remove deletes exactly it')
    .option('--remove', 'delete the demo data (everything listed in the demo manifest, nothing else)')
    .option('--status', 'show whether demo data is loaded')
    .addHelpText('after', `
The demo ingests a generated 45-minute darknet capture, surveys an emulated device farm on
127.201.0.0/27 (ports 12323, 18080, 12222; MAMORI_DEMO__FARM_NET moves it), detects C&C servers in six hours of generated
NetFlow v9, keeps a trusted list of three [demo] products over the last 400 days (SBOMs,
demo vulnerabilities, advisories, a suspension), and creates four [demo] organisations with users, reports, a relay and an
advisory sealed by trust (trust keys are made if there are none). It refuses to run twice,
or where its time windows already hold data. The hub's audit log keeps its entries on
--remove: it is append-only.`)
    .action(async (opts: { remove?: boolean; status?: boolean }) => {
      const platform = await ctx.platform();
      if (opts.status) {
        const s = await demoStatus(platform.store);
        ctx.print(s, (v) => (v.present ? `demo data loaded since ${new Date(v.createdAt!).toISOString()}\n${table(Object.entries(v.counts).map(([kind, n]) => ({ kind, objects: n })))}` : 'no demo data loaded'));
        return;
      }
      if (opts.remove) {
        const r = await removeDemo(platform);
        ctx.print(r, (v) => (Object.keys(v.removed).length ? `removed:\n${table(Object.entries(v.removed).map(([kind, n]) => ({ kind, objects: n })))}` : 'no demo data to remove'));
        return;
      }
      const bar = progressBar({ total: DEMO_STEPS.length, format: 'demo |{bar}| {value}/{total} {step}', enabled: !ctx.json && !ctx.globals().quiet });
      try {
        const result = await buildDemo(platform, { onStep: (step, i) => bar.update(i, { step }) });
        bar.update(DEMO_STEPS.length, { step: 'done' });
        bar.stop();
        ctx.print(result, humanResult);
      } finally {
        bar.stop();
      }
    });
}
