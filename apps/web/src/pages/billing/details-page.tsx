import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { saveBillingProfile } from '../../api/billing';
import { billingKeys, useBillingProfileQuery } from '../../api/billing-queries';
import type { BillingProfile } from '../../api/billing-types';
import { QueryError } from '../../components/access-denied';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Card } from '../../components/page-header';
import { PageSpinner } from '../../components/spinner';
import { TextAreaField } from '../../components/text-area';
import { TextField } from '../../components/text-field';
import { useToast } from '../../components/toast';
import { useSession } from '../../lib/session';
import { useForm } from '../../lib/use-form';
import { formatTaxRate } from './billing-format';
import { BillingSection, BillingTabHeader } from './billing-layout';

export function BillingDetailsPage() {
  return (
    <BillingSection tab="details">
      <DetailsTab />
    </BillingSection>
  );
}

function DetailsTab() {
  const query = useBillingProfileQuery();
  return (
    <>
      <BillingTabHeader tab="details" />
      {query.isPending && <PageSpinner label="Loading billing details…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {query.data && <ProfileForm profile={query.data} />}
    </>
  );
}

type Field = 'legalName' | 'email' | 'address' | 'taxId';

const valuesOf = (profile: BillingProfile): Record<Field, string> => ({
  legalName: profile.legal_name ?? '',
  email: profile.email ?? '',
  address: profile.address ?? '',
  taxId: profile.tax_id ?? '',
});

/** An empty field clears the value. */
const orNull = (value: string) => value.trim() || null;

function ProfileForm({ profile }: { profile: BillingProfile }) {
  const { can } = useSession();
  const canWrite = can('billing:write');
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const form = useForm<Field>(valuesOf(profile));

  const save = useMutation({
    mutationFn: () =>
      saveBillingProfile({
        legal_name: orNull(form.values.legalName),
        email: orNull(form.values.email),
        address: orNull(form.values.address),
        tax_id: orNull(form.values.taxId),
      }),
    onSuccess: (saved) => {
      queryClient.setQueryData(billingKeys.profile, saved);
      form.reset(valuesOf(saved));
      notify('Saved your billing details. They appear on invoices from now on.');
    },
    onError: (error) => form.applyError(error, { legal_name: 'legalName', email: 'email', address: 'address', tax_id: 'taxId' }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const email = form.values.email.trim();
    const errors = {
      email: email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? 'Enter an email address, such as billing@example.com.' : undefined,
    };
    if (form.validate({}, errors)) save.mutate();
  }

  return (
    <Card>
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} aria-label="Billing details" className="flex max-w-xl flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        {!canWrite && (
          <Alert tone="info" live="none">
            Changing billing details needs the <code>billing:write</code> permission, which your role does not include.
          </Alert>
        )}
        <TextField
          label="Legal name"
          optional
          autoComplete="organization"
          maxLength={200}
          readOnly={!canWrite}
          hint="The company or person invoices are made out to."
          {...form.bind('legalName')}
        />
        <TextField
          label="Billing email"
          type="email"
          optional
          autoComplete="email"
          maxLength={320}
          readOnly={!canWrite}
          hint="Invoices and payment reminders are sent here."
          {...form.bind('email')}
        />
        <TextAreaField
          label="Address"
          optional
          rows={4}
          autoComplete="street-address"
          maxLength={1000}
          readOnly={!canWrite}
          name="address"
          value={form.values.address}
          error={form.errors.address}
          onChange={(event) => {
            const value = event.target.value;
            form.setValues((values) => ({ ...values, address: value }));
          }}
        />
        <TextField
          label="Tax ID"
          optional
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          readOnly={!canWrite}
          hint="A VAT, GST or other tax number, printed on invoices."
          {...form.bind('taxId')}
        />
        <div className="flex flex-col gap-1">
          <p className="text-sm font-medium text-text">Tax rate</p>
          <p className="text-sm text-text" data-testid="tax-rate">
            {formatTaxRate(profile.tax_rate_bp)}
          </p>
          <p className="text-xs text-text-muted">Set by your Atrium operator from your address and tax ID. Ask them to change it.</p>
        </div>
        {canWrite && (
          <div>
            <Button type="submit" variant="primary" loading={save.isPending}>
              Save billing details
            </Button>
          </div>
        )}
      </form>
    </Card>
  );
}
