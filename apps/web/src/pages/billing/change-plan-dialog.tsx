import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { changeSubscription } from '../../api/billing';
import { billingKeys } from '../../api/billing-queries';
import type { BillingInterval, Plan, Subscription } from '../../api/billing-types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { RadioGroup } from '../../components/checkbox';
import { Dialog, DialogFooter } from '../../components/dialog';
import { TextField } from '../../components/text-field';
import { useToast } from '../../components/toast';
import { useForm } from '../../lib/use-form';
import { formatMoney, intervalLabels } from './billing-format';

/** Plans sold per seat with a choice of how many (Team); others have a fixed seat count. */
export function seatsAdjustable(plan: Plan): boolean {
  return plan.seat_amount > 0 && (plan.max_seats === null || plan.max_seats > plan.min_seats);
}

/** The recurring amount for an interval and seat count, as the server computes it (extra seats cost monthly). */
export function recurringAmount(plan: Plan, interval: BillingInterval, seats: number): number {
  const base = plan.prices[interval] ?? 0;
  const extra = Math.max(0, seats - plan.included_seats);
  return base + extra * plan.seat_amount * (interval === 'year' ? 12 : 1);
}

function clampSeats(plan: Plan, seats: number): number {
  return Math.min(Math.max(seats, plan.min_seats), plan.max_seats ?? Number.MAX_SAFE_INTEGER);
}

function seatsError(plan: Plan, value: string): string | undefined {
  const seats = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  const inRange = seats >= plan.min_seats && (plan.max_seats === null || seats <= plan.max_seats);
  if (Number.isInteger(seats) && inRange) return undefined;
  return plan.max_seats === null
    ? `Enter a whole number of seats, at least ${plan.min_seats}.`
    : `Enter a number of seats from ${plan.min_seats} to ${plan.max_seats}.`;
}

interface ChangePlanDialogProps {
  plan: Plan;
  subscription: Subscription;
  /** The interval chosen on the plans grid. */
  interval: BillingInterval;
  onClose: () => void;
}

/**
 * Confirms a move to `plan` (or, for the current plan, another interval or seat count). When the
 * server answers with a checkout address the browser goes there: the change applies once paid.
 */
export function ChangePlanDialog({ plan, subscription, interval: initialInterval, onClose }: ChangePlanDialogProps) {
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const samePlan = subscription.plan.id === plan.id;
  const offered = (['month', 'year'] as const).filter((value) => plan.custom_pricing || plan.prices[value] !== null);
  const [interval, setChosenInterval] = useState<BillingInterval>(
    offered.includes(initialInterval) ? initialInterval : (offered[0] ?? 'month'),
  );
  const adjustable = seatsAdjustable(plan);
  const form = useForm({ seats: String(clampSeats(plan, subscription.seats)) });
  const [redirecting, setRedirecting] = useState(false);

  const title = !samePlan
    ? `Switch to ${plan.name}`
    : interval !== subscription.interval
      ? `Switch to ${interval === 'year' ? 'yearly' : 'monthly'} billing`
      : 'Change seats';

  const change = useMutation({
    mutationFn: () =>
      changeSubscription({
        plan: plan.slug,
        interval,
        seats: adjustable ? Number(form.values.seats) : undefined,
      }),
    onSuccess: (result) => {
      if (result.checkout_url) {
        setRedirecting(true);
        window.location.assign(result.checkout_url);
        return;
      }
      queryClient.setQueryData(billingKeys.subscription, result.subscription);
      queryClient.invalidateQueries({ queryKey: billingKeys.all });
      const invoice = result.invoice;
      const done = samePlan ? 'Updated your subscription.' : `Switched to ${result.subscription.plan.name}.`;
      const invoiced = invoice
        ? ` ${invoice.number ? `Invoice ${invoice.number}` : 'An invoice'} for ${formatMoney(invoice.total, invoice.currency)} was issued.`
        : '';
      notify(done + invoiced);
      onClose();
    },
    onError: (error) => form.applyError(error, { seats: 'seats' }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (form.validate({}, { seats: adjustable ? seatsError(plan, form.values.seats) : undefined })) change.mutate();
  }

  const seats = adjustable && !seatsError(plan, form.values.seats) ? Number(form.values.seats) : clampSeats(plan, subscription.seats);
  const amount = recurringAmount(plan, interval, seats);
  const pending = change.isPending || redirecting;

  return (
    <Dialog open onClose={onClose} title={title} description={plan.description} dismissible={!pending} testId="change-plan-dialog">
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-5">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        {offered.length > 1 && (
          <RadioGroup
            legend="Billing interval"
            name="change-plan-interval"
            value={interval}
            inline
            options={offered.map((value) => ({ value, label: intervalLabels[value].adjective }))}
            onChange={setChosenInterval}
          />
        )}
        {adjustable && (
          <TextField
            label="Seats"
            type="number"
            inputMode="numeric"
            min={plan.min_seats}
            max={plan.max_seats ?? undefined}
            step={1}
            containerClassName="sm:max-w-xs"
            hint={`${plan.included_seats} included; each extra seat is ${formatMoney(plan.seat_amount, plan.currency)} a month. ${
              plan.max_seats === null ? `At least ${plan.min_seats}.` : `From ${plan.min_seats} to ${plan.max_seats}.`
            }`}
            {...form.bind('seats')}
          />
        )}
        <div className="flex flex-col gap-1 rounded-lg border border-border bg-surface-sunken px-4 py-3 text-sm">
          {plan.custom_pricing ? (
            <p className="text-text">Priced by agreement: usage is billed as you go at the plan’s rates.</p>
          ) : (
            <p className="text-text">
              <span className="font-semibold tabular-nums">{formatMoney(amount, plan.currency)}</span> per {intervalLabels[interval].noun}
              {adjustable && ` for ${seats} ${seats === 1 ? 'seat' : 'seats'}`}, plus tax and any usage beyond the quotas.
            </p>
          )}
          <p className="text-text-muted">
            {subscription.provider === 'stripe'
              ? 'You will be taken to the payment page; the change applies once the payment succeeds.'
              : 'The change applies at once; the amount due for the rest of this period is invoiced.'}
          </p>
        </div>
        <DialogFooter>
          <Button onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={pending}>
            {title}
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
