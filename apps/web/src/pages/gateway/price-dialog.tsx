import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { createPrice } from '../../api/gateway';
import { gatewayKeys } from '../../api/gateway-queries';
import { type ModelPrice, PRICE_PROVIDERS, type PriceInput, type ProviderType } from '../../api/gateway-types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { SelectField } from '../../components/select-field';
import { TextField } from '../../components/text-field';
import { useToast } from '../../components/toast';
import { formatDateTime } from '../../lib/format';
import { useForm } from '../../lib/use-form';
import { CURRENCY, MAX_UNIT_PRICE, microsFromUnits, priceProviderLabel, providerTypeLabels, unitsFromMicros } from './gateway-format';

type Field = 'provider' | 'model' | 'input' | 'output' | 'cached' | 'effectiveFrom';

/** What the dialog opens with: empty for a new model, or a model's price in effect to change it. */
export interface PriceDialogStart {
  provider?: string;
  model?: string;
  price?: ModelPrice;
}

const MAX_MODEL_LENGTH = 200;

const providerOptions = PRICE_PROVIDERS.map((provider) => ({
  value: provider,
  label: provider === '*' ? 'Any provider (*)' : `${providerTypeLabels[provider as ProviderType]} (${provider})`,
}));

/** A blank optional price, or an error message when the value is not an amount the server takes. */
function priceError(value: string, required: boolean): string | undefined {
  if (!value.trim()) return required ? 'Enter a price, such as 2.50 (0 for free).' : undefined;
  if (microsFromUnits(value) === null)
    return `Enter an amount from 0 to ${MAX_UNIT_PRICE.toLocaleString()} with at most 6 decimals, such as 2.50.`;
  return undefined;
}

/** The time zone `datetime-local` values are read in, for the hint. */
function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return 'local time';
  }
}

/** Sets the organization's price for a model: a new version, in effect from now or a chosen time. */
export function PriceDialog({ start, onClose }: { start: PriceDialogStart; onClose: () => void }) {
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const form = useForm<Field>({
    provider: start.price?.provider ?? start.provider ?? '*',
    model: start.price?.model ?? start.model ?? '',
    input: unitsFromMicros(start.price?.input_per_m ?? null),
    output: unitsFromMicros(start.price?.output_per_m ?? null),
    cached: unitsFromMicros(start.price?.cached_input_per_m ?? null),
    effectiveFrom: '',
  });
  // A price recorded for a provider type this console does not know yet stays choosable.
  const options = providerOptions.some((option) => option.value === form.values.provider)
    ? providerOptions
    : [...providerOptions, { value: form.values.provider, label: form.values.provider }];

  const save = useMutation({
    mutationFn: () => {
      const { provider, model, input, output, cached, effectiveFrom } = form.values;
      const body: PriceInput = {
        provider,
        model: model.trim(),
        input_per_m: microsFromUnits(input) ?? 0,
        output_per_m: microsFromUnits(output) ?? 0,
      };
      if (cached.trim()) body.cached_input_per_m = microsFromUnits(cached) ?? 0;
      if (effectiveFrom) body.effective_from = new Date(effectiveFrom).toISOString();
      return createPrice(body);
    },
    onSuccess: (saved) => {
      queryClient.invalidateQueries({ queryKey: gatewayKeys.prices });
      const scheduled = new Date(saved.effective_from).getTime() > Date.now();
      notify(
        `Set the price of ${saved.model} (${priceProviderLabel(saved.provider)}), ${
          scheduled ? `from ${formatDateTime(saved.effective_from)}` : 'in effect now'
        }.`,
      );
      onClose();
    },
    onError: (error) =>
      form.applyError(error, {
        provider: 'provider',
        model: 'model',
        input_per_m: 'input',
        output_per_m: 'output',
        cached_input_per_m: 'cached',
        effective_from: 'effectiveFrom',
      }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const { model, input, output, cached, effectiveFrom } = form.values;
    const errors: Partial<Record<Field, string>> = {
      model: !model.trim()
        ? 'Enter the model name, such as gpt-4o-mini.'
        : model.trim().length > MAX_MODEL_LENGTH
          ? `A model name has at most ${MAX_MODEL_LENGTH} characters.`
          : undefined,
      input: priceError(input, true),
      output: priceError(output, true),
      cached: priceError(cached, false),
      effectiveFrom:
        effectiveFrom && Number.isNaN(new Date(effectiveFrom).getTime()) ? 'Enter a date and time, or leave it empty for now.' : undefined,
    };
    if (form.validate({}, errors)) save.mutate();
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title="Set price"
      description="A new price applies to calls from its effective time; earlier calls keep the cost they were charged."
      size="lg"
      dismissible={!save.isPending}
    >
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-5">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <div className="grid gap-4 sm:grid-cols-2">
          <SelectField
            label="Provider"
            options={options}
            hint="Azure OpenAI connections use OpenAI prices; * covers any provider."
            {...form.bind('provider')}
          />
          <TextField
            label="Model"
            autoComplete="off"
            spellCheck={false}
            placeholder="e.g. gpt-4o-mini"
            hint="The name the provider is called with; it also prices dated names (gpt-4o-2024-08-06)."
            {...form.bind('model')}
          />
        </div>
        <fieldset className="flex flex-col gap-3">
          <legend className="mb-1 text-sm font-medium text-text">Price per 1M tokens ({CURRENCY})</legend>
          <div className="grid gap-4 sm:grid-cols-3">
            <TextField
              label="Input"
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              placeholder="e.g. 2.50"
              hint="Up to 6 decimals."
              {...form.bind('input')}
            />
            <TextField
              label="Output"
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              placeholder="e.g. 10.00"
              hint="Up to 6 decimals."
              {...form.bind('output')}
            />
            <TextField
              label="Cached input"
              type="number"
              inputMode="decimal"
              min={0}
              step="any"
              optional
              placeholder="e.g. 1.25"
              hint="Empty: cached input costs the input price."
              {...form.bind('cached')}
            />
          </div>
        </fieldset>
        <TextField
          label="Effective from"
          type="datetime-local"
          optional
          containerClassName="sm:max-w-xs"
          hint={`Leave empty to apply from now. Your time zone (${localTimeZone()}).`}
          {...form.bind('effectiveFrom')}
        />
        <DialogFooter>
          <Button onClick={onClose} disabled={save.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={save.isPending}>
            Set price
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
