import { auditLogExportUrl } from '../../api/resources';
import type { AuditLogFilters } from '../../api/types';
import { buttonClasses } from '../../components/button';
import { DownloadIcon } from '../../components/icons';

/** Downloads of every entry the filters match, oldest first; the session cookie authenticates them. */
export function ExportLinks({ filters }: { filters: AuditLogFilters }) {
  return (
    <div className="flex flex-wrap gap-2">
      <a href={auditLogExportUrl('csv', filters)} download className={buttonClasses('secondary', 'sm')}>
        <DownloadIcon className="size-4" />
        Export CSV
      </a>
      <a href={auditLogExportUrl('jsonl', filters)} download className={buttonClasses('secondary', 'sm')}>
        <DownloadIcon className="size-4" />
        Export JSONL
      </a>
    </div>
  );
}
