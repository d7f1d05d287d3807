import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  fetchBillingProfile,
  fetchCredits,
  fetchMeteredUsage,
  fetchRevenue,
  fetchSubscription,
  fetchUpcomingInvoice,
  listAdminPlans,
  listInvoices,
  listPlans,
  listQuotas,
} from './billing';
import type { MeteringUsageQuery } from './billing-types';

export const billingKeys = {
  /** Everything a plan change can touch: invalidate this after one. */
  all: ['billing'] as const,
  plans: ['billing', 'plans'] as const,
  subscription: ['billing', 'subscription'] as const,
  invoices: ['billing', 'invoices'] as const,
  upcomingInvoice: ['billing', 'invoices', 'upcoming'] as const,
  credits: ['billing', 'credits'] as const,
  profile: ['billing', 'profile'] as const,
  quotas: ['billing', 'quotas'] as const,
  usage: ['billing', 'usage'] as const,
  admin: ['admin'] as const,
  adminPlans: ['admin', 'plans'] as const,
  revenue: ['admin', 'revenue'] as const,
};

/** The plan catalogue changes rarely. */
export function usePlansQuery(enabled = true) {
  return useQuery({ queryKey: billingKeys.plans, queryFn: listPlans, enabled, staleTime: 5 * 60_000 });
}

/** The subscription, shared by the Plan tab and the layout's banner (so a minute's staleness is fine). */
export function useSubscriptionQuery(enabled = true) {
  return useQuery({ queryKey: billingKeys.subscription, queryFn: fetchSubscription, enabled, staleTime: 60_000 });
}

export function useInvoicesQuery(enabled = true) {
  return useQuery({ queryKey: billingKeys.invoices, queryFn: listInvoices, enabled });
}

export function useUpcomingInvoiceQuery(enabled = true) {
  return useQuery({ queryKey: billingKeys.upcomingInvoice, queryFn: fetchUpcomingInvoice, enabled });
}

export function useCreditsQuery(enabled = true) {
  return useQuery({ queryKey: billingKeys.credits, queryFn: fetchCredits, enabled });
}

export function useBillingProfileQuery(enabled = true) {
  return useQuery({ queryKey: billingKeys.profile, queryFn: fetchBillingProfile, enabled });
}

/** Quotas, shared by the Usage tab and the layout's banner. */
export function useQuotasQuery(enabled = true) {
  return useQuery({ queryKey: billingKeys.quotas, queryFn: listQuotas, enabled, staleTime: 60_000 });
}

/** Metered usage as asked; the previous report stays on screen while another metric loads. */
export function useMeteredUsageQuery(filters: MeteringUsageQuery, enabled = true) {
  return useQuery({
    queryKey: [...billingKeys.usage, filters],
    queryFn: () => fetchMeteredUsage(filters),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useAdminPlansQuery(enabled = true) {
  return useQuery({ queryKey: billingKeys.adminPlans, queryFn: listAdminPlans, enabled });
}

export function useRevenueQuery(enabled = true) {
  return useQuery({ queryKey: billingKeys.revenue, queryFn: fetchRevenue, enabled });
}
