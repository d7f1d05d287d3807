import { definePlugin } from '@atrium/plugin-sdk';
import { request } from './request.ts';

definePlugin({ capabilities: { request } });
