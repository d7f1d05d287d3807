import { type ReactNode, useId, useState } from 'react';
import { usePlansQuery, useSubscriptionQuery } from '../../api/billing-queries';
import type { BillingInterval, Plan, Subscription } from '../../api/billing-types';
import { QueryError } from '../../components/access-denied';
import { Alert } from '../../components/alert';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { RadioGroup } from '../../components/checkbox';
import { CheckIcon } from '../../components/icons';
import { PageSpinner } from '../../components/spinner';
import { cx } from '../../lib/class-names';
import { formatDate } from '../../lib/format';
import { useSession } from '../../lib/session';
import {
  compareMetrics,
  featureEntries,
  formatLimits,
  formatMoney,
  formatQuotaTerms,
  intervalLabels,
  isTrialPlan,
  subscriptionStatuses,
} from './billing-format';
import { BillingSection, BillingTabHeader } from './billing-layout';
import { CancelSubscriptionDialog } from './cancel-subscription-dialog';
import { ChangePlanDialog, seatsAdjustable } from './change-plan-dialog';

export function PlanPage() {
  return (
    <BillingSection tab="plan">
      <PlanTab />
    </BillingSection>
  );
}

/** Subscriptions that still run (a canceled or expired one is chosen again like any plan). */
const runningStatuses = new Set(['trialing', 'active', 'past_due']);

const intervalOptions: { value: BillingInterval; label: string }[] = [
  { value: 'month', label: 'Monthly' },
  { value: 'year', label: 'Yearly' },
];

function PlanTab() {
  const { can } = useSession();
  const canWrite = can('billing:write');
  const subscription = useSubscriptionQuery();
  const plans = usePlansQuery();
  const [chosenInterval, setChosenInterval] = useState<BillingInterval | null>(null);
  const [changing, setChanging] = useState<Plan | null>(null);
  const [canceling, setCanceling] = useState(false);
  const interval = chosenInterval ?? subscription.data?.interval ?? 'month';
  const plansHeadingId = useId();

  return (
    <>
      <BillingTabHeader tab="plan" />
      {subscription.isPending && <PageSpinner label="Loading your subscription…" />}
      {subscription.isError && <QueryError error={subscription.error} headingLevel={3} />}
      {subscription.data && <SubscriptionCard subscription={subscription.data} canWrite={canWrite} onCancel={() => setCanceling(true)} />}

      <section aria-labelledby={plansHeadingId} className="mt-8 flex flex-col gap-4">
        <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
          <div className="flex flex-col gap-1">
            <h3 id={plansHeadingId} className="text-base font-semibold text-text">
              Plans
            </h3>
            <p className="text-sm text-text-muted">Prices exclude tax. Usage beyond a plan’s quota is billed at its overage price.</p>
          </div>
          <RadioGroup
            legend="Billing interval"
            name="plan-interval"
            value={interval}
            options={intervalOptions}
            onChange={setChosenInterval}
            inline
          />
        </div>
        {plans.isPending && <PageSpinner label="Loading plans…" />}
        {plans.isError && <QueryError error={plans.error} headingLevel={3} />}
        {plans.data && (
          <ul aria-label="Plans" className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
            {plans.data.map((plan) => (
              <PlanCard
                key={plan.id}
                plan={plan}
                interval={interval}
                subscription={subscription.data ?? null}
                canWrite={canWrite}
                onChoose={() => setChanging(plan)}
              />
            ))}
          </ul>
        )}
      </section>

      {changing && subscription.data && (
        <ChangePlanDialog plan={changing} subscription={subscription.data} interval={interval} onClose={() => setChanging(null)} />
      )}
      {canceling && subscription.data && <CancelSubscriptionDialog subscription={subscription.data} onClose={() => setCanceling(false)} />}
    </>
  );
}

function restrictionText(subscription: Subscription): string {
  switch (subscription.restricted_reason) {
    case 'trial_ended':
      return 'Your trial has ended, so the organization is read-only. Choose a plan below to continue.';
    case 'payment_overdue':
      return 'Payment is overdue, so the organization is read-only until the open invoice is paid.';
    case 'canceled':
      return 'The subscription has been canceled, so the organization is read-only. Choose a plan below to continue.';
    default:
      return 'The organization is read-only. Choose a plan below to continue.';
  }
}

