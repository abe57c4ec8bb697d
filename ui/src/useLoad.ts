// Loads data from the backend once (and on demand), reporting failures to the error banner.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from './bindings/ApiError';
import { toApiError } from './ipc';
import { useReportError } from './report';

export type Load<T> =
  | { state: 'loading'; data: T | null }
  | { state: 'ready'; data: T }
  | { state: 'failed'; data: T | null; error: ApiError };

export function useLoad<T>(fetch: () => Promise<T>): [Load<T>, () => void] {
  const report = useReportError();
  const [load, setLoad] = useState<Load<T>>({ state: 'loading', data: null });
  const latest = useRef(0);
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;

  const reload = useCallback(() => {
    const ticket = ++latest.current;
    setLoad((prev) => ({ state: 'loading', data: prev.data }));
    fetchRef.current().then(
      (data) => {
        if (ticket === latest.current) setLoad({ state: 'ready', data });
      },
      (e: unknown) => {
        if (ticket !== latest.current) return;
        const error = toApiError(e);
        setLoad((prev) => ({ state: 'failed', data: prev.data, error }));
        report(error);
      },
    );
  }, [report]);

  useEffect(() => {
    reload();
    return () => {
      latest.current++; // ignore answers that arrive after unmount
    };
  }, [reload]);

  return [load, reload];
}
