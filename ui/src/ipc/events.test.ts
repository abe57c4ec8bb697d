import { describe, expect, it } from 'vitest';
import { asAppEvent, asRouteName } from './events';

describe('asAppEvent', () => {
  it('reads sync progress', () => {
    expect(asAppEvent({ kind: 'sync_progress', run_id: 7, done: 12, total: 40 })).toEqual({
      kind: 'sync_progress',
      run_id: 7,
      done: 12,
      total: 40,
    });
  });
  it('reads a finished run', () => {
    expect(asAppEvent({ kind: 'run_finished', run_id: 7, status: 'succeeded' })).toEqual({
      kind: 'run_finished',
      run_id: 7,
      status: 'succeeded',
    });
  });
  it('reads the change notices without extra fields', () => {
    expect(asAppEvent({ kind: 'connectors_changed', extra: 1 })).toEqual({ kind: 'connectors_changed' });
    expect(asAppEvent({ kind: 'settings_changed' })).toEqual({ kind: 'settings_changed' });
  });
  it('keeps an unknown kind by name', () => {
    expect(asAppEvent({ kind: 'sync_finished', run_id: 4 })).toEqual({ kind: 'other', name: 'sync_finished' });
    expect(asAppEvent({ kind: 'constructor' })).toEqual({ kind: 'other', name: 'constructor' });
  });
  it('rejects known kinds with malformed fields', () => {
    expect(asAppEvent({ kind: 'sync_progress', run_id: 7, done: '12', total: 40 })).toBeNull();
    expect(asAppEvent({ kind: 'sync_progress', run_id: 7, done: -1, total: 40 })).toBeNull();
    expect(asAppEvent({ kind: 'run_finished', run_id: 7 })).toBeNull();
    expect(asAppEvent({ kind: 'run_finished', run_id: 7, status: 'done' })).toBeNull();
    expect(asAppEvent({ kind: 'run_finished', run_id: 7, status: 'toString' })).toBeNull();
  });
  it('reads every run status the backend sends', () => {
    for (const status of ['running', 'succeeded', 'partial', 'failed', 'held', 'interrupted'] as const) {
      expect(asAppEvent({ kind: 'run_finished', run_id: 1, status })).toEqual({ kind: 'run_finished', run_id: 1, status });
    }
  });
  it('rejects payloads without a string kind', () => {
    expect(asAppEvent(null)).toBeNull();
    expect(asAppEvent('sync_finished')).toBeNull();
    expect(asAppEvent({ kind: 1 })).toBeNull();
  });
});

describe('asRouteName', () => {
  it('accepts a route string', () => {
    expect(asRouteName('history')).toBe('history');
    expect(asRouteName(' connectors ')).toBe('connectors');
    expect(asRouteName('history/12')).toBe('history/12');
  });
  it('rejects anything else', () => {
    expect(asRouteName('')).toBeNull();
    expect(asRouteName({ route: 'history' })).toBeNull();
  });
});