function SubscriptionCard({ subscription, canWrite, onCancel }: { subscription: Subscription; canWrite: boolean; onCancel: () => void }) {
  const headingId = useId();
  const status = subscriptionStatuses[subscription.status] ?? { label: subscription.status, tone: 'neutral' as const };
  const trialing = subscription.status === 'trialing';
  const daysLeft = subscription.days_left_in_trial;
  const cancelable = canWrite && runningStatuses.has(subscription.status) && !subscription.cancel_at_period_end;

  return (
    <section
      aria-labelledby={headingId}
      data-testid="subscription"
      className="flex flex-col gap-5 rounded-xl border border-border bg-surface p-5 shadow-sm sm:p-6"
    >
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex flex-col gap-1">
          <h3 id={headingId} className="text-sm font-medium text-text-muted">
            Current plan
          </h3>
          <p className="flex flex-wrap items-center gap-2">
            <span className="text-2xl font-semibold tracking-tight text-text">{subscription.plan.name}</span>
            <Badge tone={status.tone}>{status.label}</Badge>
          </p>
          {trialing && daysLeft !== null && (
            <p className="text-sm text-text">
              {daysLeft <= 0 ? 'Your trial ends today' : `${daysLeft} ${daysLeft === 1 ? 'day' : 'days'} left in your trial`}
              {subscription.trial_end && <> (until {formatDate(subscription.trial_end)})</>}.
            </p>
          )}
        </div>
        {cancelable && (
          <Button variant="ghost" className="self-start text-danger-text" onClick={onCancel}>
            Cancel subscription
          </Button>
        )}
      </div>
      {subscription.restricted && (
        <Alert tone="danger" live="none" title="Read-only">
          {restrictionText(subscription)}
        </Alert>
      )}
      {subscription.cancel_at_period_end && runningStatuses.has(subscription.status) && (
        <Alert tone="warning" live="none" title="Ending">
          The subscription ends on {formatDate(subscription.current_period_end)} and will not renew. Choose a plan to keep it.
        </Alert>
      )}
      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Detail term="Billing">{intervalLabels[subscription.interval]?.adjective ?? subscription.interval}</Detail>
        <Detail term="Current period">
          {formatDate(subscription.current_period_start)} – {formatDate(subscription.current_period_end)}
        </Detail>
        <Detail term="Seats">{subscription.seats}</Detail>
        {subscription.status === 'past_due' && subscription.past_due_since ? (
          <Detail term="Overdue since">{formatDate(subscription.past_due_since)}</Detail>
        ) : subscription.status === 'canceled' || subscription.status === 'expired' ? (
          <Detail term="Ended">{formatDate(subscription.canceled_at ?? subscription.current_period_end)}</Detail>
        ) : trialing ? (
          <Detail term="Trial ends">{formatDate(subscription.trial_end ?? subscription.current_period_end)}</Detail>
        ) : (
          <Detail term={subscription.cancel_at_period_end ? 'Ends on' : 'Renews on'}>{formatDate(subscription.current_period_end)}</Detail>
        )}
      </dl>
    </section>
  );
}

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <dt className="text-sm text-text-muted">{term}</dt>
      <dd className="text-sm font-medium break-words text-text">{children}</dd>
    </div>
  );
}

interface PlanCardProps {
  plan: Plan;
  interval: BillingInterval;
  subscription: Subscription | null;
  canWrite: boolean;
  onChoose: () => void;
}

