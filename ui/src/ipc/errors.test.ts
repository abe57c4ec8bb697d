import { describe, expect, it } from 'vitest';
import { BACKEND_UNAVAILABLE, ERROR_CODES, isApiError, toApiError } from './errors';

describe('toApiError', () => {
  it('passes a well-formed backend error through', () => {
    expect(toApiError({ code: 'unauthorized', message: 'Public key rejected' })).toEqual({
      code: 'unauthorized',
      message: 'Public key rejected',
    });
  });

  it('drops extra fields', () => {
    expect(toApiError({ code: 'busy', message: 'A sync is running', detail: 1 })).toEqual({
      code: 'busy',
      message: 'A sync is running',
    });
  });

  it('accepts every known code', () => {
    for (const code of ERROR_CODES) expect(isApiError({ code, message: 'x' })).toBe(true);
  });

  it('turns a plain string (e.g. a Result<T, String> command) into internal', () => {
    expect(toApiError('command sync_now not found')).toEqual({
      code: 'internal',
      message: 'command sync_now not found',
    });
  });

  it('turns an Error into internal with its text', () => {
    expect(toApiError(new TypeError('boom'))).toEqual({ code: 'internal', message: 'TypeError: boom' });
  });

  it('treats an unknown code as non-conforming but keeps the message', () => {
    expect(toApiError({ code: 'teapot', message: 'short and stout' })).toEqual({
      code: 'internal',
      message: 'short and stout',
    });
  });

  it('treats a non-string message as non-conforming', () => {
    expect(toApiError({ code: 'remote', message: 42 })).toEqual({
      code: 'internal',
      message: '{"code":"remote","message":42}',
    });
  });

  it('handles null, undefined and numbers', () => {
    expect(toApiError(null)).toEqual({ code: 'internal', message: 'null' });
    expect(toApiError(undefined)).toEqual({ code: 'internal', message: 'undefined' });
    expect(toApiError(3)).toEqual({ code: 'internal', message: '3' });
  });

  it('survives cyclic objects', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(toApiError(cyclic)).toEqual({ code: 'internal', message: '[object Object]' });
  });

  it('describes the missing backend plainly', () => {
    expect(isApiError(BACKEND_UNAVAILABLE)).toBe(true);
    expect(BACKEND_UNAVAILABLE.message).toMatch(/^Backend not available/);
  });
});
