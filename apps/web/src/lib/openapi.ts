/**
 * Which routes this server has, from its own OpenAPI document: the shell uses it to say
 * "not installed" up front instead of waiting for 404s.
 */
import { request } from './api.js';

export interface OpenApiDoc {
  paths?: Record<string, Record<string, unknown>>;
}

let cached: Promise<OpenApiDoc> | null = null;

export function openApi(): Promise<OpenApiDoc> {
  cached ??= request<OpenApiDoc>('/openapi.json').catch(() => ({ paths: {} }));
  return cached;
}

/** True when some route starts with `prefix` (e.g. `/api/telescope`). */
export function hasPrefix(doc: OpenApiDoc, prefix: string): boolean {
  return Object.keys(doc.paths ?? {}).some((p) => p === prefix || p.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
}

/** True when `path` exists for `method`; `{param}` segments in the document match anything. */
export function hasRoute(doc: OpenApiDoc, method: string, path: string): boolean {
  for (const [p, ops] of Object.entries(doc.paths ?? {})) {
    const re = new RegExp(`^${p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
    if (re.test(path) && ops && method.toLowerCase() in ops) return true;
  }
  return false;
}
