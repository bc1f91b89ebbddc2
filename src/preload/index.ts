import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from '../shared/preload-api';

// Sandboxed preload: only `electron` may be required at run time, so everything else is bundled in.
// The renderer gets the contract's SluiceApi as `window.sluice` — never ipcRenderer itself.
contextBridge.exposeInMainWorld('sluice', createPreloadApi(ipcRenderer));
