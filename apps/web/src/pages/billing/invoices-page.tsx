import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { invoicePdfUrl, markInvoicePaid } from '../../api/billing';
import { billingKeys, useInvoicesQuery, useUpcomingInvoiceQuery } from '../../api/billing-queries';
import type { Invoice, InvoiceLine } from '../../api/billing-types';
import { errorMessage } from '../../api/client';
import { QueryError } from '../../components/access-denied';
import { Badge } from '../../components/badge';
import { Button, buttonClasses } from '../../components/button';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState } from '../../components/empty-state';
import { DownloadIcon, FolderIcon } from '../../components/icons';
import { PageSpinner } from '../../components/spinner';
import { Cell, ColumnHeads, HeaderCell, Table, TableBody, TableHead, TableRow } from '../../components/table';
import { useToast } from '../../components/toast';
import { formatDate } from '../../lib/format';
import { useSession } from '../../lib/session';
import { formatCount, formatMetricAmount, formatMoney, formatOverage, formatTaxRate, invoiceStatus } from './billing-format';
import { BillingSection, BillingTabHeader } from './billing-layout';

export function InvoicesPage() {
  return (
    <BillingSection tab="invoices">
      <InvoicesTab />
    </BillingSection>
  );
}

const numeric = 'text-right tabular-nums whitespace-nowrap';

/** "Nov 23 – Dec 23, 2025"-style period (both dates in full, for clarity across years). */
const formatPeriod = (start: string, end: string) => `${formatDate(start)} – ${formatDate(end)}`;

/** An invoice's name in text: its number, or "draft" before it has one. */
const invoiceName = (invoice: Invoice) => invoice.number ?? 'Draft';

