import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { billingKeys, useQuotasQuery, useSubscriptionQuery } from '../../api/billing-queries';
import type { Quota, Subscription } from '../../api/billing-types';
import { isApiError } from '../../api/client';
import { Alert, type AlertTone } from '../../components/alert';
import { formatDate } from '../../lib/format';
import { Link, useLocation } from '../../lib/router';
import { useSession } from '../../lib/session';
import { metricNoun } from './billing-format';

/** Quotas used this much (percent) or more are announced. */
const QUOTA_WARNING = 80;
/** Trials with this many days left or fewer are announced. */
const TRIAL_WARNING_DAYS = 7;

interface Notice {
  key: string;
  tone: AlertTone;
  message: string;
  action: { to: string; label: string } | null;
}

function subscriptionNotice(subscription: Subscription, canChoose: boolean): Notice | null {
  const choose = canChoose ? { to: '/billing/plan', label: 'Choose a plan' } : null;
  if (subscription.restricted) {
    const reasons: Record<string, string> = {
      trial_ended: 'Your trial has ended, so your organization is read-only.',
      payment_overdue: 'Payment is overdue, so your organization is read-only until the open invoice is paid.',
      canceled: 'Your subscription has been canceled, so your organization is read-only.',
    };
    const reason = reasons[subscription.restricted_reason ?? ''] ?? 'Your organization is read-only.';
    const message = canChoose ? reason : `${reason} Ask an owner, admin or billing member of your organization to resolve it.`;
    const action =
      canChoose && subscription.restricted_reason === 'payment_overdue' ? { to: '/billing/invoices', label: 'View invoices' } : choose;
    return { key: 'restricted', tone: 'danger', message, action };
  }
  const days = subscription.days_left_in_trial;
  if (subscription.status === 'trialing' && days !== null && days <= TRIAL_WARNING_DAYS) {
    const when = days <= 0 ? 'today' : days === 1 ? 'tomorrow' : `in ${days} days`;
    const end = subscription.trial_end ? ` (${formatDate(subscription.trial_end)})` : '';
    return {
      key: 'trial',
      tone: 'warning',
      message: `Your trial ends ${when}${end}. ${canChoose ? 'Choose a plan' : 'A plan needs to be chosen'} to keep your organization writable.`,
      action: choose,
    };
  }
  return null;
}

function quotaNotice(quotas: Quota[], canChoose: boolean): Notice | null {
  const high = quotas
    .filter((quota) => quota.percent !== null && quota.percent >= QUOTA_WARNING)
    .sort((a, b) => (b.percent ?? 0) - (a.percent ?? 0));
  const top = high[0];
  if (!top || top.percent === null) return null;
  const noun = metricNoun(top.metric, top.unit);
  const others = high.length > 1 ? ` (and ${high.length - 1} more ${high.length === 2 ? 'quota' : 'quotas'} above ${QUOTA_WARNING}%)` : '';
  const used = top.percent >= 100;
  let message: string;
  if (used && top.hard)
    message = `You have used all of your ${noun} this period; calls that need more are refused until ${formatDate(top.period_end)}${others}.`;
  else if (used) message = `You have used all of your included ${noun} this period; the rest is billed as overage${others}.`;
  else message = `You have used ${Math.floor(top.percent)}% of your ${noun} this period${others}.`;
  return {
    key: 'quota',
    tone: used && top.hard ? 'danger' : 'warning',
    message,
    action: canChoose ? { to: '/billing/plan', label: 'Upgrade' } : { to: '/billing/usage', label: 'View usage' },
  };
}

/**
 * Shown above every page of the app when the organization is read-only, its trial ends within a
 * week, or a quota is 80% used. Only asks for what the caller may read, and looks again after a
 * write is refused with 402 (a quota or a restriction reached in the meantime).
 */
export function BillingBanner() {
  const { can } = useSession();
  const canBilling = can('billing:read');
  const canUsage = can('usage:read');
  const { pathname } = useLocation();
  const queryClient = useQueryClient();
  // Any member may read the subscription; it is asked for only by those who see billing or usage.
  const subscription = useSubscriptionQuery(canBilling || canUsage);
  const quotas = useQuotasQuery(canUsage);

  useEffect(() => {
    if (!canBilling && !canUsage) return;
    return queryClient.getMutationCache().subscribe((event) => {
      const error = event.mutation?.state.error;
      if (event.type === 'updated' && isApiError(error) && error.status === 402) {
        queryClient.invalidateQueries({ queryKey: billingKeys.subscription });
        queryClient.invalidateQueries({ queryKey: billingKeys.quotas });
      }
    });
  }, [queryClient, canBilling, canUsage]);

  const notices = [
    subscription.data ? subscriptionNotice(subscription.data, canBilling) : null,
    quotas.data ? quotaNotice(quotas.data, canBilling) : null,
  ].filter((notice): notice is Notice => notice !== null);
  if (notices.length === 0) return null;

  return (
    <section aria-label="Billing notices" className="mb-6 flex flex-col gap-3">
      {notices.map((notice) => (
        <Alert key={notice.key} tone={notice.tone} live="none">
          <NoticeText notice={notice} here={notice.action?.to === pathname} />
        </Alert>
      ))}
    </section>
  );
}

function NoticeText({ notice, here }: { notice: Notice; here: boolean }): ReactNode {
  return (
    <span>
      {notice.message}
      {notice.action && !here && (
        <>
          {' '}
          <Link to={notice.action.to} className="font-semibold">
            {notice.action.label}
          </Link>
        </>
      )}
    </span>
  );
}
