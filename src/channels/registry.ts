import type { ChannelKind } from './types.js';
import { commandChannel } from './command.js';
import { discordChannel } from './discord.js';
import { emailChannel } from './email.js';
import { ntfyChannel } from './ntfy.js';
import { slackChannel } from './slack.js';
import { webhookChannel } from './webhook.js';

/** Every channel type, by name. Adding one is one file and one line here. */
export const channelKinds: readonly ChannelKind[] = [webhookChannel, slackChannel, discordChannel, ntfyChannel, emailChannel, commandChannel];

export function channelKind(type: string): ChannelKind | undefined {
  return channelKinds.find((k) => k.type === type);
}
