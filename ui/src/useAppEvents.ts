// Runs a handler for every backend event while the calling component is mounted.
import { useEffect, useRef } from 'preact/hooks';
import { onEvent, type AppEvent } from './ipc';

export function useAppEvents(handler: (event: AppEvent) => void): void {
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  useEffect(() => {
    let unlisten: (() => void) | null = null;
    let active = true;
    onEvent((e) => handlerRef.current(e)).then(
      (fn) => (active ? (unlisten = fn) : fn()),
      () => {}, // no event channel (e.g. outside the app): nothing to follow
    );
    return () => {
      active = false;
      unlisten?.();
    };
  }, []);
}
