import { startHeadless, type HeadlessSluice } from './headless';
import { Tee } from './tee';

/**
 * Sluice on [::1]:P and the recording tee on 127.0.0.1:P, the address the CLI is given: the tee keeps
 * the port so Sluice's Host guard sees its own port. Retries if 127.0.0.1:P happens to be taken.
 */
export async function gatewayBehindTee(config: {
  providers: unknown[];
  settings: Record<string, unknown>;
}): Promise<{ sluice: HeadlessSluice; tee: Tee }> {
  for (let attempt = 1; ; attempt++) {
    const sluice = await startHeadless(config, '::1');
    try {
      return { sluice, tee: await new Tee('::1', Number(new URL(sluice.url).port)).start() };
    } catch (e) {
      await sluice.close();
      if (attempt >= 3) throw e;
    }
  }
}
