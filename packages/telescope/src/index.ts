/**
 * @mamori/telescope — darknet capture analysis: a streaming pcap/pcapng reader, a packet
 * decoder, classification and scanner fingerprints, and interval analyses (rollups per
 * port and source, backscatter victims, scan-campaign alerts, infected hosts), stored
 * through the core store and announced on the bus (`mamori.telescope.*`).
 */
export { CaptureParser, type FrameHandler } from './capture/parser.js';
export { readCapture, type ReadOptions, type ReadSummary } from './capture/read.js';
export { LINKTYPE, isSupportedLinkType, type CaptureFormat } from './capture/formats.js';
export type { CaptureFrame } from './capture/frame.js';
export { decodeFrame, decodeOrThrow, isIcmpError, MAX_EXTENSION_HEADERS } from './decode/decoder.js';
export {
  PacketInfo, DecodeProblem, DECODE_PROBLEM_NAMES, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP,
  TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG, type DecodeProblemCode,
} from './decode/packet.js';
export {
  PacketClass, PACKET_CLASS_NAMES, Fingerprint, fingerprintNames, AMPLIFICATION_PORTS,
  type PacketClassCode, type PacketClassName,
} from './classify/classes.js';
export { classify, scannerFingerprint, backscatterTarget, isAmplificationProbe, ZMAP_IP_ID, type BackscatterTarget } from './classify/classify.js';
export { TelescopeEngine, darknetSizeOf, type EngineOptions, type EngineStats, type IntervalResult } from './analysis/engine.js';
export type { IntervalPlugin, ProtoName } from './analysis/plugin.js';
export type { IntervalSummary } from './analysis/summary.js';
export { PortTable, type PortRollupRow } from './analysis/port-table.js';
export { scannerKind, SourceTable, type SourceRollupRow, type ScannerKind } from './analysis/source-rollup.js';
export { CORSARO_DOS_THRESHOLDS, type BackscatterThresholds, type VictimRow } from './analysis/backscatter.js';
export { CampaignDetector, DEFAULT_CAMPAIGN_THRESHOLDS, type CampaignAlert, type CampaignThresholds } from './analysis/campaigns.js';
export type { InfectedHostRow } from './analysis/infected.js';
export { telescopeMigrations } from './store/migrations.js';
export type { TelescopeTables } from './store/tables.js';
export { TELESCOPE_SUBJECTS, writeIntervalIn, publishInterval, type IntervalPart } from './store/sink.js';
export {
  topPorts, topSources, victims, alerts, infectedHosts, timeseries, heatmap, summary,
  type Window, type TopPort, type TopSource, type StoredVictim, type StoredAlert, type InfectedHost,
  type SeriesPoint, type Heatmap, type TelescopeSummary,
} from './store/queries.js';
export {
  ingestCapture, analyseCapture, recordIngest, type IngestOptions, type AnalyseOptions, type IngestReport, type IngestProgress,
  type FileIngestOptions, type FileIngestReport,
} from './ingest.js';
export { captureDigest, ingestedFile, pruneApplied, type IngestedFile } from './store/applied.js';
export { runSensor, TELESCOPE_QUEUE, SENSOR_ID, type SensorOptions, type SensorReport } from './scaleout/sensor.js';
export { startAnalyzer, applyBatch, untilIdle, DEFAULT_APPLIED_RETENTION_MS, type Analyzer, type AnalyzerOptions, type AnalyzerStats } from './scaleout/analyzer.js';
export {
  splitInterval, decodeBatch, batchId, runOf, DEFAULT_ROWS_PER_BATCH, type SensorBatch, type IntervalBatch, type RunBatch,
} from './scaleout/batch.js';
export { parseCountryTable, loadCountryTable, sourceCountries, type CountryTable, type CountryCount } from './geo/country-table.js';
export { telescopeConfig, telescopeConfigSchema, type TelescopeConfig } from './config.js';
