/** Google's error shape: rendered for Sluice's own errors, and its status names read back as statuses. */

/** Google's canonical status name for an HTTP status (google.rpc.Code as the HTTP mapping uses it). */
function googleStatus(status: number): string {
  switch (status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ABORTED';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 499:
      return 'CANCELLED';
    case 501:
      return 'UNIMPLEMENTED';
    case 502:
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
  }
  return status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
}

/** A Google error body (`{"error":{code,message,status}}`) for an HTTP status. */
export function googleError(status: number, message: string): string {
  return JSON.stringify({ error: { code: status, message, status: googleStatus(status) } });
}

/** Statuses named by Google's canonical status names. */
const STATUS_BY_ERROR_TYPE: Readonly<Record<string, number>> = {
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
  INVALID_ARGUMENT: 400,
};

/** The HTTP status a Google status name stands for, if it names one. */
export function geminiStatusForErrorType(type: string): number | undefined {
  return Object.hasOwn(STATUS_BY_ERROR_TYPE, type) ? STATUS_BY_ERROR_TYPE[type] : undefined;
}
