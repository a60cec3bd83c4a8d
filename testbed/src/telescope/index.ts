export { Rng } from './rng.js';
export { ethernet, sll, sll2, nullLoopback, ipv4, ipv6, tcp, udp, icmp, TCP_FLAGS, type Ipv4Spec, type TcpSpec } from './packets.js';
export {
  CaptureEncoder, encodeCapture, writeCaptureFile, concat,
  type GeneratedFrame, type CaptureOptions, type PcapOptions, type PcapngOptions,
} from './writers.js';
export {
  TelescopeScenario, DEFAULT_VICTIMS,
  type TelescopeScenarioOptions, type TelescopeGroundTruth, type ScenarioVictim, type TruthClass,
} from './scenario.js';
