/**
 * Straight-line decoders for fixed-length templates. A template is a list of (kind,
 * length) pairs; for one without variable-length fields every field sits at a constant
 * offset, so we generate one small function per template that reads them in order — no
 * per-field loop or switch. The source is built only from integers (kinds, offsets,
 * lengths) of the compiled template, never from packet text, so it cannot inject code.
 * Compiled lazily on a template's first data set; the template limits bound how many exist.
 */
import { ipv6FromBytes } from '@mamori/core';
import type { FlowRecord } from '../record.js';
import { uint } from './bytes.js';
import type { DomainState } from './session.js';
import { Kind, VARIABLE, type Template } from './template.js';
import { upTime } from './uptime.js';

export type FixedDecoder = (b: Uint8Array, p: number, r: FlowRecord, d: DomainState, exportMs: number, bootV9: number | null) => void;

function intExpr(o: number, len: number): string {
  const at = (k: number): string => `b[p + ${o + k}]`;
  switch (len) {
    case 1: return at(0);
    case 2: return `((${at(0)} << 8) | ${at(1)})`;
    case 4: return `(((${at(0)} << 24) | (${at(1)} << 16) | (${at(2)} << 8) | ${at(3)}) >>> 0)`;
    case 8: return `((((${at(0)} << 24) | (${at(1)} << 16) | (${at(2)} << 8) | ${at(3)}) >>> 0) * 4294967296 + (((${at(4)} << 24) | (${at(5)} << 16) | (${at(6)} << 8) | ${at(7)}) >>> 0))`;
    default: return `uint(b, p + ${o}, ${len})`;
  }
}

export function compileFixed(t: Template): FixedDecoder | null {
  if (t.variable) return null;
  const lines: string[] = ['let su = -1, eu = -1, sa = -1, ea = -1, ic = -1;'];
  let o = 0;
  for (let i = 0; i < t.kinds.length; i++) {
    const len = t.lengths[i];
    if (len === VARIABLE) return null;
    const v = intExpr(o, len);
    switch (t.kinds[i] as Kind) {
      case Kind.Skip: break;
      case Kind.Src4: lines.push(`r.src = ${v};`); break;
      case Kind.Dst4: lines.push(`r.dst = ${v};`); break;
      case Kind.Src6: lines.push(`r.src = ipv6(b, p + ${o}); r.ipVersion = 6;`); break;
      case Kind.Dst6: lines.push(`r.dst = ipv6(b, p + ${o}); r.ipVersion = 6;`); break;
      case Kind.SrcPort: lines.push(`r.srcPort = ${v};`); break;
      case Kind.DstPort: lines.push(`r.dstPort = ${v};`); break;
      case Kind.Protocol: lines.push(`r.protocol = ${v};`); break;
      case Kind.Tos: lines.push(`r.tos = ${v};`); break;
      case Kind.TcpFlags: lines.push(`r.tcpFlags = ${v} & 255;`); break;
      case Kind.Bytes: lines.push(`r.bytes = ${v};`); break;
      case Kind.Packets: lines.push(`r.packets = ${v};`); break;
      case Kind.InIf: lines.push(`r.inIf = ${v};`); break;
      case Kind.OutIf: lines.push(`r.outIf = ${v};`); break;
      case Kind.SrcAs: lines.push(`r.srcAs = ${v};`); break;
      case Kind.DstAs: lines.push(`r.dstAs = ${v};`); break;
      case Kind.StartUp: lines.push(`su = ${v};`); break;
      case Kind.EndUp: lines.push(`eu = ${v};`); break;
      case Kind.StartSec: lines.push(`sa = ${v} * 1000;`); break;
      case Kind.EndSec: lines.push(`ea = ${v} * 1000;`); break;
      case Kind.StartMs: lines.push(`sa = ${v};`); break;
      case Kind.EndMs: lines.push(`ea = ${v};`); break;
      case Kind.StartDeltaUs: lines.push(`sa = exportMs - Math.floor(${v} / 1000);`); break;
      case Kind.EndDeltaUs: lines.push(`ea = exportMs - Math.floor(${v} / 1000);`); break;
      case Kind.IcmpTypeCode: lines.push(`ic = ${v};`); break;
      case Kind.Sampling: lines.push(`{ const s = ${v}; if (s > 0) d.samplingInterval = s; }`); break;
      case Kind.SystemInitMs: lines.push(`d.systemInitMs = ${v};`); break;
    }
    o += len;
  }
  if (!t.options) {
    lines.push(
      'const boot = bootV9 !== null ? bootV9 : d.systemInitMs;',
      'r.start = sa >= 0 ? sa : su >= 0 && boot !== null ? upTime(boot, su, exportMs) : exportMs;',
      'r.end = ea >= 0 ? ea : eu >= 0 && boot !== null ? upTime(boot, eu, exportMs) : r.start;',
      'if (ic >= 0 && r.dstPort === 0) r.dstPort = ic;',
    );
  }
  const factory = new Function('ipv6', 'uint', 'upTime', `return function decodeTemplate${t.id}(b, p, r, d, exportMs, bootV9) {\n${lines.join('\n')}\n};`) as
    (ipv6: typeof ipv6FromBytes, u: typeof uint, up: typeof upTime) => FixedDecoder;
  return factory(ipv6FromBytes, uint, upTime);
}
