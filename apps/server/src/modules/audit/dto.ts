import type { AuditEntry } from './service.ts';

/** An audit entry as the API shows it: the list's items and the JSON Lines export's lines. */
export function entryDto(entry: AuditEntry) {
  return {
    id: entry.id,
    seq: entry.seq,
    action: entry.action,
    actor: entry.actor as { type: string; id: string } | null,
    target: entry.target as { type: string; id: string } | null,
    context: entry.context as { request_id: string; ip: string; user_agent?: string } | null,
    changes: entry.changes as Record<string, unknown>,
    prev_hash: entry.prevHash,
    hash: entry.hash,
    created_at: entry.createdAt.toISOString(),
  };
}

export type AuditEntryDto = ReturnType<typeof entryDto>;
