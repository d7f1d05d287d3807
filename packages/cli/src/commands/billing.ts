import type { BillingInterval, Invoice, Plan, Subscription } from '@atrium/sdk';
import { type Command, Option } from 'commander';
import { type CliIo, commandContext } from '../context.ts';
import { type Column, formatDate, formatRecord, formatTable } from '../output.ts';
import { wholeNumber } from '../parsers.ts';

const INTERVALS: readonly BillingInterval[] = ['month', 'year'];

/** How many decimals a currency's minor unit has (2 for USD and EUR, 0 for JPY). */
function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * An amount in minor units (cents) as `<units> <currency>`, the same in every locale.
 *
 * @example
 * formatMoney(2900, 'USD'); // '29.00 USD'
 * formatMoney(-150, 'EUR'); // '-1.50 EUR'
 */
export function formatMoney(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return `${(minor / 10 ** digits).toFixed(digits)} ${currency.toUpperCase()}`;
}

/** `2025-11-23 → 2025-12-23` (UTC dates). */
const formatPeriod = (start: string, end: string) => `${start.slice(0, 10)} → ${end.slice(0, 10)}`;

/** A plan's price for an interval: `custom`, `-` when not offered, or the amount. */
const planPrice = (plan: Plan, interval: BillingInterval) => {
  if (plan.custom_pricing) return 'custom';
  const amount = plan.prices[interval];
  return amount === null ? null : formatMoney(amount, plan.currency);
};

/** `1`, `2-7` or `1+` (no maximum). */
const seatRange = (plan: Plan) => {
  if (plan.max_seats === null) return `${plan.min_seats}+`;
  return plan.max_seats === plan.min_seats ? String(plan.min_seats) : `${plan.min_seats}-${plan.max_seats}`;
};

const planColumns: Column<Plan>[] = [
  ['slug', (plan) => plan.slug],
  ['name', (plan) => plan.name],
  ['monthly', (plan) => planPrice(plan, 'month')],
  ['yearly', (plan) => planPrice(plan, 'year')],
  ['seats', seatRange],
  ['extra seat', (plan) => (plan.seat_amount > 0 ? `${formatMoney(plan.seat_amount, plan.currency)}/month` : null)],
  ['trial', (plan) => (plan.trial_days > 0 ? `${plan.trial_days} days` : null)],
  ['version', (plan) => String(plan.version)],
];

/** The invoice's number, or `draft` before it has one. */
const invoiceNumber = (invoice: Invoice) => invoice.number ?? 'draft';

const invoiceColumns: Column<Invoice>[] = [
  ['number', invoiceNumber],
  ['status', (invoice) => invoice.status],
  ['period', (invoice) => formatPeriod(invoice.period_start, invoice.period_end)],
  ['total', (invoice) => formatMoney(invoice.total, invoice.currency)],
  ['due', (invoice) => formatMoney(invoice.amount_due, invoice.currency)],
  ['due date', (invoice) => invoice.due_at?.slice(0, 10)],
  ['paid', (invoice) => invoice.paid_at?.slice(0, 10)],
  ['id', (invoice) => invoice.id],
];

/** `trialing (12 days left)`, `past_due since 2025-11-30`, `active, ends 2025-12-23`. */
function statusOf(subscription: Subscription): string {
  let status: string = subscription.status;
  if (subscription.status === 'trialing' && subscription.days_left_in_trial !== null) {
    status += ` (${subscription.days_left_in_trial} ${subscription.days_left_in_trial === 1 ? 'day' : 'days'} left)`;
  }
  if (subscription.status === 'past_due' && subscription.past_due_since) status += ` since ${subscription.past_due_since.slice(0, 10)}`;
  if (subscription.cancel_at_period_end) status += `, ends ${subscription.current_period_end.slice(0, 10)}`;
  return status;
}

