/**
 * Straight-line decoders for fixed-length templates. A template is a list of (kind,
 * length) pairs; for one without variable-length fields every field sits at a constant
 * offset, so we generate one small function per template that reads them in order — no
 * per-field loop or switch. The source is built only from integers (kinds, offsets,
 * lengths) of the compiled template, never from packet text, so it cannot inject code.
 * Compiled lazily on a template's first data set; the template limits bound how many exist.
 */
import { ipv6FromBytes } from '@mamori/core';
import type { FlowColumns } from '../columns.js';
import type { FlowRecord } from '../record.js';
import { uint } from './bytes.js';
import type { DomainState } from './session.js';
import { Kind, VARIABLE, type Template } from './template.js';
import { upTime } from './uptime.js';

export type FixedDecoder = (b: Uint8Array, p: number, r: FlowRecord, d: DomainState, exportMs: number, bootV9: number | null) => void;
/** The same, writing row `i` of `FlowColumns` instead of an object (data templates only). */
export type FixedColumnDecoder = (b: Uint8Array, p: number, c: FlowColumns, i: number, d: DomainState, exportMs: number, bootV9: number | null) => void;

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
  const body = fixedBody(t, 'object');
  if (body === null) return null;
  const factory = new Function('ipv6', 'uint', 'upTime', `return function decodeTemplate${t.id}(b, p, r, d, exportMs, bootV9) {\n${body}\n};`) as
    (ipv6: typeof ipv6FromBytes, u: typeof uint, up: typeof upTime) => FixedDecoder;
  return factory(ipv6FromBytes, uint, upTime);
}

export function compileFixedColumns(t: Template): FixedColumnDecoder | null {
  if (t.options) return null;
  const body = fixedBody(t, 'columns');
  if (body === null) return null;
  const factory = new Function('ipv6', 'uint', 'upTime', `return function decodeTemplateColumns${t.id}(b, p, c, i, d, exportMs, bootV9) {\n${body}\n};`) as
    (ipv6: typeof ipv6FromBytes, u: typeof uint, up: typeof upTime) => FixedColumnDecoder;
  return factory(ipv6FromBytes, uint, upTime);
}

function fixedBody(t: Template, target: 'object' | 'columns'): string | null {
  if (t.variable) return null;
  const set = (field: string, expr: string): string => (target === 'object' ? `r.${field} = ${expr};` : `c.${field}[i] = ${expr};`);
  const get = (field: string): string => (target === 'object' ? `r.${field}` : `c.${field}[i]`);
  const lines: string[] = ['let su = -1, eu = -1, sa = -1, ea = -1, ic = -1;'];
  let o = 0;
  for (let k = 0; k < t.kinds.length; k++) {
    const len = t.lengths[k];
    if (len === VARIABLE) return null;
    const v = intExpr(o, len);
    switch (t.kinds[k] as Kind) {
      case Kind.Skip: break;
      case Kind.Src4: lines.push(set(target === 'object' ? 'src' : 'src4', v)); break;
      case Kind.Dst4: lines.push(set(target === 'object' ? 'dst' : 'dst4', v)); break;
      case Kind.Src6: lines.push(target === 'object' ? `r.src = ipv6(b, p + ${o}); r.ipVersion = 6;` : `c.src6.set(i, ipv6(b, p + ${o})); c.ipVersion[i] = 6;`); break;
      case Kind.Dst6: lines.push(target === 'object' ? `r.dst = ipv6(b, p + ${o}); r.ipVersion = 6;` : `c.dst6.set(i, ipv6(b, p + ${o})); c.ipVersion[i] = 6;`); break;
      case Kind.SrcPort: lines.push(set('srcPort', v)); break;
      case Kind.DstPort: lines.push(set('dstPort', v)); break;
      case Kind.Protocol: lines.push(set('protocol', v)); break;
      case Kind.Tos: lines.push(set('tos', v)); break;
      case Kind.TcpFlags: lines.push(set('tcpFlags', `${v} & 255`)); break;
      case Kind.Bytes: lines.push(set('bytes', v)); break;
      case Kind.Packets: lines.push(set('packets', v)); break;
      case Kind.InIf: lines.push(set('inIf', v)); break;
      case Kind.OutIf: lines.push(set('outIf', v)); break;
      case Kind.SrcAs: lines.push(set('srcAs', v)); break;
      case Kind.DstAs: lines.push(set('dstAs', v)); break;
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
      'const start = sa >= 0 ? sa : su >= 0 && boot !== null ? upTime(boot, su, exportMs) : exportMs;',
      set('start', 'start'),
      set('end', 'ea >= 0 ? ea : eu >= 0 && boot !== null ? upTime(boot, eu, exportMs) : start'),
      `if (ic >= 0 && ${get('dstPort')} === 0) ${set('dstPort', 'ic')}`,
    );
  }
  return lines.join('\n');
}
