import { definePlugin } from '@atrium/plugin-sdk';
import { findFreeSlots } from './find-free-slots.ts';
import { importFeed } from './import-feed.ts';
import { listEvents } from './list-events.ts';
import { meetingLoad } from './meeting-load.ts';
import { proposeFocusBlocks } from './propose-focus-blocks.ts';

definePlugin({
  capabilities: {
    import_feed: importFeed,
    list_events: listEvents,
    find_free_slots: findFreeSlots,
    propose_focus_blocks: proposeFocusBlocks,
    meeting_load: meetingLoad,
  },
});
