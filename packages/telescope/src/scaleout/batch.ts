/**
 * What a sensor sends the analyzer: one interval's rollups in parts of at most `maxRows`
 * rows (a NATS message stays well under the server's 1 MiB payload limit), encoded column
 * by column so a 200k-source minute costs numbers rather than repeated key names.
 *
 * Ids are deterministic: sensor, run (the capture's first packet time), bucket and part.
 * The same capture sent twice yields the same ids, so JetStream's duplicate window and the
 * analyzer's applied table both recognise it; the next capture file is a new run.
 */
import { z } from 'zod';
import { MamoriError } from '@mamori/core';
import type { IntervalResult } from '../analysis/engine.js';
import { PortTable, type PortRollupRow } from '../analysis/port-table.js';
import { SourceTable, type SourceRollupRow } from '../analysis/source-rollup.js';
import type { IngestReport } from '../ingest.js';
import type { IntervalPart } from '../store/sink.js';

export const BATCH_VERSION = 1;
/** Rows per message by default: about 0.4 MiB of JSON for source rows. */
export const DEFAULT_ROWS_PER_BATCH = 4000;

const count = z.number().finite().nonnegative();
const ms = z.number().finite();
const proto = z.enum(['tcp', 'udp', 'icmp', 'icmpv6', 'other']);
const address = z.string().min(1).max(45);
const fingerprint = z.enum(['mirai', 'zmap', 'masscan', 'research']).nullable();

/** Column order on the wire; the bucket is the interval's start and is not repeated per row. */
const PORT_COLUMNS = ['proto', 'port', 'packets', 'bytes', 'sources'] as const satisfies readonly (keyof PortRollupRow)[];
const SOURCE_COLUMNS = [
  'src', 'packets', 'bytes', 'synScan', 'tcpOther', 'udpProbe', 'icmpProbe', 'backscatter', 'ports', 'fingerprint', 'firstMs', 'lastMs',
] as const satisfies readonly (keyof SourceRollupRow)[];

/** Port packets and sources are per-minute uint32 counters (`PortTable.fromRows` holds no more): refused here, not on every redelivery. */
const u32 = z.number().int().min(0).max(0xffffffff);
const portColumns = z.tuple([z.array(proto), z.array(z.number().int().min(0).max(65535)), z.array(u32), z.array(count), z.array(u32)]);
const sourceColumns = z.tuple([
  z.array(address), z.array(count), z.array(count), z.array(count), z.array(count), z.array(count), z.array(count),
  z.array(count), z.array(count), z.array(fingerprint), z.array(ms), z.array(ms),
]);
const sameLength = (cols: unknown[][]): boolean => cols.every((c) => c.length === cols[0].length);

const summary = z.object({
  bucketMs: ms, packets: count, bytes: count, sources: count,
  byClass: z.record(z.string().max(32), count), amplificationProbes: count,
  fingerprinted: z.object({ mirai: count, zmap: count, masscan: count, research: count }),
});
const victim = z.object({
  victim: address, firstMs: ms, lastMs: ms, packets: count, bytes: count, ports: z.array(z.string().max(32)).max(1024),
  maxPpm: count, observedPps: count, estimatedAttackPps: count.nullable(),
});
const alert = z.object({ bucketMs: ms, proto, port: z.number().int().min(0).max(65535), sources: count, baselineMean: count, baselineStddev: count, packets: count });
const infected = z.object({ address, fingerprint: z.literal('mirai'), firstMs: ms, lastMs: ms, packets: count, ports: z.array(z.number().int().min(0).max(65535)).max(64) });
const head = { v: z.literal(BATCH_VERSION), sensor: z.string().min(1).max(64), run: z.string().min(1).max(40) };

const intervalBatch = z.object({
  ...head,
  kind: z.literal('interval'),
  part: z.number().int().min(0),
  startMs: ms,
  endMs: ms,
  summary: summary.nullable(),
  ports: portColumns.refine(sameLength, 'columns of different lengths'),
  sources: sourceColumns.refine(sameLength, 'columns of different lengths'),
  infected: z.array(infected),
  victims: z.array(victim),
  alerts: z.array(alert),
});
const runBatch = z.object({
  ...head,
  kind: z.literal('run'),
  report: z.object({
    source: z.string().max(4096), startedMs: ms, elapsedMs: count, frames: count, packets: count, bytes: count, firstMs: ms.nullable(), lastMs: ms.nullable(),
  }).passthrough(),
});
const sensorBatch = z.discriminatedUnion('kind', [intervalBatch, runBatch]);

export type IntervalBatch = z.infer<typeof intervalBatch>;
export type RunBatch = z.infer<typeof runBatch>;
export type SensorBatch = z.infer<typeof sensorBatch>;

/** The id of a batch, unique per sensor: the applied-table key and (with the sensor) the JetStream message id. */
export function batchId(b: SensorBatch): string {
  return b.kind === 'run' ? `${b.run}.end` : `${b.run}.${b.startMs}.${b.part}`;
}

/** A run is the capture as identified by its first packet's time (µs): re-sending it is recognised. */
export function runOf(firstPacketMs: number | null): string {
  return firstPacketMs === null ? 'empty' : String(Math.round(firstPacketMs * 1000));
}

function columns<R, K extends keyof R>(rows: R[], cols: readonly K[]): R[K][][] {
  return cols.map((c) => rows.map((r) => r[c]));
}

