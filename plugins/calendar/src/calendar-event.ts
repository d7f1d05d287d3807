/**
 * One occurrence of an event, as stored and answered. Timed events carry UTC instants
 * (`2025-03-03T08:00:00Z`); all-day events carry dates (`2025-03-03`, the end exclusive), which
 * are the same days wherever the user is.
 */
export interface StoredEvent {
  uid: string;
  summary: string;
  start: string;
  end: string;
  all_day: boolean;
  /** Blocks time: not marked free (TRANSP:TRANSPARENT) and not cancelled. */
  busy: boolean;
  status?: 'tentative' | 'confirmed';
  location?: string;
  description?: string;
  organizer?: string;
  attendees: number;
  /** An occurrence of a recurring series (or a moved occurrence of one). */
  recurring: boolean;
  /** The feed it came from (its id; the URL itself is never stored). */
  feed: string;
}
