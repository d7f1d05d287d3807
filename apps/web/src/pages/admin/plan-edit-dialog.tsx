import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { updateAdminPlan } from '../../api/billing';
import { billingKeys } from '../../api/billing-queries';
import type { AdminPlan, PlanEdit, PlanLimits, PlanQuota } from '../../api/billing-types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Checkbox } from '../../components/checkbox';
import { Dialog, DialogFooter } from '../../components/dialog';
import { TextAreaField } from '../../components/text-area';
import { TextField } from '../../components/text-field';
import { useToast } from '../../components/toast';
import { useForm } from '../../lib/use-form';
import { minorDigits, minorFromUnits, unitsFromMinor } from '../billing/billing-format';

type Field =
  | 'name'
  | 'description'
  | 'month'
  | 'year'
  | 'seatAmount'
  | 'includedSeats'
  | 'minSeats'
  | 'maxSeats'
  | 'trialDays'
  | 'rpm'
  | 'rpd'
  | 'tpm'
  | 'quotas'
  | 'features';

const limitFields = { rpm: 'requests_per_minute', rpd: 'requests_per_day', tpm: 'tokens_per_minute' } as const;

const numberOrEmpty = (value: number | undefined | null) => (typeof value === 'number' ? String(value) : '');

function initialValues(plan: AdminPlan): Record<Field, string> {
  return {
    name: plan.name,
    description: plan.description,
    month: unitsFromMinor(plan.prices.month, plan.currency),
    year: unitsFromMinor(plan.prices.year, plan.currency),
    seatAmount: unitsFromMinor(plan.seat_amount, plan.currency),
    includedSeats: String(plan.included_seats),
    minSeats: String(plan.min_seats),
    maxSeats: numberOrEmpty(plan.max_seats),
    trialDays: String(plan.trial_days),
    rpm: numberOrEmpty(plan.limits.requests_per_minute),
    rpd: numberOrEmpty(plan.limits.requests_per_day),
    tpm: numberOrEmpty(plan.limits.tokens_per_minute),
    quotas: JSON.stringify(plan.quotas, null, 2),
    features: JSON.stringify(plan.features, null, 2),
  };
}

/** A whole number from `min` (and up to `max`), or null. */
function wholeNumber(value: string, min: number, max = Number.MAX_SAFE_INTEGER): number | null {
  if (!/^\d+$/.test(value.trim())) return null;
  const parsed = Number(value);
  return parsed >= min && parsed <= max ? parsed : null;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown, min: number) => typeof value === 'number' && Number.isInteger(value) && value >= min;

/** The quotas JSON as the API takes it, or an error message. */
export function parseQuotas(text: string): { value: Record<string, PlanQuota> } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text || '{}');
  } catch {
    return { error: 'Enter valid JSON: an object of metrics.' };
  }
  if (!isRecord(parsed)) return { error: 'Enter an object keyed by metric, such as {"tokens": {"included": 1000000, "overage": null}}.' };
  for (const [metric, quota] of Object.entries(parsed)) {
    if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(metric)) return { error: `"${metric}" is not a metric name (lowercase letters, digits, _ . -).` };
    if (!isRecord(quota)) return { error: `"${metric}" needs an object with included and overage.` };
    if (quota.included !== null && !isCount(quota.included, 0))
      return { error: `"${metric}".included must be a whole number ≥ 0, or null for unlimited.` };
    const overage = quota.overage;
    if (overage !== null && overage !== undefined) {
      if (!isRecord(overage) || !isCount(overage.unit_amount, 0) || !isCount(overage.unit_size, 1)) {
        return { error: `"${metric}".overage must be null (a hard limit) or {"unit_amount": whole ≥ 0, "unit_size": whole ≥ 1}.` };
      }
    }
  }
  const value: Record<string, PlanQuota> = {};
  for (const [metric, quota] of Object.entries(parsed as Record<string, PlanQuota>)) {
    value[metric] = { included: quota.included, overage: quota.overage ?? null };
  }
  return { value };
}

/** The features JSON as the API takes it, or an error message. */
export function parseFeatures(text: string): { value: Record<string, boolean | number | string | null> } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text || '{}');
  } catch {
    return { error: 'Enter valid JSON: an object of features.' };
  }
  if (!isRecord(parsed)) return { error: 'Enter an object, such as {"sso": true, "webhooks": 5}.' };
  for (const [name, value] of Object.entries(parsed)) {
    if (value !== null && !['boolean', 'number', 'string'].includes(typeof value)) {
      return { error: `"${name}" must be true, false, a number, a string or null.` };
    }
  }
  return { value: parsed as Record<string, boolean | number | string | null> };
}

