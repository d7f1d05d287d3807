import { csvCell } from '../../kernel/http/csv.ts';
import { type AuditEntryDto, entryDto } from './dto.ts';
import type { AuditEntry } from './service.ts';

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

export const CSV_COLUMNS = [
  'seq',
  'id',
  'created_at',
  'action',
  'actor_type',
  'actor_id',
  'target_type',
  'target_id',
  'request_id',
  'ip',
  'user_agent',
  'changes',
  'prev_hash',
  'hash',
] as const;

export { csvCell };

function csvRow(entry: AuditEntryDto): string {
  const cells = [
    entry.seq,
    entry.id,
    entry.created_at,
    entry.action,
    entry.actor?.type,
    entry.actor?.id,
    entry.target?.type,
    entry.target?.id,
    entry.context?.request_id,
    entry.context?.ip,
    entry.context?.user_agent,
    JSON.stringify(entry.changes),
    entry.prev_hash,
    entry.hash,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

const CHUNK_CHARS = 64 * 1024;

/**
 * The export's text, in chunks of about 64 KiB: CSV (a header row, CRLF line ends) or JSON Lines
 * (one entry per line, the list endpoint's shape). Pulls entries only as fast as they are sent.
 */
export async function* exportChunks(entries: AsyncIterable<AuditEntry>, format: ExportFormat): AsyncGenerator<string> {
  let chunk = format === 'csv' ? `${CSV_COLUMNS.join(',')}\r\n` : '';
  for await (const entry of entries) {
    const dto = entryDto(entry);
    chunk += format === 'csv' ? csvRow(dto) : `${JSON.stringify(dto)}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
