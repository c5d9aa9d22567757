import type { LlmSettings } from './settings.js';
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

/** The server root calls go to: `llm.baseUrl`, else the provider's default; undefined for `none`. */
export function baseUrlOf(settings: Pick<LlmSettings, 'provider' | 'baseUrl'>): string | undefined {
  const provider = getProvider(settings);
  if (!provider) return undefined;
  return (settings.baseUrl ?? provider.defaultBaseUrl).replace(/\/+$/, '');
}
