import { type FormEvent, useId, useMemo, useState } from 'react';
import { usePricesQuery } from '../../api/gateway-queries';
import type { ModelPrice } from '../../api/gateway-types';
import { QueryError } from '../../components/access-denied';
import { Badge, type BadgeTone } from '../../components/badge';
import { Button } from '../../components/button';
import { EmptyState } from '../../components/empty-state';
import { ChevronDownIcon, GatewayIcon, PlusIcon } from '../../components/icons';
import { PageSpinner } from '../../components/spinner';
import { TextField } from '../../components/text-field';
import { cx } from '../../lib/class-names';
import { formatDateTime } from '../../lib/format';
import { useSession } from '../../lib/session';
import { useForm } from '../../lib/use-form';
import { formatCount, formatPriceLine, priceProviderLabel } from './gateway-format';
import { GatewaySection, SectionHeader } from './gateway-layout';
import { PriceDialog, type PriceDialogStart } from './price-dialog';
import { type PricedModel, type PriceStatus, pricesByModel } from './price-versions';

export function PricesPage() {
  return (
    <GatewaySection tab="prices">
      <Prices />
    </GatewaySection>
  );
}

function Prices() {
  const { can } = useSession();
  const canWrite = can('gateway:write');
  const [model, setModel] = useState('');
  const query = usePricesQuery(model || undefined);
  const models = useMemo(() => pricesByModel(query.data ?? []), [query.data]);
  const [dialog, setDialog] = useState<PriceDialogStart | null>(null);

  const setButton = canWrite && (
    <Button variant="primary" icon={<PlusIcon className="size-4" />} onClick={() => setDialog({})}>
      Set price
    </Button>
  );

  return (
    <>
      <SectionHeader tab="prices" actions={setButton} />
      <PriceFilterForm onApply={setModel} />
      {query.isPending && <PageSpinner label="Loading prices…" />}
      {query.isError && <QueryError error={query.error} headingLevel={3} />}
      {models.length > 0 && (
        // biome-ignore lint/a11y/useSemanticElements: an explicit status role is announced more reliably than <output>
        <p role="status" className="mb-3 text-sm text-text-muted">
          {models.length === 1 ? 'Showing 1 priced model.' : `Showing ${formatCount(models.length)} priced models.`} Prices are input /
          output per 1M tokens.
        </p>
      )}
      {query.isSuccess && models.length === 0 && (
        <EmptyState
          icon={<GatewayIcon />}
          headingLevel={3}
          title={model ? `No prices for ${model}` : 'No prices yet'}
          description={
            model ? (
              <>
                The filter matches exact model names. A model without a price of its own is charged at the price of the longest priced start
                of its name (<code>gpt-4o-2024-08-06</code> at <code>gpt-4o</code>’s), or costs nothing.
              </>
            ) : (
              'Calls to models without a price cost nothing. Set a price to count what they cost.'
            )
          }
        />
      )}
      {models.length > 0 && (
        <ul aria-label="Model prices" className="divide-y divide-border rounded-xl border border-border bg-surface shadow-sm">
          {models.map((entry) => (
            <PriceRow
              key={entry.model}
              entry={entry}
              canWrite={canWrite}
              onChange={(price) => setDialog({ model: entry.model, provider: price?.provider, price })}
            />
          ))}
        </ul>
      )}
      {dialog && <PriceDialog start={dialog} onClose={() => setDialog(null)} />}
    </>
  );
}

const statusBadges: Record<PriceStatus, { label: string; tone: BadgeTone }> = {
  scheduled: { label: 'Scheduled', tone: 'info' },
  overridden: { label: 'Overridden', tone: 'neutral' },
  replaced: { label: 'Replaced', tone: 'neutral' },
};

interface PriceRowProps {
  entry: PricedModel;
  canWrite: boolean;
  onChange: (price: ModelPrice | undefined) => void;
}

