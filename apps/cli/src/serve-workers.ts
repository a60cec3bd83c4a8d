/**
 * `mamori serve --workers N`: N server processes on this machine sharing the listening ports
 * (node:cluster hands each accepted connection to a worker), so the API, TAXII and the
 * time-stamp authority's own listener use every core. Each worker is a complete server on the
 * configured store; the bus must be NATS so that events published in one worker reach the
 * live streams held open by another. A worker that dies is replaced (at most one restart a
 * second); SIGTERM/SIGINT stop all workers and then the primary.
 */
import cluster, { type Worker } from 'node:cluster';

/** True in the primary: it has forked the workers and supervises them; the caller must not serve. */
export function superviseWorkers(count: number, note: (line: string) => void): boolean {
  if (count <= 1 || !cluster.isPrimary) return false;
  let stopping = false;
  let lastRestart = 0;
  const fork = (): Worker => cluster.fork({ MAMORI_SERVE_WORKER: '1' });
  for (let i = 0; i < count; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    note(`mamori worker ${worker.process.pid} ended (${signal ?? `exit ${code}`}); starting another`);
    const wait = Math.max(0, lastRestart + 1000 - Date.now());
    lastRestart = Date.now() + wait;
    setTimeout(() => { if (!stopping) fork(); }, wait);
  });
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    if (workers.length === 0) process.exit(0);
    for (const w of workers) w.process.kill('SIGTERM');
    // A worker that does not close within 10 s is killed, so the primary always ends.
    setTimeout(() => { for (const w of workers) w.process.kill('SIGKILL'); process.exit(1); }, 10_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  note(`mamori primary ${process.pid}: ${count} server workers`);
  return true;
}