function PlanCard({ plan, interval, subscription, canWrite, onChoose }: PlanCardProps) {
  const headingId = useId();
  const current = subscription !== null && subscription.plan.id === plan.id && runningStatuses.has(subscription.status);
  const quotas = Object.entries(plan.quotas).sort(([a], [b]) => compareMetrics(a, b));
  const limits = formatLimits(plan.limits);
  const features = featureEntries(plan.features).filter((feature) => feature.included);
  const offered = plan.custom_pricing || plan.prices[interval] !== null;

  let action: ReactNode = null;
  if (canWrite) {
    if (!offered) {
      action = (
        <Button disabled className="w-full">
          Not offered {interval === 'year' ? 'yearly' : 'monthly'}
        </Button>
      );
    } else if (current && subscription?.interval !== interval && !isTrialPlan(plan)) {
      action = (
        <Button variant="primary" className="w-full" onClick={onChoose}>
          Switch to {interval === 'year' ? 'yearly' : 'monthly'}
          <span className="sr-only"> billing</span>
        </Button>
      );
    } else if (current && seatsAdjustable(plan)) {
      action = (
        <Button className="w-full" onClick={onChoose}>
          Change seats
        </Button>
      );
    } else if (current) {
      action = (
        <Button disabled className="w-full">
          Current plan
        </Button>
      );
    } else if (isTrialPlan(plan)) {
      action = <p className="text-center text-sm text-text-muted">Only as the trial new organizations start on.</p>;
    } else {
      action = (
        <Button variant="primary" className="w-full" onClick={onChoose}>
          Choose<span className="sr-only"> {plan.name}</span>
        </Button>
      );
    }
  }

  return (
    <li
      aria-labelledby={headingId}
      className={cx(
        'flex flex-col gap-4 rounded-xl border bg-surface p-5 shadow-sm',
        current ? 'border-brand-text ring-1 ring-brand-text' : 'border-border',
      )}
    >
      <div className="flex flex-col gap-1">
        <div className="flex items-center justify-between gap-2">
          <h4 id={headingId} className="text-base font-semibold text-text">
            {plan.name}
          </h4>
          {current && <Badge tone="brand">Current</Badge>}
        </div>
        <p className="text-sm text-text-muted">{plan.description}</p>
      </div>
      <PlanPrice plan={plan} interval={interval} />
      <PlanList title="Included each period" items={quotas.map(([metric, quota]) => formatQuotaTerms(quota, metric, plan.currency))} />
      <PlanList title="Rate limits" items={limits.length > 0 ? limits : ['No rate limits']} />
      {features.length > 0 && (
        <PlanList
          title="Features"
          items={features.map((feature) => (feature.detail ? `${feature.label}: ${feature.detail}` : feature.label))}
        />
      )}
      {action && <div className="mt-auto pt-2">{action}</div>}
    </li>
  );
}

function PlanPrice({ plan, interval }: { plan: Plan; interval: BillingInterval }) {
  const price = plan.prices[interval];
  const noun = intervalLabels[interval].noun;
  let amount: string;
  let note: string | null = null;
  if (plan.custom_pricing) {
    amount = 'Custom';
    note = 'Priced by agreement, usage billed as you go';
  } else if (price === null) {
    amount = '—';
    note = `Not offered ${interval === 'year' ? 'yearly' : 'monthly'}`;
  } else if (price === 0) {
    amount = 'Free';
    note = plan.trial_days > 0 ? `${plan.trial_days}-day trial` : null;
  } else {
    amount = formatMoney(price, plan.currency, { trim: true });
    const monthly = plan.prices.month;
    if (interval === 'year' && monthly) {
      const saving = 1 - price / (monthly * 12);
      note = `${formatMoney(Math.round(price / 12), plan.currency)} a month, billed yearly${saving >= 0.01 ? ` (save ${Math.round(saving * 100)}%)` : ''}`;
    }
  }
  const seats =
    plan.seat_amount > 0
      ? `${plan.included_seats} ${plan.included_seats === 1 ? 'seat' : 'seats'} included, then ${formatMoney(plan.seat_amount, plan.currency, { trim: true })} a seat per month${plan.max_seats !== null ? ` (up to ${plan.max_seats})` : ''}`
      : plan.max_seats === null
        ? 'Any number of seats'
        : plan.max_seats === 1
          ? '1 seat'
          : `Up to ${plan.max_seats} seats`;
  return (
    <div className="flex flex-col gap-1">
      <p className="flex items-baseline gap-1">
        <span className="text-3xl font-semibold tracking-tight text-text tabular-nums">{amount}</span>
        {price !== null && price > 0 && !plan.custom_pricing && <span className="text-sm text-text-muted">/ {noun}</span>}
      </p>
      {note && <p className="text-xs text-text-muted">{note}</p>}
      <p className="text-xs text-text-muted">{seats}</p>
    </div>
  );
}

function PlanList({ title, items }: { title: string; items: string[] }) {
  if (items.length === 0) return null;
  return (
    <div className="flex flex-col gap-2">
      <p className="text-xs font-semibold tracking-wide text-text-muted uppercase">{title}</p>
      <ul className="flex flex-col gap-1.5 text-sm text-text">
        {items.map((item) => (
          <li key={item} className="flex items-start gap-2">
            <CheckIcon className="mt-0.5 size-4 shrink-0 text-success-text" />
            <span>{item}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
