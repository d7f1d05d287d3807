import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { savePolicy } from '../../api/gateway';
import { gatewayKeys } from '../../api/gateway-queries';
import type { BudgetPeriod, GatewayPolicy, PolicyInput } from '../../api/gateway-types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Checkbox } from '../../components/checkbox';
import { SelectField } from '../../components/select-field';
import { TextAreaField } from '../../components/text-area';
import { TextField } from '../../components/text-field';
import { useToast } from '../../components/toast';
import { useForm } from '../../lib/use-form';
import { CURRENCY, MICROS_PER_UNIT, splitList } from './gateway-format';

type Field = 'rpm' | 'tpm' | 'rpd' | 'budget' | 'period' | 'ttl' | 'models';

const text = (value: number | null) => (value === null ? '' : String(value));

function valuesOf(policy: GatewayPolicy): Record<Field, string> {
  return {
    rpm: text(policy.requests_per_minute),
    tpm: text(policy.tokens_per_minute),
    rpd: text(policy.requests_per_day),
    // Micro-units to currency units: 2500000 → "2.5".
    budget: policy.budget_micros === null ? '' : String(policy.budget_micros / MICROS_PER_UNIT),
    period: policy.budget_period ?? 'month',
    ttl: text(policy.cache_ttl_seconds),
    models: (policy.allowed_models ?? []).join('\n'),
  };
}

/** A blank field, or an error message when the value is not a whole number in range. */
function wholeNumberError(value: string, max: number, unit: string): string | undefined {
  if (!value.trim()) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max)
    return `Enter a whole number of ${unit} from 1 to ${max.toLocaleString()}, or leave it empty.`;
  return undefined;
}

const wholeOrNull = (value: string) => (value.trim() ? Number(value) : null);

interface PolicyFormProps {
  policy: GatewayPolicy;
  /** "the organization", "workspace Research", "API key Deploy bot": used in messages. */
  scopeLabel: string;
  canWrite: boolean;
}

