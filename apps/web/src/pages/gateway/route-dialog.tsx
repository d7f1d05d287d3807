import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useRef, useState } from 'react';
import { isApiError } from '../../api/client';
import { createRoute, updateRoute } from '../../api/gateway';
import { gatewayKeys } from '../../api/gateway-queries';
import type { GatewayRoute, ProviderConnection, RouteInput, RouteStrategy } from '../../api/gateway-types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { RadioGroup } from '../../components/checkbox';
import { Dialog, DialogFooter } from '../../components/dialog';
import { ArrowDownIcon, ArrowUpIcon, PlusIcon, TrashIcon } from '../../components/icons';
import { SelectField } from '../../components/select-field';
import { TextField } from '../../components/text-field';
import { useToast } from '../../components/toast';
import { cx } from '../../lib/class-names';
import { useForm } from '../../lib/use-form';
import { providerTypeLabel } from './gateway-format';

interface TargetRow {
  key: number;
  provider: string;
  model: string;
  weight: string;
  error?: string;
}

const strategyOptions: { value: RouteStrategy; label: string; description: string }[] = [
  { value: 'fallback', label: 'Fallback', description: 'Try the targets in order; the next answers when one fails.' },
  { value: 'loadbalance', label: 'Load balance', description: 'Share the traffic between the targets by weight.' },
];

const ALIAS_PATTERN = /^[^/\s]+$/;

interface RouteDialogProps {
  route: GatewayRoute | null;
  providers: ProviderConnection[];
  onClose: () => void;
}

