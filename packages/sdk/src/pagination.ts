import type { Page } from './types.ts';

/**
 * Follows `next_cursor` from page to page and yields every item. Pages are fetched only as the
 * loop asks for more, so breaking out early costs no extra requests.
 *
 * @example
 * for await (const space of paginate((cursor) => atrium.workspaces.list({ limit: 100, cursor }))) console.log(space.name);
 */
export async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.data;
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
}
