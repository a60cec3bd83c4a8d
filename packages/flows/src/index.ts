/**
 * @mamori/flows — NetFlow v5/v9/IPFIX collection, nfdump CSV import, rollups and C&C
 * candidate detection from flow headers only.
 */
export { emptyRecord, formatAddress, recordToJSON, type FlowRecord } from './record.js';
export { FlowColumns } from './columns.js';
export {
  decoders, decoderFor, decodePacket, decodePacketColumns, v5Decoder, v9Decoder, ipfixDecoder, ExporterSession, DEFAULT_LIMITS,
  type FlowDecoder, type PacketSummary, type DecodeContext, type SessionLimits, type ExporterCounters, type DomainState,
} from './decoders/index.js';
export { FlowCollector, scaleSampled, type CollectorOptions, type CollectorStats } from './collect/collector.js';
export { NfdumpCsvParser, importNfdumpCsv, parseNfdumpTime, parseTcpFlags, type CsvImportResult } from './import/nfdump-csv.js';
export type { KnownBot, AllowList, DetectionOptions, DetectionResult, Candidate, CandidateHost, BeaconScore } from './analysis/types.js';
export { detectCandidates, DEFAULT_INTERNAL, BEACON_THRESHOLD } from './analysis/candidates.js';
export { beaconScore } from './analysis/beacon.js';
export { stitch, type Connection } from './analysis/stitch.js';
export { compileAllowList, parseAllowList } from './analysis/allow-list.js';
export { candidatesToStix, candidatePattern, uuidv5, TLP_MARKINGS, type Tlp, type StixOptions } from './analysis/stix.js';
export { flowsMigrations } from './store/migrations.js';
export { Rollup, AddressCounter, topAddressesByFlows, type RollupRow, type IpStat } from './store/rollup.js';
export { FlowsStore, STRONG_CANDIDATE_SCORE, type DetectionRun, type DetectionSummary } from './store/flows-store.js';
export { FlowArchive, archiveLine, ARCHIVE_HEADER, type ArchiveOptions } from './archive/archive.js';
export { parseKnownBots } from './analysis/known-bots.js';
export { FlowPipeline, type PipelineOptions } from './pipeline.js';
export { flowsConfig, flowsConfigSchema, detectionConfigSchema, durationSchema, listenSchema, type FlowsConfig } from './config.js';
