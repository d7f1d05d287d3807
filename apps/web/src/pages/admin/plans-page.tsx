import { useState } from 'react';
import { useAdminPlansQuery } from '../../api/billing-queries';
import type { AdminPlan } from '../../api/billing-types';
import { QueryError } from '../../components/access-denied';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { EmptyState } from '../../components/empty-state';
import { PageSpinner } from '../../components/spinner';
import { Cell, ColumnHeads, Table, TableBody, TableRow } from '../../components/table';
import { formatMoney } from '../billing/billing-format';
import { OperatorIcon } from '../billing/billing-icons';
import { AdminSection, AdminTabHeader } from './admin-layout';
import { PlanEditDialog } from './plan-edit-dialog';

export function AdminPlansPage() {
  return (
    <AdminSection tab="plans">
      <Plans />
    </AdminSection>
  );
}

const numeric = 'text-right tabular-nums whitespace-nowrap';

const price = (plan: AdminPlan, amount: number | null) =>
  amount === null ? <span className="text-text-muted">Not offered</span> : formatMoney(amount, plan.currency);

function seats(plan: AdminPlan): string {
  const range =
    plan.max_seats === null
      ? `${plan.min_seats}+`
      : plan.max_seats === plan.min_seats
        ? String(plan.min_seats)
        : `${plan.min_seats}–${plan.max_seats}`;
  return plan.seat_amount > 0 ? `${range} (${plan.included_seats} incl., ${formatMoney(plan.seat_amount, plan.currency)}/seat)` : range;
}

function Plans() {
  const query = useAdminPlansQuery();
  const [editing, setEditing] = useState<AdminPlan | null>(null);

  return (
    <>
      <AdminTabHeader tab="plans" />
      {query.isPending && <PageSpinner label="Loading plans…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {query.data && query.data.length === 0 && <EmptyState icon={<OperatorIcon />} headingLevel={3} title="No plans" />}
      {query.data && query.data.length > 0 && (
        <Table caption="Plans">
          <ColumnHeads columns={['Plan', 'Version', 'Monthly', 'Yearly', 'Seats', 'Trial', 'Status']} actions />
          <TableBody>
            {query.data.map((plan) => (
              <TableRow key={plan.id} className={plan.archived ? 'bg-surface-sunken' : undefined}>
                <Cell>
                  <span className="flex flex-col">
                    <span className="font-medium whitespace-nowrap">{plan.name}</span>
                    <code className="text-xs text-text-muted">{plan.slug}</code>
                  </span>
                </Cell>
                <Cell className={numeric}>{plan.version}</Cell>
                <Cell className={numeric}>{plan.custom_pricing ? 'Custom' : price(plan, plan.prices.month)}</Cell>
                <Cell className={numeric}>{plan.custom_pricing ? 'Custom' : price(plan, plan.prices.year)}</Cell>
                <Cell className="whitespace-nowrap">{seats(plan)}</Cell>
                <Cell className="whitespace-nowrap">
                  {plan.trial_days > 0 ? `${plan.trial_days} days` : <span className="text-text-muted">None</span>}
                </Cell>
                <Cell>
                  <span className="flex flex-wrap gap-1">
                    <Badge tone={plan.public ? 'success' : 'neutral'}>{plan.public ? 'Public' : 'Hidden'}</Badge>
                    {plan.archived && <Badge tone="warning">Archived</Badge>}
                  </span>
                </Cell>
                <Cell>
                  <div className="flex justify-end">
                    <Button size="sm" onClick={() => setEditing(plan)}>
                      Edit<span className="sr-only"> {plan.name}</span>
                    </Button>
                  </div>
                </Cell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {editing && <PlanEditDialog plan={editing} onClose={() => setEditing(null)} />}
    </>
  );
}
