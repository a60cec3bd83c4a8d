export type { TestFlow } from './types.js';
export { encodeV5, encodeV9, encodeIpfix, exportStream, type ExportOptions } from './netflow-writer.js';
