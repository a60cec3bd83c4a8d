import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { MamoriError, NatsBus, openPostgresStore, type BusInfo, type StoreInfo } from '@mamori/core';
import { buildServer, handleShutdown, migrationSets } from '@mamori/server';
import { table, type CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { superviseWorkers } from '../serve-workers.js';

interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

const PEER_TOOLS: [string, string[]][] = [
  ['tshark', ['--version']],
  ['openssl', ['version']],
  ['softflowd', ['-h']],
  ['nfdump', ['-V']],
  ['hydra', ['-h']],
];

function toolVersion(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  if (r.error) return null;
  return `${r.stdout || ''}${r.stderr || ''}`.split('\n').find((l) => l.trim())?.trim().slice(0, 80) ?? cmd;
}

export function registerCore(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('apply pending schema migrations of every part to the configured store')
    .action(async () => {
      const config = ctx.config();
      const { openStore } = await import('@mamori/core');
      const store = await openStore(config);
      try {
        const applied = await store.migrate(migrationSets);
        ctx.print({ dialect: store.dialect, applied }, (r) => `${r.dialect}: ${r.applied.length} migration(s) applied${r.applied.length ? `\n  ${r.applied.join('\n  ')}` : ''}`);
      } finally {
        await store.close();
      }
    });

  program
    .command('serve')
    .description('run the mamori server (API, TAXII, time-stamp authority, dashboard)')
    .option('--host <host>', 'address to listen on')
    .option('--port <port>', 'port to listen on', (v) => Number(v))
    .option('--workers <n>', 'server processes sharing the ports, one per core (needs NATS: MAMORI_NATS_URL)', (v) => Number(v), 1)
    .action(async (opts: { host?: string; port?: number; workers: number }) => {
      if (!Number.isInteger(opts.workers) || opts.workers < 1 || opts.workers > 64) throw new MamoriError('MAMORI_USAGE', { reason: '--workers must be a whole number from 1 to 64' });
      if (opts.workers > 1 && !ctx.config().natsUrl) {
        throw new MamoriError('MAMORI_USAGE', { reason: '--workers needs NATS (MAMORI_NATS_URL): with the in-process bus, events from one worker would not reach the live streams of another' });
      }
      if (superviseWorkers(opts.workers, (line) => ctx.note(line))) return new Promise(() => undefined); // until a signal stops the workers
      const platform = await ctx.platform();
      const app = await buildServer(platform, { version: program.version() });
      const host = opts.host ?? platform.config.server.host;
      const port = opts.port ?? platform.config.server.port;
      await app.listen({ host, port });
      handleShutdown(app, platform);
      const where = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${(app.server.address() as { port: number }).port}`;
      ctx.note(`mamori listening on ${where}${process.env.MAMORI_SERVE_WORKER ? ` (worker ${process.pid})` : ''}`);
      await new Promise(() => undefined); // until a signal closes the server
    });

  program
    .command('doctor')
    .description('check the configured store and bus, the scale-out back ends and the peer tools')
    .option('--pg <url>', 'PostgreSQL to probe when none is configured', 'postgres://postgres@127.0.0.1:5432/postgres')
    .option('--nats <url>', 'NATS to probe when none is configured', 'nats://127.0.0.1:4222')
    .action(async (opts: { pg: string; nats: string }) => {
      const config = ctx.config();
      const checks: Check[] = [];
      const { openStore, openBus } = await import('@mamori/core');
      const storeCheck = async (label: string, open: () => Promise<{ info(): Promise<StoreInfo>; close(): Promise<void> }>): Promise<void> => {
        try {
          const s = await open();
          try {
            const i = await s.info();
            checks.push({ check: label, ok: true, detail: `${i.version} at ${i.location}` });
          } finally {
            await s.close();
          }
        } catch (e) {
          checks.push({ check: label, ok: false, detail: (e as Error).message });
        }
      };
      const busCheck = async (label: string, open: () => Promise<{ info(): Promise<BusInfo>; close(): Promise<void> }>): Promise<void> => {
        try {
          const b = await open();
          try {
            const i = await b.info();
            checks.push({ check: label, ok: true, detail: `${i.kind}${i.version ? ` ${i.version}` : ''} at ${i.location}${i.jetstream ? ' (JetStream on)' : ''}` });
          } finally {
            await b.close();
          }
        } catch (e) {
          checks.push({ check: label, ok: false, detail: (e as Error).message });
        }
      };
      await storeCheck('store (configured)', () => openStore(config));
      await busCheck('bus (configured)', () => openBus(config));
      if (!config.databaseUrl) await storeCheck('store (PostgreSQL scale-out)', () => openPostgresStore({ url: opts.pg }));
      if (!config.natsUrl) await busCheck('bus (NATS JetStream scale-out)', () => NatsBus.connect(opts.nats, 'mamori-doctor'));
      for (const [cmd, args] of PEER_TOOLS) {
        const v = toolVersion(cmd, args);
        checks.push({ check: `peer tool ${cmd}`, ok: v !== null, detail: v ?? 'not installed' });
      }
      ctx.print(checks, (rows) => table(rows.map((r) => ({ ...r, ok: r.ok ? 'ok' : 'FAIL' }))));
      // Only the configured back ends decide the exit code; the rest is information.
      if (!checks[0].ok || !checks[1].ok) process.exitCode = EXIT.FAILURE;
    });
}
