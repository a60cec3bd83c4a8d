export type { TestFlow } from './types.js';
export { encodeV5, encodeV9, encodeIpfix, exportStream, type ExportOptions } from './netflow-writer.js';
export {
  tcpConversation, udpConversation, conversationFlows, conversationsToPcap, writePcap, type Conversation,
} from './pcap-writer.js';
export { botnetScenario, type BotnetScenario, type ScenarioOptions } from './scenario.js';
