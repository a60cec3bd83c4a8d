/** TAXII 2.1 error message resources (§3.6.1) from whatever went wrong. */
import { randomUUID } from 'node:crypto';
import { MamoriError } from '@mamori/core';

export interface TaxiiError {
  title: string;
  description?: string;
  error_id?: string;
  error_code?: string;
  http_status?: string;
  details?: Record<string, unknown>;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 406: 'Not Acceptable',
  413: 'Request Entity Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error',
};

/** Status and body for an error; internal errors say nothing of their cause. */
export function taxiiErrorOf(error: unknown): { status: number; body: TaxiiError } {
  if (error instanceof MamoriError) {
    const status = error.status;
    const details: Record<string, unknown> = {};
    if (error.details.field !== undefined) details.field = error.details.field;
    if (error.details.offset !== undefined) details.offset = error.details.offset;
    if (Array.isArray(error.details.problems)) details.problems = error.details.problems;
    return {
      status,
      body: { title: TITLES[status] ?? 'Error', description: error.message, error_code: error.code, http_status: String(status), ...(Object.keys(details).length ? { details } : {}) },
    };
  }
  const e = error as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  if (e?.validation) return { status: 400, body: { title: 'Bad Request', description: e.message, error_code: 'MAMORI_VALIDATION', http_status: '400' } };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { title: TITLES[e.statusCode] ?? 'Error', description: e.message, error_code: e.code ?? 'MAMORI_REQUEST', http_status: String(e.statusCode) } };
  }
  return { status: 500, body: { title: 'Internal Server Error', description: 'internal error', error_id: randomUUID(), error_code: 'MAMORI_INTERNAL', http_status: '500' } };
}
