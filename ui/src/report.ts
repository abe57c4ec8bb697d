// How any view hands a failure to the global error banner.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type ReportError = (error: unknown) => void;

export const ReportErrorContext = createContext<ReportError>(() => {});

/** Returns a function that shows any thrown value in the error banner as an `ApiError`. */
export function useReportError(): ReportError {
  return useContext(ReportErrorContext);
}
