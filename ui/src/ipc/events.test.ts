import { describe, expect, it } from 'vitest';
import { asAppEvent, asRouteName } from './events';

describe('asAppEvent', () => {
  it('keeps the kind of a well-formed event', () => {
    expect(asAppEvent({ kind: 'sync_finished', run_id: 4 })).toEqual({ kind: 'sync_finished' });
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
  });
  it('rejects anything else', () => {
    expect(asRouteName('')).toBeNull();
    expect(asRouteName({ route: 'history' })).toBeNull();
  });
});
