import { contextBridge, ipcRenderer } from 'electron';
import { PRELOAD_CHANNELS, type SluicePreloadApi } from '../shared/preload-api';

// Sandboxed preload: only `electron` may be required at run time, so everything else is bundled in.
// Each exposed function makes exactly one fixed call; the renderer never sees ipcRenderer itself.
const api: SluicePreloadApi = {
  gatewayUrl: () => ipcRenderer.invoke(PRELOAD_CHANNELS.gatewayUrl) as Promise<string>,
};

contextBridge.exposeInMainWorld('sluice', api);