/** Creates a route, or edits one: its alias, strategy, ordered targets, retries and timeout. */
export function RouteDialog({ route, providers, onClose }: RouteDialogProps) {
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const nextKey = useRef(1);
  const newRow = (provider = providers[0]?.id ?? '', model = '', weight = '1'): TargetRow => ({
    key: nextKey.current++,
    provider,
    model,
    weight,
  });
  const form = useForm({
    model: route?.model ?? '',
    retries: String(route?.retries ?? 0),
    timeout: route?.timeout_ms ? String(route.timeout_ms) : '',
  });
  const [strategy, setStrategy] = useState<RouteStrategy>(route?.strategy ?? 'fallback');
  const [targets, setTargets] = useState<TargetRow[]>(() =>
    route ? route.targets.map((target) => newRow(target.provider_id, target.model, String(target.weight))) : [newRow()],
  );
  const [announcement, setAnnouncement] = useState('');
  const listRef = useRef<HTMLOListElement>(null);

  const save = useMutation({
    mutationFn: () => {
      const body: RouteInput = {
        model: form.values.model.trim(),
        strategy,
        targets: targets.map((target) => ({
          provider: target.provider,
          model: target.model.trim(),
          ...(strategy === 'loadbalance' ? { weight: Number(target.weight) } : {}),
        })),
        retries: Number(form.values.retries || 0),
        timeout_ms: form.values.timeout ? Number(form.values.timeout) : null,
      };
      return route ? updateRoute(route.id, body) : createRoute(body);
    },
    onSuccess: (saved) => {
      queryClient.invalidateQueries({ queryKey: gatewayKeys.routes });
      queryClient.invalidateQueries({ queryKey: ['gateway', 'models'] });
      notify(route ? `Saved route ${saved.model}.` : `Created route ${saved.model}.`);
      onClose();
    },
    onError: (error) => {
      // Errors about a target (`targets.0.model`) belong to that target, not to the alias field.
      if (isApiError(error) && error.param?.startsWith('targets')) {
        const index = Number(/(\d+)/.exec(error.param)?.[1] ?? Number.NaN);
        form.setErrors({});
        form.setFormError(Number.isNaN(index) ? error.message : `Target ${index + 1}: ${error.message}`);
        return;
      }
      form.applyError(error, { model: 'model', retries: 'retries', timeout_ms: 'timeout' });
    },
  });

  function update(key: number, changes: Partial<TargetRow>) {
    setTargets((rows) => rows.map((row) => (row.key === key ? { ...row, ...changes, error: undefined } : row)));
  }

  function move(index: number, offset: -1 | 1) {
    const to = index + offset;
    if (to < 0 || to >= targets.length) return;
    setTargets((rows) => {
      const next = [...rows];
      const [row] = next.splice(index, 1);
      next.splice(to, 0, row);
      return next;
    });
    setAnnouncement(`Target ${index + 1} moved to position ${to + 1} of ${targets.length}.`);
  }

  function remove(index: number) {
    setTargets((rows) => rows.filter((_, position) => position !== index));
    setAnnouncement(`Target ${index + 1} removed.`);
    // Keep keyboard focus in the list: on the next target's provider, or on "Add target".
    window.requestAnimationFrame(() => {
      const selects = listRef.current?.querySelectorAll<HTMLSelectElement>('select');
      const next = selects?.[Math.min(index, (selects?.length ?? 1) - 1)];
      (next ?? document.getElementById('add-route-target'))?.focus();
    });
  }

  function add() {
    setTargets((rows) => [...rows, newRow()]);
    window.requestAnimationFrame(() => {
      const selects = listRef.current?.querySelectorAll<HTMLSelectElement>('select');
      selects?.[selects.length - 1]?.focus();
    });
  }

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const alias = form.values.model.trim();
    const retries = Number(form.values.retries || 0);
    const timeout = form.values.timeout ? Number(form.values.timeout) : null;
    const checked = targets.map((target) => {
      const weight = Number(target.weight);
      let error: string | undefined;
      if (!target.provider) error = 'Choose a provider.';
      else if (!target.model.trim()) error = 'Enter the model this target calls.';
      else if (strategy === 'loadbalance' && (target.weight === '' || !Number.isFinite(weight) || weight < 0 || weight > 1000))
        error = 'Enter a weight from 0 to 1000.';
      return { ...target, error };
    });
    setTargets(checked);
    const valid = form.validate(
      { model: 'Enter the alias clients will send as the model.' },
      {
        model: alias && !ALIAS_PATTERN.test(alias) ? 'An alias has no slash or spaces.' : undefined,
        retries: !Number.isInteger(retries) || retries < 0 || retries > 5 ? 'Enter a whole number from 0 to 5.' : undefined,
        timeout:
          timeout !== null && (!Number.isInteger(timeout) || timeout < 100 || timeout > 600_000)
            ? 'Enter a whole number of milliseconds from 100 to 600000.'
            : undefined,
      },
    );
    const targetsValid = checked.length > 0 && checked.every((target) => !target.error);
    if (!targetsValid && valid) {
      window.requestAnimationFrame(() => listRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    }
    if (valid && targetsValid) save.mutate();
  }

  const providerOptions = providers.map((provider) => ({
    value: provider.id,
    label: `${provider.name} (${providerTypeLabel(provider.type)}${provider.shared ? ', shared' : ''})${provider.enabled ? '' : ' – disabled'}`,
  }));

  return (
    <Dialog open onClose={onClose} title={route ? `Edit route ${route.model}` : 'New route'} size="lg" dismissible={!save.isPending}>
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-5">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        {providers.length === 0 && (
          <Alert tone="warning" live="none" title="No providers yet">
            A route sends traffic to provider connections. Connect a provider first.
          </Alert>
        )}
        <TextField
          label="Alias"
          autoComplete="off"
          spellCheck={false}
          placeholder="e.g. default or fast"
          hint="Clients send this as the model. No slash or spaces."
          {...form.bind('model')}
        />
        <RadioGroup legend="Strategy" name="route-strategy" value={strategy} options={strategyOptions} onChange={setStrategy} />
        <fieldset className="flex flex-col gap-3">
          <legend className="mb-1 text-sm font-medium text-text">Targets</legend>
          <p className="-mt-2 text-xs text-text-muted">
            {strategy === 'fallback'
              ? 'Tried from the top: a target is used when the ones above it fail.'
              : 'Each target gets a share of requests in proportion to its weight.'}
          </p>
          <ol ref={listRef} className="flex flex-col gap-3">
            {targets.map((target, index) => (
              <li key={target.key}>
                <fieldset className="rounded-lg border border-border bg-surface-sunken p-3">
                  <legend className="px-1 text-xs font-semibold tracking-wide text-text-muted uppercase">Target {index + 1}</legend>
                  <div className={cx('grid gap-3', strategy === 'loadbalance' ? 'sm:grid-cols-[1fr_1fr_6rem]' : 'sm:grid-cols-2')}>
                    <SelectField
                      label="Provider"
                      options={[{ value: '', label: 'Choose a provider', disabled: true }, ...providerOptions]}
                      value={target.provider}
                      onChange={(event) => update(target.key, { provider: event.target.value })}
                      error={target.error === 'Choose a provider.' ? target.error : undefined}
                    />
                    <TextField
                      label="Model"
                      autoComplete="off"
                      spellCheck={false}
                      placeholder="e.g. gpt-4o-mini"
                      value={target.model}
                      onChange={(event) => update(target.key, { model: event.target.value })}
                      error={target.error?.startsWith('Enter the model') ? target.error : undefined}
                    />
                    {strategy === 'loadbalance' && (
                      <TextField
                        label="Weight"
                        type="number"
                        inputMode="decimal"
                        min={0}
                        max={1000}
                        value={target.weight}
                        onChange={(event) => update(target.key, { weight: event.target.value })}
                        error={target.error?.startsWith('Enter a weight') ? target.error : undefined}
                      />
                    )}
                  </div>
                  <div className="mt-3 flex flex-wrap gap-2">
                    <RowButton icon={<ArrowUpIcon className="size-4" />} disabled={index === 0} onClick={() => move(index, -1)}>
                      Move up<span className="sr-only"> target {index + 1}</span>
                    </RowButton>
                    <RowButton
                      icon={<ArrowDownIcon className="size-4" />}
                      disabled={index === targets.length - 1}
                      onClick={() => move(index, 1)}
                    >
                      Move down<span className="sr-only"> target {index + 1}</span>
                    </RowButton>
                    <RowButton icon={<TrashIcon className="size-4" />} disabled={targets.length === 1} danger onClick={() => remove(index)}>
                      Remove<span className="sr-only"> target {index + 1}</span>
                    </RowButton>
                  </div>
                </fieldset>
              </li>
            ))}
          </ol>
          <div>
            <Button id="add-route-target" size="sm" icon={<PlusIcon className="size-4" />} onClick={add} disabled={targets.length >= 20}>
              Add target
            </Button>
          </div>
          {/* biome-ignore lint/a11y/useSemanticElements: an explicit status role is announced more reliably than <output> */}
          <p role="status" className="sr-only">
            {announcement}
          </p>
        </fieldset>
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField
            label="Retries"
            type="number"
            inputMode="numeric"
            min={0}
            max={5}
            hint="Extra tries per target on rate limits, server errors and timeouts (0–5)."
            {...form.bind('retries')}
          />
          <TextField
            label="Timeout (ms)"
            type="number"
            inputMode="numeric"
            optional
            min={100}
            max={600000}
            placeholder="e.g. 30000"
            hint="Time each target has to start answering before the next is tried."
            {...form.bind('timeout')}
          />
        </div>
        <DialogFooter>
          <Button onClick={onClose} disabled={save.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={save.isPending} disabled={providers.length === 0}>
            {route ? 'Save route' : 'Create route'}
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}

interface RowButtonProps {
  icon: ReactNode;
  disabled: boolean;
  danger?: boolean;
  onClick: () => void;
  children: ReactNode;
}

/**
 * A small row action. At the ends of the list it is marked aria-disabled rather than disabled, so
 * the button a keyboard user just pressed keeps focus after the row moves.
 */
function RowButton({ icon, disabled, danger, onClick, children }: RowButtonProps) {
  return (
    <Button
      size="sm"
      variant="ghost"
      icon={icon}
      aria-disabled={disabled || undefined}
      className={cx(danger && 'text-danger-text', disabled && 'cursor-not-allowed opacity-60')}
      onClick={() => {
        if (!disabled) onClick();
      }}
    >
      {children}
    </Button>
  );
}