function InvoicesTab() {
  const { can } = useSession();
  const operator = can('platform:operate');
  const upcoming = useUpcomingInvoiceQuery();
  const invoices = useInvoicesQuery();
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const [marking, setMarking] = useState<Invoice | null>(null);
  const upcomingHeadingId = useId();
  const issuedHeadingId = useId();

  const markPaid = useMutation({
    mutationFn: (invoice: Invoice) => markInvoicePaid(invoice.id),
    onSuccess: (paid) => {
      queryClient.invalidateQueries({ queryKey: billingKeys.all });
      notify(`Marked invoice ${invoiceName(paid)} as paid.`);
      setMarking(null);
    },
  });

  return (
    <>
      <BillingTabHeader tab="invoices" />
      <div className="flex flex-col gap-8">
        <section aria-labelledby={upcomingHeadingId} className="flex flex-col gap-3">
          <div className="flex flex-col gap-1">
            <h3 id={upcomingHeadingId} className="text-base font-semibold text-text">
              Upcoming invoice
            </h3>
            <p className="text-sm text-text-muted">
              {upcoming.data
                ? `What this period’s invoice would be if it closed now (${formatPeriod(upcoming.data.period_start, upcoming.data.period_end)}).`
                : 'What this period’s invoice would be if it closed now.'}
            </p>
          </div>
          {upcoming.isPending && <PageSpinner label="Loading the upcoming invoice…" />}
          {upcoming.isError && <QueryError error={upcoming.error} headingLevel={3} />}
          {upcoming.data && (
            <LinesTable
              caption="Upcoming invoice"
              lines={upcoming.data.lines}
              currency={upcoming.data.currency}
              totals={{
                subtotal: upcoming.data.subtotal,
                credits: upcoming.data.credits,
                tax: upcoming.data.tax,
                total: upcoming.data.total,
              }}
            />
          )}
        </section>

        <section aria-labelledby={issuedHeadingId} className="flex flex-col gap-3">
          <h3 id={issuedHeadingId} className="text-base font-semibold text-text">
            Invoices
          </h3>
          {invoices.isPending && <PageSpinner label="Loading invoices…" />}
          {invoices.isError && <QueryError error={invoices.error} headingLevel={3} />}
          {invoices.data && invoices.data.length === 0 && (
            <EmptyState
              icon={<FolderIcon />}
              headingLevel={3}
              title="No invoices yet"
              description="An invoice is issued when you move to a paid plan and at the end of each billing period."
            />
          )}
          {invoices.data && invoices.data.length > 0 && (
            <Table caption="Invoices">
              <ColumnHeads columns={['Invoice', 'Period', 'Status', 'Total', 'Amount due', 'Download']} actions={operator} />
              <TableBody>
                {invoices.data.map((invoice) => {
                  const status = invoiceStatus(invoice);
                  return (
                    <TableRow key={invoice.id}>
                      <Cell>
                        <span className="flex flex-col">
                          <span className="font-medium whitespace-nowrap">{invoiceName(invoice)}</span>
                          <span className="text-xs whitespace-nowrap text-text-muted">Issued {formatDate(invoice.created_at)}</span>
                        </span>
                      </Cell>
                      <Cell className="whitespace-nowrap">{formatPeriod(invoice.period_start, invoice.period_end)}</Cell>
                      <Cell>
                        <Badge tone={status.tone}>{status.label}</Badge>
                      </Cell>
                      <Cell className={numeric}>{formatMoney(invoice.total, invoice.currency)}</Cell>
                      <Cell className={numeric}>
                        <span className="flex flex-col items-end">
                          <span>{formatMoney(invoice.amount_due, invoice.currency)}</span>
                          {invoice.status === 'paid' && invoice.paid_at ? (
                            <span className="text-xs text-text-muted">Paid {formatDate(invoice.paid_at)}</span>
                          ) : (
                            invoice.due_at &&
                            invoice.status === 'open' && <span className="text-xs text-text-muted">Due {formatDate(invoice.due_at)}</span>
                          )}
                        </span>
                      </Cell>
                      <Cell>
                        <a href={invoicePdfUrl(invoice.id)} download className={buttonClasses('secondary', 'sm')}>
                          <DownloadIcon className="size-4" />
                          PDF<span className="sr-only"> of invoice {invoiceName(invoice)}</span>
                        </a>
                      </Cell>
                      {operator && (
                        <Cell>
                          {invoice.status === 'open' && (
                            <div className="flex justify-end">
                              <Button
                                size="sm"
                                onClick={() => {
                                  markPaid.reset();
                                  setMarking(invoice);
                                }}
                              >
                                Mark paid<span className="sr-only"> invoice {invoiceName(invoice)}</span>
                              </Button>
                            </div>
                          )}
                        </Cell>
                      )}
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          )}
        </section>
      </div>
      <ConfirmDialog
        open={marking !== null}
        title="Mark invoice as paid?"
        confirmLabel="Mark paid"
        tone="primary"
        onConfirm={() => marking && markPaid.mutate(marking)}
        onClose={() => setMarking(null)}
        pending={markPaid.isPending}
        error={markPaid.isError ? errorMessage(markPaid.error) : null}
      >
        <p>
          Records a payment of {marking ? formatMoney(marking.amount_due, marking.currency) : ''} for invoice{' '}
          {marking ? invoiceName(marking) : ''} received outside Atrium. The organization is no longer overdue.
        </p>
      </ConfirmDialog>
    </>
  );
}

interface LinesTableProps {
  caption: string;
  lines: InvoiceLine[];
  currency: string;
  totals: { subtotal: number; credits: number; tax: number; total: number; taxRateBp?: number };
}

/** An invoice's lines, then its subtotal, credits, tax and total. */
export function LinesTable({ caption, lines, currency, totals }: LinesTableProps) {
  const quantityOf = (line: InvoiceLine) => (line.metric ? formatMetricAmount(line.quantity, line.metric) : formatCount(line.quantity));
  const unitPriceOf = (line: InvoiceLine) =>
    line.metric && line.unit_size !== 1
      ? formatOverage({ unit_amount: line.unit_amount, unit_size: line.unit_size }, line.metric, currency)
      : formatMoney(line.unit_amount, currency);
  const summary: [string, string][] = [
    ['Subtotal', formatMoney(totals.subtotal, currency)],
    ['Credits', totals.credits ? formatMoney(-Math.abs(totals.credits), currency) : formatMoney(0, currency)],
    [totals.taxRateBp ? `Tax (${formatTaxRate(totals.taxRateBp)})` : 'Tax', formatMoney(totals.tax, currency)],
  ];
  return (
    <Table caption={caption}>
      <TableHead>
        <TableRow>
          <HeaderCell>Description</HeaderCell>
          <HeaderCell className="text-right">Quantity</HeaderCell>
          <HeaderCell className="text-right">Unit price</HeaderCell>
          <HeaderCell className="text-right">Amount</HeaderCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {lines.length === 0 && (
          <TableRow>
            <Cell colSpan={4} className="text-text-muted">
              Nothing charged yet this period.
            </Cell>
          </TableRow>
        )}
        {lines.map((line, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines are shown in the invoice's own order and never reordered
          <TableRow key={index}>
            <Cell className="min-w-48">{line.description}</Cell>
            <Cell className={numeric}>{quantityOf(line)}</Cell>
            <Cell className={`${numeric} text-text-muted`}>{unitPriceOf(line)}</Cell>
            <Cell className={numeric}>{formatMoney(line.amount, currency)}</Cell>
          </TableRow>
        ))}
      </TableBody>
      <tfoot className="border-t border-border bg-surface-sunken">
        {summary.map(([label, value]) => (
          <tr key={label}>
            <th scope="row" colSpan={3} className="px-4 py-2 text-right font-medium text-text-muted">
              {label}
            </th>
            <td className={`px-4 py-2 text-text ${numeric}`}>{value}</td>
          </tr>
        ))}
        <tr>
          <th scope="row" colSpan={3} className="px-4 py-3 text-right font-semibold text-text">
            Total
          </th>
          <td className={`px-4 py-3 font-semibold text-text ${numeric}`}>{formatMoney(totals.total, currency)}</td>
        </tr>
      </tfoot>
    </Table>
  );
}
