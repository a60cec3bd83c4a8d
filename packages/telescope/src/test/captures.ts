/** Test helpers: small captures from the testbed generator, and a collector over the reader. */
import { Readable } from 'node:stream';
import { TelescopeScenario, encodeCapture, type CaptureOptions, type GeneratedFrame, type TelescopeScenarioOptions } from '@mamori/testbed';
import { CaptureParser } from '../capture/parser.js';
import { readCapture, type ReadOptions } from '../capture/read.js';
import type { CaptureFrame } from '../capture/frame.js';

export function scenarioFrames(options: TelescopeScenarioOptions = {}): { frames: GeneratedFrame[]; scenario: TelescopeScenario } {
  const scenario = new TelescopeScenario(options);
  return { frames: [...scenario.frames()], scenario };
}

export interface Collected {
  tsMs: number;
  linkType: number;
  interfaceId: number;
  bytes: Uint8Array;
  origLen: number;
  recordOffset: number;
}

export function copyFrame(f: CaptureFrame): Collected {
  return { tsMs: f.tsMs, linkType: f.linkType, interfaceId: f.interfaceId, bytes: f.data.slice(f.offset, f.offset + f.caplen), origLen: f.origLen, recordOffset: f.recordOffset };
}

/** Parses a whole in-memory capture in one call. */
export function parseAll(bytes: Uint8Array): Collected[] {
  const out: Collected[] = [];
  const parser = new CaptureParser((f) => out.push(copyFrame(f)));
  const end = parser.parse(bytes, 0, bytes.length, 0);
  parser.finish(bytes.length - end, end);
  return out;
}

/** Reads a capture through the streaming path, fed in chunks of `chunk` bytes. */
export async function readChunked(bytes: Uint8Array, chunk: number, options: ReadOptions = {}): Promise<Collected[]> {
  const out: Collected[] = [];
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) pieces.push(Buffer.from(bytes.subarray(i, i + chunk)));
  await readCapture(Readable.from(pieces), (f) => out.push(copyFrame(f)), options);
  return out;
}

export function encode(frames: GeneratedFrame[], options: CaptureOptions): Uint8Array {
  return encodeCapture(frames, options);
}
