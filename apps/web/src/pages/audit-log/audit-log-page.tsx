import { useMutation } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useAuditLogQuery, useMembersQuery } from '../../api/queries';
import { verifyAuditLog } from '../../api/resources';
import type { AuditLogEntry, AuditLogFilters } from '../../api/types';
import { AccessDenied, QueryError } from '../../components/access-denied';
import { Button } from '../../components/button';
import { EmptyState } from '../../components/empty-state';
import { AuditLogIcon, ShieldCheckIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { PageSpinner } from '../../components/spinner';
import { useSession } from '../../lib/session';
import { usePageTitle } from '../../lib/use-page-title';
import { AuditEntryDialog } from './audit-entry-dialog';
import { AuditLogFiltersForm } from './audit-log-filters';
import { AuditLogTable } from './audit-log-table';
import { ChainVerification } from './chain-verification';
import { ExportLinks } from './export-links';

const description = 'Every change and security event in your organization. Entries cannot be edited or deleted.';

export function AuditLogPage() {
  usePageTitle('Audit log');
  const { can } = useSession();
  if (!can('audit:read')) {
    return (
      <>
        <PageHeader title="Audit log" description={description} />
        <AccessDenied permission="audit:read" />
      </>
    );
  }
  return <AuditLog />;
}

function AuditLog() {
  const { canArea } = useSession();
  const [filters, setFilters] = useState<AuditLogFilters>({});
  const [selected, setSelected] = useState<AuditLogEntry | null>(null);
  const query = useAuditLogQuery(filters);
  const members = useMembersQuery(canArea('members'));
  const verify = useMutation({ mutationFn: verifyAuditLog });
  const entries = useMemo(() => query.data?.pages.flatMap((page) => page.data) ?? [], [query.data]);
  const names = useMemo(() => new Map((members.data ?? []).map((member) => [member.user.id, member.user.name])), [members.data]);
  const filtered = Object.keys(filters).length > 0;

  const verifyButton = (
    <Button icon={<ShieldCheckIcon className="size-4" />} loading={verify.isPending} onClick={() => verify.mutate()}>
      Verify chain
    </Button>
  );

  return (
    <>
      <PageHeader title="Audit log" description={description} actions={verifyButton} />
      <ChainVerification verify={verify} />
      <AuditLogFiltersForm onApply={setFilters} />
      {query.isPending && <PageSpinner label="Loading audit entries…" />}
      {query.isError && <QueryError error={query.error} />}
      {entries.length > 0 && (
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          <p className="text-sm text-text-muted">
            {query.hasNextPage
              ? `Showing the newest ${entries.length} entries.`
              : `Showing all ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}.`}
          </p>
          <ExportLinks filters={filters} />
        </div>
      )}
      {query.isSuccess && entries.length === 0 && (
        <EmptyState
          icon={<AuditLogIcon />}
          title={filtered ? 'No entries match these filters' : 'No entries yet'}
          description={filtered ? 'Try a wider date range or another action.' : 'Changes and sign-ins will appear here as they happen.'}
        />
      )}
      {entries.length > 0 && <AuditLogTable entries={entries} names={names} onShowDetails={setSelected} />}
      {query.hasNextPage && (
        <div className="mt-4 flex justify-center">
          <Button loading={query.isFetchingNextPage} onClick={() => query.fetchNextPage()}>
            Load more
          </Button>
        </div>
      )}
      {selected && <AuditEntryDialog entry={selected} names={names} onClose={() => setSelected(null)} />}
    </>
  );
}
