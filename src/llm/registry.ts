import { serverUrls, type LlmSettings } from './settings.js';
import { ollamaProvider } from './ollama.js';
import { openaiProvider } from './openai.js';
import type { LlmProvider } from './types.js';

/** Every model server protocol, by the name `llm.provider` uses. Adding one is one line here. */
export const providers: Readonly<Record<LlmProvider['name'], LlmProvider>> = {
  ollama: ollamaProvider,
  openai: openaiProvider,
};

/** The provider `llm.provider` names, or undefined for `none` (the model rung is off). */
export function getProvider(settings: Pick<LlmSettings, 'provider'>): LlmProvider | undefined {
  if (settings.provider === 'none') return undefined;
  return providers[settings.provider];
}

/** The server root calls go to first: `llm.baseUrl` (the first of a list), else the provider's default; undefined for `none`. */
export function baseUrlOf(settings: Pick<LlmSettings, 'provider' | 'baseUrl'>): string | undefined {
  return baseUrlsOf(settings)[0];
}

/** Every configured server root, in order: `llm.baseUrl` as a list, else the provider's default; empty for `none`. */
export function baseUrlsOf(settings: Pick<LlmSettings, 'provider' | 'baseUrl'>): string[] {
  const provider = getProvider(settings);
  if (!provider) return [];
  const urls = serverUrls(settings.baseUrl);
  return urls.length ? urls : [provider.defaultBaseUrl.replace(/\/+$/, '')];
}
