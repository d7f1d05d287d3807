import { defineCapability } from '@atrium/plugin-sdk';
import { botToken, callSlack, type SlackResponse } from './slack-api.ts';

interface PostMessageResponse extends SlackResponse {
  channel: string;
  ts: string;
  message?: { ts: string; thread_ts?: string };
}

/**
 * `post_message`: `chat.postMessage` to the given channel or the `default_channel` setting; with
 * `thread_ts`, a reply in that message's thread.
 */
export const postMessage = defineCapability({
  input: {
    type: 'object',
    properties: {
      channel: { type: 'string' },
      text: { type: 'string' },
      thread_ts: { type: 'string' },
    },
    required: ['text'],
  },
  async handler(input, context) {
    const fallback = context.settings.default_channel;
    const channel = input.channel ?? (typeof fallback === 'string' && fallback !== '' ? fallback : undefined);
    if (!channel) throw new Error('no channel: pass channel or set the default_channel setting');
    const token = await botToken();
    const answer = await callSlack<PostMessageResponse>('chat.postMessage', {
      token,
      json: { channel, text: input.text, ...(input.thread_ts ? { thread_ts: input.thread_ts } : {}) },
    });
    const threadTs = answer.message?.thread_ts ?? input.thread_ts;
    return { channel: answer.channel, ts: answer.ts, ...(threadTs ? { thread_ts: threadTs } : {}) };
  },
});
