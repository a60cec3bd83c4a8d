/**
 * The dashboard's only way to data: the server's HTTP API, with the signed-in user's bearer
 * token. The token lives in memory and sessionStorage (gone when the tab closes); a 401 from
 * any route ends the session so the shell shows the login page again.
 */

export interface SessionUser {
  name: string;
  organisation?: string;
  roles?: string[];
}

export interface Session {
  token: string | null;
  user: SessionUser | null;
}

const STORAGE_KEY = 'mamori.session';
type Listener = (s: Session) => void;

function readStored(): Session {
  try {
    const raw = globalThis.sessionStorage?.getItem(STORAGE_KEY);
    if (raw) {
      const parsed = JSON.parse(raw) as Session;
      if (typeof parsed.token === 'string' || parsed.token === null) return parsed;
    }
  } catch {
    /* storage unavailable or corrupt: start signed out */
  }
  return { token: null, user: null };
}

let current: Session = readStored();
const listeners = new Set<Listener>();

export const session = {
  get(): Session {
    return current;
  },
  set(next: Session): void {
    current = next;
    try {
      if (next.token === null && next.user === null) globalThis.sessionStorage?.removeItem(STORAGE_KEY);
      else globalThis.sessionStorage?.setItem(STORAGE_KEY, JSON.stringify(next));
    } catch {
      /* private mode: keep it in memory only */
    }
    for (const l of listeners) l(next);
  },
  clear(): void {
    session.set({ token: null, user: null });
  },
  subscribe(l: Listener): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

/** The server's error body (apps/server ErrorBody) or what we could make of a non-JSON answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /**
   * The route itself is not on this server (its part is not installed or not built yet): the
   * server's catch-all 404 carries no details, while a part's "no such object" names it.
   */
  get unavailable(): boolean {
    return this.status === 404 && this.code === 'MAMORI_NOT_FOUND' && this.details === undefined;
  }
}

export interface RequestOptions {
  method?: string;
  /** JSON-serialised unless it is already a body the browser can send (FormData, Blob, bytes). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Return the Response untouched (binary answers such as time-stamp tokens). */
  raw?: boolean;
}

function isSendable(body: unknown): body is BodyInit {
  return typeof body === 'string' || body instanceof Blob || body instanceof FormData
    || body instanceof ArrayBuffer || ArrayBuffer.isView(body) || body instanceof URLSearchParams;
}

export function authHeaders(): Record<string, string> {
  const token = current.token;
  return token ? { authorization: `Bearer ${token}` } : {};
}

export async function errorFrom(res: Response): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  let details: Record<string, unknown> | undefined;
  try {
    const text = await res.text();
    const body = JSON.parse(text) as { code?: string; message?: string; details?: Record<string, unknown>; title?: string; description?: string };
    // TAXII errors carry title/description instead of code/message.
    code = body.code ?? code;
    message = body.message ?? body.description ?? body.title ?? message;
    details = body.details;
  } catch {
    /* not JSON: keep the status line */
  }
  return new ApiError(res.status, code, message, details);
}

export async function request<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(), ...options.headers };
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    if (isSendable(options.body)) body = options.body;
    else {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  const res = await fetch(path, { method: options.method ?? (body ? 'POST' : 'GET'), headers, body, signal: options.signal });
  if (!res.ok) {
    const err = await errorFrom(res);
    if (res.status === 401 && current.token) session.clear();
    throw err;
  }
  if (options.raw) return res as unknown as T;
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

/** Builds `path?k=v` from the defined values only. */
export function withQuery(path: string, query: Record<string, string | number | boolean | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}