/** One model: the price charged now (per provider), and its other versions behind a disclosure. */
function PriceRow({ entry, canWrite, onChange }: PriceRowProps) {
  const [expanded, setExpanded] = useState(false);
  const panelId = useId();
  const others = entry.others.length;
  return (
    <li className="flex flex-col gap-3 p-4 sm:px-5">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex min-w-0 flex-col gap-2">
          <h3 className="text-sm font-semibold text-text">
            <code className="break-all">{entry.model}</code>
          </h3>
          {entry.current.length === 0 && <p className="text-sm text-text-muted">No price in effect yet.</p>}
          {entry.current.map((price) => (
            <div key={price.id} data-testid="price-in-effect" className="flex flex-col gap-1">
              <p className="text-base font-semibold text-text tabular-nums">{formatPriceLine(price)}</p>
              <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-text-muted">
                {price.scope === 'organization' && <Badge tone="brand">Organization</Badge>}
                <span>{priceProviderLabel(price.provider)}</span>
                <span aria-hidden="true">·</span>
                <span>
                  In effect since{' '}
                  <time dateTime={price.effective_from} title={price.effective_from}>
                    {formatDateTime(price.effective_from)}
                  </time>
                </span>
              </p>
            </div>
          ))}
        </div>
        {canWrite && (
          <Button size="sm" className="self-start" onClick={() => onChange(entry.current[0] ?? entry.others[0]?.price)}>
            Change price<span className="sr-only"> of {entry.model}</span>
          </Button>
        )}
      </div>
      {others > 0 && (
        <div className="flex flex-col gap-2">
          <button
            type="button"
            aria-expanded={expanded}
            aria-controls={panelId}
            onClick={() => setExpanded((value) => !value)}
            className="flex items-center gap-1 self-start rounded text-sm font-medium text-brand-text"
          >
            <ChevronDownIcon className={cx('size-4 transition-transform duration-(--duration-fast)', !expanded && '-rotate-90')} />
            {others === 1 ? '1 other version' : `${formatCount(others)} other versions`}
            <span className="sr-only"> of {entry.model}</span>
          </button>
          <ul id={panelId} hidden={!expanded} className="flex flex-col gap-2">
            {entry.others.map(({ price, status }) => (
              <li
                key={price.id}
                className="flex flex-col gap-1.5 rounded-lg border border-border bg-surface-sunken px-3 py-2 sm:flex-row sm:items-center sm:justify-between sm:gap-4"
              >
                <div className="flex flex-wrap items-center gap-2">
                  <Badge tone={statusBadges[status].tone}>{statusBadges[status].label}</Badge>
                  <Badge tone={price.scope === 'organization' ? 'brand' : 'neutral'}>
                    {price.scope === 'organization' ? 'Organization' : 'Platform'}
                  </Badge>
                  <span className="text-xs text-text-muted">{priceProviderLabel(price.provider)}</span>
                </div>
                <div className="flex flex-col sm:items-end">
                  <span className="text-sm text-text tabular-nums">{formatPriceLine(price)}</span>
                  <span className="text-xs text-text-muted">
                    From{' '}
                    <time dateTime={price.effective_from} title={price.effective_from}>
                      {formatDateTime(price.effective_from)}
                    </time>
                  </span>
                </div>
              </li>
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}

function PriceFilterForm({ onApply }: { onApply: (model: string) => void }) {
  const form = useForm({ model: '' });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    onApply(form.values.model.trim());
  }

  function handleClear() {
    form.reset({ model: '' });
    onApply('');
  }

  return (
    <form
      ref={form.formRef}
      noValidate
      onSubmit={handleSubmit}
      aria-label="Filter prices"
      className="mb-6 grid gap-4 rounded-xl border border-border bg-surface p-4 shadow-sm sm:grid-cols-[1fr_auto] sm:items-start"
    >
      <TextField
        label="Model"
        required={false}
        autoComplete="off"
        spellCheck={false}
        placeholder="e.g. gpt-4o-mini"
        hint="The exact model name"
        {...form.bind('model')}
      />
      <div className="flex gap-2 sm:pt-6.5">
        <Button type="submit" variant="primary">
          Apply filter
        </Button>
        <Button onClick={handleClear}>Clear</Button>
      </div>
    </form>
  );
}
