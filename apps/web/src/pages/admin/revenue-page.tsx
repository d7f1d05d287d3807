import type { ReactNode } from 'react';
import { useAdminPlansQuery, useRevenueQuery } from '../../api/billing-queries';
import { QueryError } from '../../components/access-denied';
import { EmptyState } from '../../components/empty-state';
import { PageSpinner } from '../../components/spinner';
import { Cell, HeaderCell, Table, TableBody, TableHead, TableRow } from '../../components/table';
import { formatCount, formatFraction, formatMoney } from '../billing/billing-format';
import { ChartIcon } from '../billing/billing-icons';
import { AdminSection, AdminTabHeader } from './admin-layout';

export function AdminRevenuePage() {
  return (
    <AdminSection tab="revenue">
      <Revenue />
    </AdminSection>
  );
}

const numeric = 'text-right tabular-nums whitespace-nowrap';

function Revenue() {
  const query = useRevenueQuery();
  const plans = useAdminPlansQuery();
  const report = query.data;
  // The report names plans by slug; show their names when the catalogue is at hand.
  const planName = (slug: string) => plans.data?.find((plan) => plan.slug === slug || plan.id === slug)?.name ?? slug;
  return (
    <>
      <AdminTabHeader tab="revenue" />
      {query.isPending && <PageSpinner label="Loading revenue…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {report && (
        <div className="flex flex-col gap-6">
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5">
            <Stat label="MRR" value={formatMoney(report.mrr, report.currency)}>
              Monthly recurring revenue
            </Stat>
            <Stat label="ARR" value={formatMoney(report.arr, report.currency)}>
              Annual run rate
            </Stat>
            <Stat label="ARPU" value={formatMoney(report.arpu, report.currency)}>
              Per paying subscription, monthly
            </Stat>
            <Stat label="Churn" value={formatFraction(report.churn_rate)}>
              {formatCount(report.canceled_last_30d)} canceled in the last 30 days
            </Stat>
            <Stat label="Trial conversion" value={formatFraction(report.trial_conversion)}>
              Trials that became paid
            </Stat>
          </div>
          <dl className="grid gap-4 rounded-xl border border-border bg-surface p-5 shadow-sm sm:grid-cols-3 lg:grid-cols-5">
            <Count term="Active subscriptions" value={formatCount(report.active_subscriptions)} />
            <Count term="Trialing" value={formatCount(report.trialing)} />
            <Count term="Payment overdue" value={formatCount(report.past_due)} />
            {report.organizations !== undefined && <Count term="Organizations" value={formatCount(report.organizations)} />}
            {report.collected_last_30d !== undefined && (
              <Count term="Collected, last 30 days" value={formatMoney(report.collected_last_30d, report.currency)} />
            )}
          </dl>
          {report.by_plan.length === 0 ? (
            <EmptyState icon={<ChartIcon />} headingLevel={3} title="No subscriptions yet" />
          ) : (
            <Table caption="Revenue by plan">
              <TableHead>
                <TableRow>
                  <HeaderCell>Plan</HeaderCell>
                  <HeaderCell className="text-right">Subscriptions</HeaderCell>
                  <HeaderCell className="text-right">MRR</HeaderCell>
                  <HeaderCell className="text-right">Share of MRR</HeaderCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {report.by_plan.map((row) => (
                  <TableRow key={planName(row.plan)}>
                    <Cell className="font-medium whitespace-nowrap">{planName(row.plan)}</Cell>
                    <Cell className={numeric}>{formatCount(row.subscriptions)}</Cell>
                    <Cell className={numeric}>{formatMoney(row.mrr, report.currency)}</Cell>
                    <Cell className={`${numeric} text-text-muted`}>{report.mrr > 0 ? formatFraction(row.mrr / report.mrr) : '—'}</Cell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </div>
      )}
    </>
  );
}

function Stat({ label, value, children }: { label: string; value: string; children: ReactNode }) {
  return (
    <div className="rounded-xl border border-border bg-surface p-5 shadow-sm">
      <p className="text-sm text-text-muted">{label}</p>
      <p className="mt-1 truncate text-xl font-semibold text-text tabular-nums">{value}</p>
      <p className="mt-2 text-sm text-text-muted">{children}</p>
    </div>
  );
}

function Count({ term, value }: { term: string; value: string }) {
  return (
    <div className="flex flex-col gap-1">
      <dt className="text-sm text-text-muted">{term}</dt>
      <dd className="text-lg font-semibold text-text tabular-nums">{value}</dd>
    </div>
  );
}
