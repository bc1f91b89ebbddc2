import { version } from '../../../package.json';

/** Sluice's own version, as `status.get` reports it and `Sluice/<version>` User-Agents carry it. */
export const SLUICE_VERSION: string = version;
