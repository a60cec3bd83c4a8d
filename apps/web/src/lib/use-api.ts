/** Loads one API resource for a view, with the states every panel shows the same way. */
import { useCallback, useEffect, useState } from 'react';
import { ApiError, request } from './api.js';

export type Loaded<T> =
  | { state: 'loading'; data?: never; error?: never }
  | { state: 'ready'; data: T; error?: never }
  | { state: 'unavailable' | 'forbidden' | 'unauthorised' | 'error'; data?: never; error: ApiError };

export function classify(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'NETWORK', (error as Error)?.message ?? String(error));
}

export function stateOf(error: ApiError): 'unavailable' | 'forbidden' | 'unauthorised' | 'error' {
  if (error.unavailable) return 'unavailable';
  if (error.status === 401) return 'unauthorised';
  if (error.status === 403) return 'forbidden';
  return 'error';
}

/** Runs an async loader with the same states as `useApi` (for views that combine several calls). */
export function useLoader<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    const ctrl = new AbortController();
    setResult({ state: 'loading' });
    load(ctrl.signal).then(
      (data) => setResult({ state: 'ready', data }),
      (e: unknown) => {
        if (ctrl.signal.aborted) return;
        const err = classify(e);
        setResult({ state: stateOf(err), error: err });
      },
    );
    return () => ctrl.abort();
  }, deps);
  return result;
}

/** `path` null means "not yet" (e.g. nothing selected); changing it reloads. */
export function useApi<T>(path: string | null): Loaded<T> & { reload(): void } {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    const ctrl = new AbortController();
    setResult({ state: 'loading' });
    request<T>(path, { signal: ctrl.signal }).then(
      (data) => setResult({ state: 'ready', data }),
      (e: unknown) => {
        if (ctrl.signal.aborted) return;
        const err = classify(e);
        setResult({ state: stateOf(err), error: err });
      },
    );
    return () => ctrl.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...result, reload };
}