/** Edits a plan's terms; saving publishes a new version (existing subscribers keep theirs). */
export function PlanEditDialog({ plan, onClose }: { plan: AdminPlan; onClose: () => void }) {
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const form = useForm<Field>(initialValues(plan));
  const [flags, setFlags] = useState({ public: plan.public, archived: plan.archived });
  const currency = plan.currency;
  const digits = minorDigits(currency);
  const moneyHint = `In ${currency}, up to ${digits} decimals.`;

  function build(): { edit: PlanEdit } | { errors: Partial<Record<Field, string>> } {
    const v = form.values;
    const errors: Partial<Record<Field, string>> = {};
    const money = (field: Field, optional: boolean) => {
      if (!v[field].trim()) {
        if (!optional) errors[field] = 'Enter an amount (0 for free).';
        return null;
      }
      const minor = minorFromUnits(v[field], currency);
      if (minor === null) errors[field] = `Enter an amount ≥ 0 with at most ${digits} decimals.`;
      return minor;
    };
    const count = (field: Field, min: number, max?: number, optional = false) => {
      if (optional && !v[field].trim()) return null;
      const value = wholeNumber(v[field], min, max);
      if (value === null)
        errors[field] = `Enter a whole number${max ? ` from ${min} to ${max}` : ` ≥ ${min}`}${optional ? ', or leave it empty' : ''}.`;
      return value;
    };
    if (!v.name.trim()) errors.name = 'Enter the plan’s name.';
    const month = money('month', true);
    const year = money('year', true);
    const seatAmount = money('seatAmount', false);
    const includedSeats = count('includedSeats', 1);
    const minSeats = count('minSeats', 1);
    const maxSeats = count('maxSeats', 1, undefined, true);
    if (maxSeats !== null && minSeats !== null && maxSeats < minSeats) errors.maxSeats = 'The maximum must be at least the minimum.';
    const trialDays = count('trialDays', 0, 365);
    const limits: PlanLimits = { ...plan.limits };
    for (const [field, name] of Object.entries(limitFields) as [Field, string][]) {
      const value = count(field, 1, undefined, true);
      if (value === null) delete limits[name];
      else limits[name] = value;
    }
    const quotas = parseQuotas(v.quotas);
    if ('error' in quotas) errors.quotas = quotas.error;
    const features = parseFeatures(v.features);
    if ('error' in features) errors.features = features.error;
    if (Object.values(errors).some(Boolean) || 'error' in quotas || 'error' in features) return { errors };
    return {
      edit: {
        name: v.name.trim(),
        description: v.description.trim(),
        prices: { month, year },
        seat_amount: seatAmount ?? 0,
        included_seats: includedSeats ?? 1,
        min_seats: minSeats ?? 1,
        max_seats: maxSeats,
        trial_days: trialDays ?? 0,
        limits,
        quotas: quotas.value,
        features: features.value,
        public: flags.public,
        archived: flags.archived,
      },
    };
  }

  const save = useMutation({
    mutationFn: (edit: PlanEdit) => updateAdminPlan(plan.id, edit),
    onSuccess: (saved) => {
      queryClient.invalidateQueries({ queryKey: billingKeys.admin });
      queryClient.invalidateQueries({ queryKey: billingKeys.plans });
      notify(`Published version ${saved.version} of ${saved.name}. Existing subscribers keep their version.`);
      onClose();
    },
    onError: (error) =>
      form.applyError(error, {
        name: 'name',
        description: 'description',
        month: 'month',
        year: 'year',
        seat_amount: 'seatAmount',
        included_seats: 'includedSeats',
        min_seats: 'minSeats',
        max_seats: 'maxSeats',
        trial_days: 'trialDays',
        requests_per_minute: 'rpm',
        requests_per_day: 'rpd',
        tokens_per_minute: 'tpm',
        quotas: 'quotas',
        features: 'features',
      }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const result = build();
    if ('errors' in result) {
      form.validate({}, result.errors);
      return;
    }
    if (form.validate({})) save.mutate(result.edit);
  }

  const textArea = (field: 'quotas' | 'features' | 'description') => ({
    name: field,
    value: form.values[field],
    error: form.errors[field],
    onChange: (event: { target: { value: string } }) => {
      const value = event.target.value;
      form.setValues((values) => ({ ...values, [field]: value }));
    },
  });

  return (
    <Dialog
      open
      onClose={onClose}
      title={`Edit ${plan.name}`}
      description={`Version ${plan.version}. Saving publishes version ${plan.version + 1} for new subscribers; existing ones keep theirs.`}
      size="lg"
      dismissible={!save.isPending}
    >
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-5">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="Name" maxLength={100} {...form.bind('name')} />
          <TextField label="Slug" value={plan.slug} readOnly required={false} hint="Fixed: subscriptions and links use it." />
          <TextAreaField
            label="Description"
            rows={2}
            containerClassName="sm:col-span-2"
            maxLength={500}
            optional
            {...textArea('description')}
          />
        </div>
        <fieldset className="flex flex-col gap-3">
          <legend className="mb-1 text-sm font-medium text-text">Prices ({currency})</legend>
          <div className="grid gap-4 sm:grid-cols-3">
            <TextField
              label="Monthly"
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              optional
              hint={`Empty: not offered monthly. ${moneyHint}`}
              {...form.bind('month')}
            />
            <TextField
              label="Yearly"
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              optional
              hint={`Empty: not offered yearly. ${moneyHint}`}
              {...form.bind('year')}
            />
            <TextField
              label="Extra seat, per month"
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              hint={moneyHint}
              {...form.bind('seatAmount')}
            />
          </div>
        </fieldset>
        <fieldset className="flex flex-col gap-3">
          <legend className="mb-1 text-sm font-medium text-text">Seats and trial</legend>
          <div className="grid gap-4 sm:grid-cols-4">
            <TextField label="Included seats" type="number" inputMode="numeric" min={1} step={1} {...form.bind('includedSeats')} />
            <TextField label="Minimum seats" type="number" inputMode="numeric" min={1} step={1} {...form.bind('minSeats')} />
            <TextField
              label="Maximum seats"
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              required={false}
              hint="Empty: no maximum."
              {...form.bind('maxSeats')}
            />
            <TextField label="Trial days" type="number" inputMode="numeric" min={0} max={365} step={1} {...form.bind('trialDays')} />
          </div>
        </fieldset>
        <fieldset className="flex flex-col gap-3">
          <legend className="mb-1 text-sm font-medium text-text">Rate limits</legend>
          <div className="grid gap-4 sm:grid-cols-3">
            <TextField
              label="Requests per minute"
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              required={false}
              hint="Empty: no limit."
              {...form.bind('rpm')}
            />
            <TextField
              label="Requests per day"
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              required={false}
              hint="Empty: no limit."
              {...form.bind('rpd')}
            />
            <TextField
              label="Tokens per minute"
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              required={false}
              hint="Empty: no limit."
              {...form.bind('tpm')}
            />
          </div>
        </fieldset>
        <TextAreaField
          label="Quotas (JSON)"
          rows={8}
          spellCheck={false}
          className="font-mono text-xs"
          hint={
            <>
              Per metric: <code>{'{"included": 1000000, "overage": {"unit_amount": 200, "unit_size": 1000000}}'}</code>.{' '}
              <code>included: null</code> is unlimited; <code>overage: null</code> is a hard limit. Amounts in minor units (cents).
            </>
          }
          {...textArea('quotas')}
        />
        <TextAreaField
          label="Features (JSON)"
          rows={6}
          spellCheck={false}
          className="font-mono text-xs"
          hint={
            <>
              Values are <code>true</code>, <code>false</code>, a number, a string or <code>null</code> (unlimited). Add{' '}
              <code>"custom_pricing": true</code> for plans priced by agreement.
            </>
          }
          {...textArea('features')}
        />
        <div className="flex flex-col gap-3">
          <Checkbox
            label="Public"
            description="Offered to organizations on the Billing page. Hidden plans can still be assigned."
            checked={flags.public}
            onChange={(event) => {
              const checked = event.target.checked;
              setFlags((current) => ({ ...current, public: checked }));
            }}
          />
          <Checkbox
            label="Archived"
            description="No longer offered or chosen; existing subscribers keep it."
            checked={flags.archived}
            onChange={(event) => {
              const checked = event.target.checked;
              setFlags((current) => ({ ...current, archived: checked }));
            }}
          />
        </div>
        <DialogFooter>
          <Button onClick={onClose} disabled={save.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={save.isPending}>
            Publish version {plan.version + 1}
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
