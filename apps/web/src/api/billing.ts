import type {
  AdminPlan,
  BillingProfile,
  BillingProfileInput,
  ChangeSubscriptionInput,
  CreditList,
  GrantCreditInput,
  Invoice,
  MeteringUsageQuery,
  MeteringUsageReport,
  Plan,
  PlanEdit,
  Quota,
  RevenueReport,
  Subscription,
  SubscriptionChange,
  UpcomingInvoice,
} from './billing-types';
import { apiRequest, queryString } from './client';
import type { ListResponse } from './types';

/** Plans, the subscription, invoices, credits, billing details and metered usage; and the operator's side of them. */

const base = '/api/v1';

// --- Plans and subscription -------------------------------------------------------------------

export async function listPlans(): Promise<Plan[]> {
  return (await apiRequest<ListResponse<Plan>>(`${base}/plans`)).data;
}

export function fetchSubscription() {
  return apiRequest<Subscription>(`${base}/subscription`);
}

/** Moves to another plan, interval or seat count; with a `checkout_url` it applies once paid there. */
export function changeSubscription(input: ChangeSubscriptionInput) {
  return apiRequest<SubscriptionChange>(`${base}/subscription/change`, { method: 'POST', body: input });
}

export function cancelSubscription(atPeriodEnd: boolean) {
  return apiRequest<Subscription>(`${base}/subscription/cancel`, { method: 'POST', body: { at_period_end: atPeriodEnd } });
}

// --- Invoices, credits and billing details ----------------------------------------------------

export async function listInvoices(): Promise<Invoice[]> {
  return (await apiRequest<ListResponse<Invoice>>(`${base}/invoices`)).data;
}

export function fetchUpcomingInvoice() {
  return apiRequest<UpcomingInvoice>(`${base}/invoices/upcoming`);
}

/** The download address of an invoice's PDF; the session cookie authenticates it. */
export function invoicePdfUrl(id: string): string {
  return `${base}/invoices/${encodeURIComponent(id)}/pdf`;
}

export function fetchCredits() {
  return apiRequest<CreditList>(`${base}/credits`);
}

export function fetchBillingProfile() {
  return apiRequest<BillingProfile>(`${base}/billing/profile`);
}

/** Replaces the invoice details; the tax rate is the operator's and is not sent. */
export function saveBillingProfile(profile: BillingProfileInput) {
  return apiRequest<BillingProfile>(`${base}/billing/profile`, { method: 'PUT', body: profile });
}

// --- Metering ---------------------------------------------------------------------------------

/** This period's use of every metric the plan limits. */
export async function listQuotas(): Promise<Quota[]> {
  return (await apiRequest<ListResponse<Quota>>(`${base}/usage/quotas`)).data;
}

/** Metered usage per metric; without `from`/`to` the current billing period. */
export function fetchMeteredUsage(filters: MeteringUsageQuery) {
  return apiRequest<MeteringUsageReport>(`${base}/usage${queryString({ ...filters })}`);
}

// --- Operator (platform:operate) --------------------------------------------------------------

export async function listAdminPlans(): Promise<AdminPlan[]> {
  return (await apiRequest<ListResponse<AdminPlan>>(`${base}/admin/plans`)).data;
}

/** Publishes a new version of the plan with these terms; existing subscribers keep theirs. */
export function updateAdminPlan(id: string, edit: PlanEdit) {
  return apiRequest<AdminPlan>(`${base}/admin/plans/${encodeURIComponent(id)}`, { method: 'PUT', body: edit });
}

export function fetchRevenue() {
  return apiRequest<RevenueReport>(`${base}/admin/revenue`);
}

export function markInvoicePaid(id: string) {
  return apiRequest<Invoice>(`${base}/admin/invoices/${encodeURIComponent(id)}/mark-paid`, { method: 'POST', body: {} });
}

export function grantCredit(organizationId: string, input: GrantCreditInput) {
  return apiRequest<unknown>(`${base}/admin/organizations/${encodeURIComponent(organizationId)}/credits`, { method: 'POST', body: input });
}
