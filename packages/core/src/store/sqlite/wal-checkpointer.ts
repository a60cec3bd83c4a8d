/**
 * WAL checkpoints off the event loop. better-sqlite3 is synchronous, so a checkpoint run by
 * the store's own connection (SQLite's auto-checkpoint, at the commit that crosses 1,000
 * pages) copies the WAL into the database file and fsyncs it while every request waits.
 * Instead the store turns auto-checkpoint off and this module watches the WAL's size; past a
 * threshold, one worker thread per process (shared by every open store, started only when
 * some WAL first gets that big) runs `wal_checkpoint(PASSIVE)` on its own connection to the
 * same file, which never blocks the writer; once the WAL has been idle for a while the
 * worker runs `TRUNCATE` (after a PASSIVE pass has copied everything, so the write lock it
 * takes is held only to cut the file) and the file shrinks back to nothing.
 *
 * PASSIVE alone cannot bound a WAL under writes that never pause: it copies the frames there
 * were when it started, the writer keeps appending, and SQLite only starts the WAL over when a
 * writer finds every frame copied. So past `limitBytes` the store's own connection runs a
 * TRUNCATE between transactions (`overflow`): it blocks this thread once per `limitBytes`
 * written, with most frames already copied by PASSIVE, instead of letting the file grow
 * without end (a million-object fill left an 11.6 GB WAL, and every read paid for it).
 */
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface WalCheckpointOptions {
  /** WAL size (bytes) from which the checkpointer works; below it the WAL is left alone. Default 4 MiB (SQLite's own 1,000 pages). */
  thresholdBytes?: number;
  /** How often the WAL's size is looked at (ms). Default 200. */
  intervalMs?: number;
  /** A WAL not written for this long (ms) is truncated. Default 2,000. */
  idleMs?: number;
  /** Past this size (bytes) the store's connection truncates the WAL itself, between transactions. Default 64 MiB. */
  limitBytes?: number;
}

export interface WalCheckpointStats {
  passive: number;
  truncate: number;
  /** Checkpoints that could not finish because a reader or writer was active (they are retried). */
  busy: number;
  errors: number;
  /** Truncations the store's own connection ran because the WAL passed `limitBytes`. */
  forced: number;
}

type Mode = 'passive' | 'truncate';
interface Reply { req: number; busy?: number; error?: string }

/** Runs in the worker (plain JavaScript: the worker starts from this string, so no build or loader is involved). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const open = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'forget') {
    const db = open.get(m.id);
    open.delete(m.id);
    try { if (db) db.close(); } catch {}
    parentPort.postMessage({ req: m.req });
    return;
  }
  try {
    let db = open.get(m.id);
    if (!db) {
      db = new Database(m.file, { fileMustExist: true });
      // Never wait for a lock: a checkpoint that would wait is retried on a later tick.
      db.pragma('busy_timeout = 0');
      open.set(m.id, db);
    }
    let row = db.pragma('wal_checkpoint(PASSIVE)')[0];
    // TRUNCATE holds the write lock while it works, and the store's writer waits for it on its
    // event loop: ask for it only once PASSIVE has copied every frame, so it just cuts the file.
    if (m.mode === 'truncate' && row.busy === 0 && row.log === row.checkpointed) row = db.pragma('wal_checkpoint(TRUNCATE)')[0];
    else if (m.mode === 'truncate') row = { busy: 1 };
    parentPort.postMessage({ req: m.req, busy: row.busy });
  } catch (e) {
    parentPort.postMessage({ req: m.req, error: String((e && e.message) || e) });
  }
});
`;

interface Shared { worker: Worker; users: Set<number>; waiting: Map<number, (r: Reply) => void>; dead: boolean }
let shared: Shared | null = null;
let nextId = 1;
let nextReq = 1;

function sharedWorker(): Shared {
  if (shared && !shared.dead) return shared;
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3') } });
  worker.unref();
  const s: Shared = { worker, users: new Set(), waiting: new Map(), dead: false };
  const die = (message: string): void => {
    s.dead = true;
    if (shared === s) shared = null;
    for (const done of s.waiting.values()) done({ req: 0, error: message });
    s.waiting.clear();
  };
  worker.on('message', (r: Reply) => {
    const done = s.waiting.get(r.req);
    s.waiting.delete(r.req);
    done?.(r);
  });
  worker.on('error', (e) => die(e.message));
  worker.on('exit', () => die('checkpoint worker exited'));
  shared = s;
  return s;
}

function ask(s: Shared, message: Record<string, unknown>): Promise<Reply> {
  const req = nextReq++;
  return new Promise((resolve) => {
    if (s.dead) return resolve({ req, error: 'checkpoint worker exited' });
    s.waiting.set(req, resolve);
    s.worker.postMessage({ ...message, req });
  });
}

/** Whether the shared checkpoint worker is running (for tests and benchmarks). */
export function walCheckpointWorkerRunning(): boolean {
  return shared !== null && !shared.dead;
}

export interface WalCheckpointer {
  readonly stats: WalCheckpointStats;
  /** Stops watching; detaches from the worker (which exits when no store uses it). */
  close(): Promise<void>;
}

/**
 * Watches `file`'s WAL. `fallback` is called if the worker cannot run (it died or could not
 * load the driver), so the caller can turn SQLite's own auto-checkpoint back on. `overflow`
 * truncates the WAL on the store's connection; it answers false when it cannot now (inside a
 * transaction), and is asked again on the next tick.
 */
export function watchWal(file: string, options: WalCheckpointOptions, fallback: () => void, overflow: () => boolean): WalCheckpointer {
  const threshold = options.thresholdBytes ?? 4 * 1024 * 1024;
  const limit = options.limitBytes ?? 64 * 1024 * 1024;
  const idleMs = options.idleMs ?? 2000;
  const id = nextId++;
  const stats: WalCheckpointStats = { passive: 0, truncate: 0, busy: 0, errors: 0, forced: 0 };
  let worker: Shared | null = null;
  let inFlight = false;
  let closed = false;
  let lastMtime = 0;
  let lastWriteSeen = Date.now();

  const tick = async (): Promise<void> => {
    let size = 0;
    let mtime = 0;
    try {
      const st = await stat(`${file}-wal`);
      size = st.size;
      mtime = st.mtimeMs;
    } catch { /* no WAL yet */ }
    if (closed || size < threshold) return;
    if (size >= limit) {
      try {
        if (overflow()) { stats.forced++; return; }
      } catch {
        stats.errors++;
      }
    }
    if (mtime !== lastMtime) { lastMtime = mtime; lastWriteSeen = Date.now(); }
    const mode: Mode = Date.now() - lastWriteSeen >= idleMs ? 'truncate' : 'passive';
    if (!worker || worker.dead) {
      if (worker?.dead) return; // the fallback is in force
      worker = sharedWorker();
      worker.users.add(id);
    }
    const r = await ask(worker, { type: 'checkpoint', id, file, mode });
    if (r.error !== undefined) {
      stats.errors++;
      if (worker.dead) fallback();
    } else if (r.busy) stats.busy++;
    else stats[mode]++;
  };

  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = true;
    void tick().finally(() => { inFlight = false; });
  }, options.intervalMs ?? 200);
  timer.unref();

  return {
    stats,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      const s = worker;
      if (!s || s.dead) return;
      await ask(s, { type: 'forget', id });
      s.users.delete(id);
      if (s.users.size === 0 && shared === s) {
        shared = null;
        s.dead = true;
        await s.worker.terminate();
      }
    },
  };
}
