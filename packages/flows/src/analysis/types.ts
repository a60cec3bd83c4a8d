/** Inputs and outputs of detection. Analyses take records and return these; they never touch bytes or I/O. */

/** A host another part (telescope: scanning like Mirai; survey: weak credentials) says is, or may be, a bot. */
export interface KnownBot {
  address: string;
  source: 'telescope' | 'survey';
  reason: string;
}

/** Known-good endpoints: prefixes (any port), server ports (any address), or a prefix on given ports. */
export interface AllowList {
  prefixes?: string[];
  ports?: number[];
  endpoints?: { prefix: string; ports: number[] }[];
}

export interface DetectionOptions {
  /** The operator's customer address space (clients). Default: RFC 1918, RFC 6598, ULA. */
  internal?: string[];
  knownBots?: KnownBot[];
  allow?: AllowList;
  /** Two directions of one connection are stitched when they overlap within this slack. */
  stitchSlackMs?: number;
  /** Candidates below this score are not reported. */
  minScore?: number;
  /** A pair scoring at least this beacons (counts for coordination; its intervals are evidence). Default BEACON_THRESHOLD. */
  beaconThreshold?: number;
  /** At most this many candidates. */
  limit?: number;
  /** Observation window; defaults to the records' span. */
  window?: { start: number; end: number };
}

export interface BeaconScore {
  score: number;
  connections: number;
  tsSkewScore: number;
  tsMadmScore: number;
  dsSkewScore: number;
  dsMadmScore: number;
  dsSmallnessScore: number;
  histogramScore: number;
  durationScore: number;
  prevalenceAdjustment: number;
  medianIntervalS: number;
  medianBytesOut: number;
}

export interface CandidateHost {
  address: string;
  connections: number;
  beacon: BeaconScore | null;
  knownBot?: { source: 'telescope' | 'survey'; reason: string };
}

export interface Candidate {
  rank: number;
  address: string;
  score: number;
  components: { beacon: number; coordination: number; fanIn: number; knownBots: number };
  firstSeen: number;
  lastSeen: number;
  evidence: {
    hosts: CandidateHost[];
    ports: { port: number; protocol: number; connections: number }[];
    connections: number;
    bytesOut: number;
    bytesIn: number;
    /** Inter-arrival times of all beaconing hosts: `edgesS[i]..edgesS[i+1]` holds `counts[i]`. */
    intervalHistogram: { edgesS: number[]; counts: number[] };
    fanIn: { clients: number; population: number; rarity: number };
    knownBots: { count: number; expected: number; pValue: number };
    reasons: string[];
  };
}

export interface DetectionResult {
  candidates: Candidate[];
  population: number;
  connections: number;
  endpoints: number;
  suppressed: number;
  window: { start: number; end: number };
}