/** Edits one scope's limits, budget, cache and allowed models; saving replaces the whole policy. */
export function PolicyForm({ policy, scopeLabel, canWrite }: PolicyFormProps) {
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const form = useForm<Field>(valuesOf(policy));
  const [logBodies, setLogBodies] = useState(policy.log_bodies === true);
  const organization = policy.scope === 'organization';

  const save = useMutation({
    mutationFn: () => {
      const budget = form.values.budget.trim();
      const models = splitList(form.values.models);
      const body: PolicyInput = {
        requests_per_minute: wholeOrNull(form.values.rpm),
        tokens_per_minute: wholeOrNull(form.values.tpm),
        requests_per_day: wholeOrNull(form.values.rpd),
        budget_micros: budget ? Math.round(Number(budget) * MICROS_PER_UNIT) : null,
        budget_period: budget ? (form.values.period as BudgetPeriod) : null,
        cache_ttl_seconds: wholeOrNull(form.values.ttl),
        allowed_models: models.length > 0 ? models : null,
        // Only the organization's policy decides about bodies; other scopes keep what they have.
        log_bodies: organization ? logBodies : policy.log_bodies,
      };
      return savePolicy(policy.scope, policy.scope_id, body);
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(gatewayKeys.policy(saved.scope, saved.scope_id), saved);
      form.reset(valuesOf(saved));
      setLogBodies(saved.log_bodies === true);
      notify(`Saved the limits of ${scopeLabel}.`);
    },
    onError: (error) =>
      form.applyError(error, {
        requests_per_minute: 'rpm',
        tokens_per_minute: 'tpm',
        requests_per_day: 'rpd',
        budget_micros: 'budget',
        budget_period: 'period',
        cache_ttl_seconds: 'ttl',
        allowed_models: 'models',
      }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const budget = form.values.budget.trim();
    const budgetNumber = Number(budget);
    const valid = form.validate(
      {},
      {
        rpm: wholeNumberError(form.values.rpm, 10_000_000, 'requests'),
        tpm: wholeNumberError(form.values.tpm, 1_000_000_000, 'tokens'),
        rpd: wholeNumberError(form.values.rpd, 1_000_000_000, 'requests'),
        budget:
          budget && (!Number.isFinite(budgetNumber) || budgetNumber < 0 || budgetNumber > 1_000_000_000)
            ? 'Enter an amount of 0 or more, such as 25 or 0.50, or leave it empty.'
            : undefined,
        ttl: wholeNumberError(form.values.ttl, 30 * 86_400, 'seconds'),
      },
    );
    if (valid) save.mutate();
  }

  return (
    <form ref={form.formRef} noValidate onSubmit={handleSubmit} aria-label={`Limits of ${scopeLabel}`} className="flex flex-col gap-6">
      {form.formError && <Alert tone="danger">{form.formError}</Alert>}
      {!canWrite && (
        <Alert tone="info" live="none">
          You can see these limits; changing them needs the <code>gateway:write</code> permission.
        </Alert>
      )}
      <fieldset disabled={!canWrite} className="flex flex-col gap-6">
        <Group title="Rate limits" description="Leave a field empty for no limit. Calls over a limit are refused with 429.">
          <div className="grid gap-4 sm:grid-cols-3">
            <TextField
              label="Requests per minute"
              type="number"
              inputMode="numeric"
              min={1}
              required={false}
              placeholder="No limit"
              hint="Calls allowed in any one minute."
              {...form.bind('rpm')}
            />
            <TextField
              label="Tokens per minute"
              type="number"
              inputMode="numeric"
              min={1}
              required={false}
              placeholder="No limit"
              hint="Input plus output tokens in any one minute."
              {...form.bind('tpm')}
            />
            <TextField
              label="Requests per day"
              type="number"
              inputMode="numeric"
              min={1}
              required={false}
              placeholder="No limit"
              hint="Calls allowed per day."
              {...form.bind('rpd')}
            />
          </div>
        </Group>
        <Group
          title="Budget"
          description="Spending is counted at the model prices in effect; calls are refused once the budget is used up."
        >
          <div className="grid gap-4 sm:grid-cols-3">
            <TextField
              label={`Budget (${CURRENCY})`}
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              required={false}
              placeholder="No budget"
              hint="Amount allowed per period, e.g. 25 or 0.50."
              {...form.bind('budget')}
            />
            <SelectField
              label="Budget period"
              options={[
                { value: 'day', label: 'Per day' },
                { value: 'month', label: 'Per month' },
              ]}
              hint="When the spent amount starts again from zero."
              disabled={!form.values.budget.trim()}
              {...form.bind('period')}
            />
          </div>
        </Group>
        <Group title="Cache and models">
          <div className="grid gap-4 sm:grid-cols-3">
            <TextField
              label="Cache answers for (seconds)"
              type="number"
              inputMode="numeric"
              min={1}
              required={false}
              placeholder="Off"
              hint="Identical requests are answered from the cache, at no cost, for this long. Empty turns caching off."
              {...form.bind('ttl')}
            />
            <TextAreaField
              label="Allowed models"
              containerClassName="sm:col-span-2"
              rows={3}
              spellCheck={false}
              placeholder={'e.g. openai/gpt-4o-mini\nlocal/*'}
              hint={
                <>
                  One per line or comma-separated; <code>*</code> matches anything. Empty allows every model.
                </>
              }
              name="models"
              value={form.values.models}
              error={form.errors.models}
              onChange={(event) => {
                const value = event.target.value;
                form.setValues((values) => ({ ...values, models: value }));
              }}
            />
          </div>
          {organization && (
            <div className="mt-4">
              <Checkbox
                label="Keep request bodies"
                description="Store each call’s prompt and answer with its request log entry. Off by default; turn on only if your data policy allows it."
                checked={logBodies}
                onChange={(event) => setLogBodies(event.target.checked)}
              />
            </div>
          )}
        </Group>
      </fieldset>
      {canWrite && (
        <div>
          <Button type="submit" variant="primary" loading={save.isPending}>
            Save limits
          </Button>
        </div>
      )}
    </form>
  );
}

function Group({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  return (
    <section className="flex flex-col gap-3">
      <div>
        <h4 className="text-sm font-semibold text-text">{title}</h4>
        {description && <p className="text-xs text-text-muted">{description}</p>}
      </div>
      {children}
    </section>
  );
}
