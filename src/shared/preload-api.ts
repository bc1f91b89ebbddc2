/**
 * What the preload exposes to the renderer as `window.sluice`. Deliberately tiny: the full typed
 * IPC contract (DESIGN.md §2, ipc-contract.ts) replaces it later.
 */
export interface SluicePreloadApi {
  /** The gateway's listening URL, e.g. `http://127.0.0.1:8787` (no trailing slash). */
  gatewayUrl(): Promise<string>;
}

/** IPC channel names behind {@link SluicePreloadApi}; main handles them, preload invokes them. */
export const PRELOAD_CHANNELS = {
  gatewayUrl: 'sluice:gateway-url',
} as const;
