// How failures from the backend become the one error shape the UI shows.
import type { ApiError } from '../bindings/ApiError';
import type { ErrorCode } from '../bindings/ErrorCode';

/** Every code the backend may send. The check below fails to compile when the Rust list changes. */
export const ERROR_CODES = [
  'invalid_input',
  'not_found',
  'unauthorized',
  'forbidden',
  'unreachable',
  'remote',
  'keychain',
  'storage',
  'busy',
  'internal',
] as const satisfies readonly ErrorCode[];

type MissingCodes = Exclude<ErrorCode, (typeof ERROR_CODES)[number]>;
const everyCodeListed: [MissingCodes] extends [never] ? true : MissingCodes = true;
void everyCodeListed;

/** Shown when the UI runs outside the desktop shell (a plain browser, `vite preview`). */
export const BACKEND_UNAVAILABLE: ApiError = {
  code: 'internal',
  message: 'Backend not available: the PSA Bridge service only answers inside the desktop app.',
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as Record<string, unknown>;
  return isErrorCode(code) && typeof message === 'string';
}

/**
 * Turns whatever a rejected `invoke` produced into an `ApiError`.
 * A well-formed `{code, message}` passes through; anything else becomes `internal`
 * with the most readable text we can get from it.
 */
export function toApiError(value: unknown): ApiError {
  if (isApiError(value)) return { code: value.code, message: value.message };
  return { code: 'internal', message: describe(value) };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return String(value);
  if (typeof value === 'object' && value !== null) {
    const { message } = value as Record<string, unknown>;
    if (typeof message === 'string' && message !== '') return message;
    try {
      const json = JSON.stringify(value);
      if (json !== undefined) return json;
    } catch {
      // fall through to String() for cyclic or otherwise unserialisable values
    }
  }
  return String(value);
}
