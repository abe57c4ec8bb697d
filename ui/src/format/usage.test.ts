import { describe, expect, it } from 'vitest';
import { inUseText } from './usage';

describe('inUseText', () => {
  it('counts workspaces in words', () => {
    expect(inUseText({ workspaces: 3, count: 12 })).toBe('12 in 3 workspaces');
    expect(inUseText({ workspaces: 1, count: 2 })).toBe('2 in 1 workspace');
    expect(inUseText(null)).toBeNull();
  });
});