/**
 * The subscription as label/value lines.
 *
 * @example
 * describeSubscription(await client.billing.subscription.get());
 * // 'plan        Spark (spark, version 1)\nstatus      trialing (30 days left)\n…'
 */
export function describeSubscription(subscription: Subscription): string {
  return formatRecord([
    ['plan', `${subscription.plan.name} (${subscription.plan.slug}, version ${subscription.plan.version})`],
    ['status', statusOf(subscription)],
    ['billed', subscription.interval === 'year' ? 'yearly' : 'monthly'],
    ['seats', String(subscription.seats)],
    ['period', `${formatDate(subscription.current_period_start)} → ${formatDate(subscription.current_period_end)}`],
    ['trial ends', subscription.trial_end ? formatDate(subscription.trial_end) : null],
    [
      'restricted',
      subscription.restricted ? `yes: read-only (${subscription.restricted_reason ?? 'unknown'}); see ${subscription.upgrade_url}` : 'no',
    ],
    ['payments', subscription.provider],
    ['id', subscription.id],
  ]);
}

/**
 * Adds `billing plan | plans | change | cancel | invoices`.
 *
 * @example
 * registerBilling(program, io); // atrium billing change team --interval year --seats 4
 */
export function registerBilling(program: Command, io: CliIo): void {
  const billing = program.command('billing').description('show and change the organization’s plan, and list its invoices');

  billing
    .command('plan')
    .description('show the organization’s subscription: plan, status, period and seats')
    .action(async (_options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      const subscription = await client.billing.subscription.get();
      context.output.print(subscription, () => describeSubscription(subscription));
    });

  billing
    .command('plans')
    .description('list the plans on offer, with their monthly and yearly prices')
    .action(async (_options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      const plans = await client.billing.plans();
      context.output.print(plans, () => formatTable(plans.data, planColumns, 'no plans'));
    });

  billing
    .command('change')
    .description('move to another plan, billing interval or number of seats')
    .argument('<plan>', 'the plan’s slug or id (see `atrium billing plans`)')
    .addOption(new Option('--interval <interval>', 'bill monthly or yearly (default: as now)').choices(INTERVALS))
    .option('--seats <n>', 'the number of seats, for plans sold per seat', wholeNumber(1, 100_000))
    .action(async (plan: string, _options, command: Command) => {
      const context = commandContext<{ interval?: BillingInterval; seats?: number }>(command, io);
      const { interval, seats } = context.options;
      const { client } = await context.connect();
      const change = await client.billing.subscription.change({ plan, interval, seats });
      context.output.print(change, () => {
        const invoice = change.invoice
          ? formatRecord([
              ['invoice', `${invoiceNumber(change.invoice)} (${change.invoice.status})`],
              ['total', formatMoney(change.invoice.total, change.invoice.currency)],
              ['due', formatMoney(change.invoice.amount_due, change.invoice.currency)],
            ])
          : '';
        const checkout = change.checkout_url ? formatRecord([['checkout', change.checkout_url]]) : '';
        return describeSubscription(change.subscription) + invoice + checkout;
      });
      if (change.checkout_url) context.output.note('note: the change applies once the payment at the checkout address is complete');
    });

  billing
    .command('cancel')
    .description('cancel the subscription at the end of the current period (or at once with --now)')
    .option('--now', 'cancel at once instead of at the end of the period')
    .action(async (_options, command: Command) => {
      const context = commandContext<{ now?: boolean }>(command, io);
      const { client } = await context.connect();
      const subscription = await client.billing.subscription.cancel({ at_period_end: context.options.now !== true });
      context.output.print(subscription, () => describeSubscription(subscription));
    });

  billing
    .command('invoices')
    .description('list the organization’s invoices, newest first')
    .action(async (_options, command: Command) => {
      const context = commandContext(command, io);
      const { client } = await context.connect();
      const invoices = await client.billing.invoices.list();
      context.output.print(invoices, () => formatTable(invoices.data, invoiceColumns, 'no invoices'));
    });
}
