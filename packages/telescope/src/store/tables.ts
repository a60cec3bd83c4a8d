/** The telescope's tables as Kysely sees them (times: epoch ms; JSON: text). */
import type { Generated } from 'kysely';

export interface TelescopeTables {
  /** Sensor batches merged by the analyzer (exactly-once marker). */
  telescope_applied: {
    sensor: string;
    batch: string;
    applied_ms: number;
    rows: number;
  };
  /** Capture files counted by `telescope ingest`, by SHA-256 of their bytes. */
  telescope_files: {
    digest: string;
    source: string;
    size: number;
    ingested_ms: number;
    /** JSON: the ingest report of the run that counted the file. */
    report: string;
  };
  telescope_intervals: {
    bucket_ms: number;
    bucket_size_ms: number;
    packets: number;
    bytes: number;
    sources: number;
    /** JSON: packets per class. */
    by_class: string;
    amplification: number;
    /** JSON: fingerprinted packets per scanner kind. */
    fingerprinted: string;
  };
  telescope_port_rollups: {
    bucket_ms: number;
    proto: string;
    port: number;
    packets: number;
    bytes: number;
    sources: number;
  };
  telescope_source_rollups: {
    bucket_ms: number;
    src: string;
    packets: number;
    bytes: number;
    syn_scan: number;
    tcp_other: number;
    udp_probe: number;
    icmp_probe: number;
    backscatter: number;
    /** Distinct destination ports hit. */
    ports: number;
    fingerprint: string | null;
    first_ms: number;
    last_ms: number;
  };
  telescope_victims: {
    victim: string;
    first_ms: number;
    last_ms: number;
    packets: number;
    bytes: number;
    /** JSON array of `proto/port`. */
    ports: string;
    max_ppm: number;
    observed_pps: number;
    estimated_pps: number | null;
  };
  telescope_alerts: {
    id: Generated<number>;
    bucket_ms: number;
    proto: string;
    port: number;
    sources: number;
    baseline_mean: number;
    baseline_stddev: number;
    packets: number;
  };
  telescope_infected: {
    address: string;
    fingerprint: string;
    first_ms: number;
    last_ms: number;
    packets: number;
    /** JSON array of destination ports. */
    ports: string;
  };
  telescope_ingests: {
    id: Generated<number>;
    source: string;
    started_ms: number;
    finished_ms: number;
    frames: number;
    packets: number;
    bytes: number;
    first_ms: number | null;
    last_ms: number | null;
  };
}
