import { defineCapability } from '@atrium/plugin-sdk';
import { botToken, callSlack, type SlackResponse } from './slack-api.ts';

interface SlackChannel {
  id: string;
  name: string;
  is_private?: boolean;
  is_member?: boolean;
  num_members?: number;
  topic?: { value?: string };
  purpose?: { value?: string };
}

interface ConversationsListResponse extends SlackResponse {
  channels: SlackChannel[];
}

const DEFAULT_LIMIT = 100;
// Slack recommends pages of at most 200 and may answer fewer than asked for.
const PAGE_SIZE = 200;
const MAX_PAGES = 20;

/**
 * `list_channels`: `conversations.list` (public and private, not archived), following
 * `response_metadata.next_cursor` until `limit` channels are collected.
 */
export const listChannels = defineCapability({
  input: { type: 'object', properties: { limit: { type: 'integer' } } },
  async handler(input) {
    const limit = input.limit ?? DEFAULT_LIMIT;
    const token = await botToken();
    const channels: SlackChannel[] = [];
    let cursor = '';
    for (let page = 0; page < MAX_PAGES && channels.length < limit; page++) {
      const answer = await callSlack<ConversationsListResponse>('conversations.list', {
        token,
        query: {
          types: 'public_channel,private_channel',
          exclude_archived: true,
          limit: Math.min(PAGE_SIZE, limit - channels.length),
          cursor,
        },
      });
      channels.push(...(answer.channels ?? []));
      cursor = answer.response_metadata?.next_cursor ?? '';
      if (cursor === '') break;
    }
    return {
      channels: channels.slice(0, limit).map((channel) => ({
        id: channel.id,
        name: channel.name,
        is_private: channel.is_private ?? false,
        is_member: channel.is_member ?? false,
        ...(channel.num_members === undefined ? {} : { num_members: channel.num_members }),
        topic: channel.topic?.value ?? '',
        purpose: channel.purpose?.value ?? '',
      })),
      has_more: cursor !== '' || channels.length > limit,
    };
  },
});
