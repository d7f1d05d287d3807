import { definePlugin } from '@atrium/plugin-sdk';
import { listChannels } from './list-channels.ts';
import { postMessage } from './post-message.ts';

definePlugin({ capabilities: { post_message: postMessage, list_channels: listChannels } });
