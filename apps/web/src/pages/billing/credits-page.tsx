import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { grantCredit } from '../../api/billing';
import { billingKeys, useCreditsQuery } from '../../api/billing-queries';
import type { CreditKind } from '../../api/billing-types';
import { QueryError } from '../../components/access-denied';
import { Alert } from '../../components/alert';
import { Badge, type BadgeTone } from '../../components/badge';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { EmptyState } from '../../components/empty-state';
import { PlusIcon, ShieldCheckIcon } from '../../components/icons';
import { SelectField } from '../../components/select-field';
import { PageSpinner } from '../../components/spinner';
import { Cell, ColumnHeads, Table, TableBody, TableRow } from '../../components/table';
import { TextField } from '../../components/text-field';
import { useToast } from '../../components/toast';
import { formatDate, isPast } from '../../lib/format';
import { useSession } from '../../lib/session';
import { useForm } from '../../lib/use-form';
import { formatMoney, minorDigits, minorFromUnits } from './billing-format';
import { BillingSection, BillingTabHeader } from './billing-layout';

export function CreditsPage() {
  return (
    <BillingSection tab="credits">
      <CreditsTab />
    </BillingSection>
  );
}

const kinds: Record<CreditKind, { label: string; tone: BadgeTone }> = {
  promotional: { label: 'Promotional', tone: 'brand' },
  prepaid: { label: 'Prepaid', tone: 'success' },
  refund: { label: 'Refund', tone: 'info' },
};

const numeric = 'text-right tabular-nums whitespace-nowrap';

function CreditsTab() {
  const { can } = useSession();
  const operator = can('platform:operate');
  const credits = useCreditsQuery();
  const [granting, setGranting] = useState(false);

  const grantButton = operator && (
    <Button icon={<PlusIcon className="size-4" />} onClick={() => setGranting(true)}>
      Grant credit
    </Button>
  );

  return (
    <>
      <BillingTabHeader tab="credits" actions={grantButton} />
      {credits.isPending && <PageSpinner label="Loading credits…" />}
      {credits.isError && <QueryError error={credits.error} headingLevel={3} />}
      {credits.data && (
        <div className="flex flex-col gap-6">
          <div className="rounded-xl border border-border bg-surface p-5 shadow-sm sm:max-w-xs">
            <p className="text-sm text-text-muted">Balance</p>
            <p className="mt-1 text-2xl font-semibold text-text tabular-nums" data-testid="credit-balance">
              {formatMoney(credits.data.balance, credits.data.currency)}
            </p>
            <p className="mt-2 text-sm text-text-muted">Applied to your next invoices before anything is charged.</p>
          </div>
          {credits.data.data.length === 0 ? (
            <EmptyState
              icon={<ShieldCheckIcon />}
              headingLevel={3}
              title="No credits"
              description="Promotional, prepaid and refund credits appear here with what is left of each."
            />
          ) : (
            <Table caption="Credits">
              <ColumnHeads columns={['Kind', 'Description', 'Amount', 'Remaining', 'Expires', 'Added']} />
              <TableBody>
                {credits.data.data.map((credit) => {
                  const expired = isPast(credit.expires_at);
                  const kind = kinds[credit.kind] ?? { label: credit.kind, tone: 'neutral' as const };
                  return (
                    <TableRow key={credit.id}>
                      <Cell>
                        <Badge tone={kind.tone}>{kind.label}</Badge>
                      </Cell>
                      <Cell className="min-w-48">{credit.description || <span className="text-text-muted">—</span>}</Cell>
                      <Cell className={numeric}>{formatMoney(credit.amount, credit.currency)}</Cell>
                      <Cell className={numeric}>{formatMoney(credit.remaining, credit.currency)}</Cell>
                      <Cell className="whitespace-nowrap">
                        {credit.expires_at ? (
                          <span className={expired ? 'text-text-muted' : undefined}>
                            {formatDate(credit.expires_at)}
                            {expired && ' (expired)'}
                          </span>
                        ) : (
                          <span className="text-text-muted">Never</span>
                        )}
                      </Cell>
                      <Cell className="whitespace-nowrap text-text-muted">{formatDate(credit.created_at)}</Cell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          )}
        </div>
      )}
      {granting && credits.data && <GrantCreditDialog currency={credits.data.currency} onClose={() => setGranting(false)} />}
    </>
  );
}

type GrantField = 'kind' | 'amount' | 'description' | 'expires';

/** Operators only: grants the current organization a credit. */
function GrantCreditDialog({ currency, onClose }: { currency: string; onClose: () => void }) {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const form = useForm<GrantField>({ kind: 'promotional', amount: '', description: '', expires: '' });

  const grant = useMutation({
    mutationFn: () =>
      grantCredit(me.organization.id, {
        kind: form.values.kind as CreditKind,
        amount: minorFromUnits(form.values.amount, currency) ?? 0,
        description: form.values.description.trim() || undefined,
        expires_at: form.values.expires ? new Date(`${form.values.expires}T23:59:59`).toISOString() : undefined,
      }),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: billingKeys.all });
      notify(`Granted ${me.organization.name} ${formatMoney(minorFromUnits(form.values.amount, currency) ?? 0, currency)} of credit.`);
      onClose();
    },
    onError: (error) => form.applyError(error, { kind: 'kind', amount: 'amount', description: 'description', expires_at: 'expires' }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const amount = minorFromUnits(form.values.amount, currency);
    const digits = minorDigits(currency);
    const errors = {
      amount:
        amount === null || amount <= 0
          ? `Enter an amount above 0${digits > 0 ? ` with at most ${digits} decimals` : ''}, such as ${digits > 0 ? '25.00' : '2500'}.`
          : undefined,
    };
    if (form.validate({}, errors)) grant.mutate();
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title="Grant credit"
      description={`Adds a credit to ${me.organization.name}; its invoices use it up before anything is charged.`}
      dismissible={!grant.isPending}
    >
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <SelectField
          label="Kind"
          options={Object.entries(kinds).map(([value, kind]) => ({ value, label: kind.label }))}
          {...form.bind('kind')}
        />
        <TextField
          label={`Amount (${currency})`}
          type="number"
          inputMode="decimal"
          min={0}
          step="any"
          placeholder="e.g. 25.00"
          {...form.bind('amount')}
        />
        <TextField label="Description" optional maxLength={200} placeholder="e.g. Welcome credit" {...form.bind('description')} />
        <TextField label="Expires on" type="date" optional hint="Leave empty for a credit that never expires." {...form.bind('expires')} />
        <DialogFooter>
          <Button onClick={onClose} disabled={grant.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={grant.isPending}>
            Grant credit
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
