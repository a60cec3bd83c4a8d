/**
 * Optional raw archive: every record as one line of nfdump-compatible CSV (the columns
 * `NfdumpCsvParser` needs, times in UTC with milliseconds), in files rotated per interval
 * (`flows-YYYYMMDDHHmm.csv`) and deleted after the retention period. An archived file is
 * read back with `mamori flows import FILE --utc`.
 */
import { appendFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatAddress, type FlowRecord } from '../record.js';

export const ARCHIVE_HEADER = 'ts,te,td,sa,da,sp,dp,pr,flg,stos,ipkt,ibyt,in,out,sas,das,ra';

export interface ArchiveOptions {
  dir: string;
  /** File rotation interval, ms (default 1 h). */
  rotateMs?: number;
  /** Files whose interval ended longer ago than this are deleted (default 7 days). */
  retentionMs?: number;
  /** Buffered bytes before a write to disk. */
  flushBytes?: number;
}

function utc(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function flagText(f: number): string {
  const letters = 'CEUAPRSF';
  let s = '';
  for (let i = 0; i < 8; i++) s += f & (1 << (7 - i)) ? letters[i] : '.';
  return s;
}

export function archiveLine(r: FlowRecord): string {
  return [
    utc(r.start), utc(r.end), ((r.end - r.start) / 1000).toFixed(3), formatAddress(r.src), formatAddress(r.dst), r.srcPort, r.dstPort,
    r.protocol, flagText(r.tcpFlags), r.tos, r.packets, r.bytes, r.inIf, r.outIf, r.srcAs, r.dstAs, r.exporter.replace(/,/g, ';'),
  ].join(',');
}

export class FlowArchive {
  private buffer: string[] = [];
  private bytes = 0;
  private file: string | null = null;
  private bucket = -1;
  private readonly rotateMs: number;
  private readonly retentionMs: number;

  constructor(private readonly options: ArchiveOptions) {
    this.rotateMs = options.rotateMs ?? 3_600_000;
    this.retentionMs = options.retentionMs ?? 7 * 86_400_000;
    mkdirSync(options.dir, { recursive: true });
  }

  /** Appends records to the file of the current interval (by arrival time `now`). */
  write(records: FlowRecord[], now = Date.now()): void {
    const bucket = now - (now % this.rotateMs);
    if (bucket !== this.bucket) this.rotate(bucket, now);
    for (const r of records) {
      const line = archiveLine(r);
      this.buffer.push(line);
      this.bytes += line.length + 1;
    }
    if (this.bytes >= (this.options.flushBytes ?? 1 << 20)) this.flush();
  }

  flush(): void {
    if (!this.file || this.buffer.length === 0) return;
    appendFileSync(this.file, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
    this.bytes = 0;
  }

  /** Deletes archive files older than the retention; returns their names. */
  prune(now = Date.now()): string[] {
    const removed: string[] = [];
    for (const name of readdirSync(this.options.dir)) {
      const m = /^flows-(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})\.csv$/.exec(name);
      if (!m) continue;
      const start = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
      if (start + this.rotateMs < now - this.retentionMs) {
        rmSync(join(this.options.dir, name), { force: true });
        removed.push(name);
      }
    }
    return removed;
  }

  files(): { name: string; bytes: number }[] {
    return readdirSync(this.options.dir).filter((n) => n.startsWith('flows-')).sort()
      .map((name) => ({ name, bytes: statSync(join(this.options.dir, name)).size }));
  }

  close(): void {
    this.flush();
  }

  private rotate(bucket: number, now: number): void {
    this.flush();
    this.bucket = bucket;
    const d = new Date(bucket).toISOString();
    const stamp = `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}${d.slice(11, 13)}${d.slice(14, 16)}`;
    this.file = join(this.options.dir, `flows-${stamp}.csv`);
    let exists = true;
    try { statSync(this.file); } catch { exists = false; }
    if (!exists) appendFileSync(this.file, `${ARCHIVE_HEADER}\n`);
    this.prune(now);
  }
}