/** The rows `order` picks from a port table, as wire columns. */
function portColumnsOf(t: PortTable, order: number[]): IntervalBatch['ports'] {
  return PORT_COLUMNS.map((c) => order.map((i) => t[c](i))) as IntervalBatch['ports'];
}

function rows<R>(bucketMs: number, cols: readonly (keyof R)[], data: unknown[][]): R[] {
  const n = data[0]?.length ?? 0;
  const out = new Array<R>(n);
  for (let i = 0; i < n; i++) {
    const row = { bucketMs } as Record<string, unknown>;
    for (let c = 0; c < cols.length; c++) row[cols[c] as string] = data[c][i];
    out[i] = row as R;
  }
  return out;
}

const byPort = (a: { proto: string; port: number }, b: { proto: string; port: number }): number => (a.proto < b.proto ? -1 : a.proto > b.proto ? 1 : a.port - b.port);
const bySource = (a: SourceRollupRow, b: SourceRollupRow): number => (a.src < b.src ? -1 : a.src > b.src ? 1 : 0);

/**
 * Splits an interval into batches of at most `maxRows` rows (ports, then sources, then
 * infected hosts); the summary, victims and alerts ride in part 0. Rows go out sorted by
 * key, so concurrent merges lock rows in one order and cannot deadlock each other.
 */
export function splitInterval(sensor: string, run: string, r: IntervalResult, maxRows = DEFAULT_ROWS_PER_BATCH): IntervalBatch[] {
  const ports = r.ports.byPortOrder();
  const sources = r.sources.rows().sort(bySource);
  const infected = [...r.infected].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const victims = [...r.victims].sort((a, b) => (a.victim < b.victim ? -1 : a.victim > b.victim ? 1 : a.firstMs - b.firstMs));
  const alerts = [...r.alerts].sort(byPort);
  const total = ports.length + sources.length + infected.length;
  const parts = Math.max(1, Math.ceil(total / maxRows));
  const out: IntervalBatch[] = [];
  for (let part = 0; part < parts; part++) {
    const lo = part * maxRows;
    const hi = lo + maxRows;
    const slice = <T>(list: T[], offset: number): T[] => list.slice(Math.max(0, lo - offset), Math.max(0, hi - offset));
    out.push({
      v: BATCH_VERSION, kind: 'interval', sensor, run, part, startMs: r.startMs, endMs: r.endMs,
      summary: part === 0 ? r.summary : null,
      ports: portColumnsOf(r.ports, slice(ports, 0)),
      sources: columns(slice(sources, ports.length), SOURCE_COLUMNS) as IntervalBatch['sources'],
      infected: slice(infected, ports.length + sources.length),
      victims: part === 0 ? victims : [],
      alerts: part === 0 ? alerts : [],
    });
  }
  return out;
}

/** Largest message a sensor sends: under the NATS server's default 1 MiB payload limit, with room for headers. */
export const MAX_MESSAGE_BYTES = 900 * 1024;

/**
 * An interval as JSON messages under `MAX_MESSAGE_BYTES`: long rows (IPv6 addresses) halve
 * the rows per part until every part fits. The split depends only on the data, so a
 * re-sent capture still yields the same ids.
 */
export function encodeInterval(sensor: string, run: string, r: IntervalResult, maxRows = DEFAULT_ROWS_PER_BATCH): { batch: IntervalBatch; json: string }[] {
  for (let rows = maxRows; ; rows = Math.ceil(rows / 2)) {
    const encoded = splitInterval(sensor, run, r, rows).map((batch) => ({ batch, json: JSON.stringify(batch) }));
    if (rows === 1 || encoded.every((e) => e.json.length <= MAX_MESSAGE_BYTES)) return encoded;
  }
}

export function runBatchOf(sensor: string, run: string, report: IngestReport): RunBatch {
  return { v: BATCH_VERSION, kind: 'run', sensor, run, report: { ...report } };
}

/** Parses and checks one message; anything else is a `MAMORI_TELESCOPE_INPUT` naming the field. */
export function decodeBatch(data: Uint8Array): SensorBatch {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch (e) {
    throw new MamoriError('MAMORI_TELESCOPE_INPUT', { reason: `sensor batch is not JSON: ${(e as Error).message}` }, { cause: e });
  }
  const parsed = sensorBatch.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.');
    throw new MamoriError('MAMORI_TELESCOPE_INPUT', { field, reason: `sensor batch: ${field || '(message)'}: ${issue.message}` });
  }
  return parsed.data;
}

/** The rows of an interval batch, as the store's writer takes them. */
export function intervalPartOf(b: IntervalBatch): IntervalPart {
  return {
    startMs: b.startMs, endMs: b.endMs, summary: b.summary as IntervalPart['summary'],
    ports: PortTable.fromRows(b.startMs, rows<PortRollupRow>(b.startMs, PORT_COLUMNS, b.ports)),
    sources: SourceTable.fromRows(b.startMs, rows<SourceRollupRow>(b.startMs, SOURCE_COLUMNS, b.sources)),
    infected: b.infected, victims: b.victims, alerts: b.alerts,
  };
}

/** Rows a batch writes (for the analyzer's rows/s figure). */
export function batchRows(b: SensorBatch): number {
  return b.kind === 'run' ? 1 : b.ports[0].length + b.sources[0].length + b.infected.length + b.victims.length + b.alerts.length + (b.summary ? 1 : 0);
}
