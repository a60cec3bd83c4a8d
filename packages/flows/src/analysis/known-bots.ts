/**
 * The known-bot input: telescope's Mirai-like scanners and survey's weak devices, handed
 * to flows as a plain list (flows does not import those parts; the integrator wires them).
 * Text form: one address per line, optionally followed by a source and a reason
 * (`10.0.0.5 telescope mirai scanning`), or JSON: an array of addresses or of `KnownBot`.
 */
import { MamoriError, parseIp, formatIp } from '@mamori/core';
import type { KnownBot } from './types.js';

export function parseKnownBots(text: string, defaultSource: KnownBot['source'] = 'telescope'): KnownBot[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown;
    try { json = JSON.parse(trimmed); } catch (e) {
      throw new MamoriError('MAMORI_FLOWS_INPUT', { reason: `known-bots JSON does not parse: ${(e as Error).message}`, field: 'known-bots' });
    }
    const list = Array.isArray(json) ? json : (json as { bots?: unknown }).bots;
    if (!Array.isArray(list)) throw new MamoriError('MAMORI_FLOWS_INPUT', { reason: 'known-bots JSON must be an array', field: 'known-bots' });
    return list.map((item, i) => {
      if (typeof item === 'string') return bot(item, defaultSource, 'listed', `[${i}]`);
      const o = item as Partial<KnownBot>;
      if (typeof o?.address !== 'string') throw new MamoriError('MAMORI_FLOWS_INPUT', { reason: 'known bot without an address', field: `known-bots[${i}].address` });
      const source = o.source === 'survey' || o.source === 'telescope' ? o.source : defaultSource;
      return bot(o.address, source, typeof o.reason === 'string' ? o.reason : 'listed', `[${i}]`);
    });
  }
  const out: KnownBot[] = [];
  trimmed.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const [address, source, ...reason] = line.split(/[\s,]+/);
    const src = source === 'survey' || source === 'telescope' ? source : defaultSource;
    out.push(bot(address, src, reason.join(' ') || 'listed', `line ${i + 1}`));
  });
  return out;
}

function bot(address: string, source: KnownBot['source'], reason: string, where: string): KnownBot {
  try {
    return { address: formatIp(parseIp(address)), source, reason };
  } catch {
    throw new MamoriError('MAMORI_FLOWS_INPUT', { reason: `"${address}" is not an IP address`, field: `known-bots ${where}` });
  }
}
