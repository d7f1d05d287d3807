import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { updatePlugin } from '../../api/plugins';
import { pluginKeys } from '../../api/plugins-queries';
import type { PluginInstallation, PluginSettingField, PluginSettingValue } from '../../api/plugins-types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Checkbox } from '../../components/checkbox';
import { Card } from '../../components/page-header';
import { SelectField } from '../../components/select-field';
import { TextField } from '../../components/text-field';
import { useToast } from '../../components/toast';
import { useForm } from '../../lib/use-form';

/** Every value as form text: booleans as "true" / "false"; secrets start empty (they are never sent back). */
function valuesOf(fields: PluginSettingField[], settings: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    fields.map((field) => {
      const value = field.secret ? undefined : settings[field.key];
      if (field.type === 'boolean') return [field.key, value === true ? 'true' : 'false'];
      return [field.key, value === undefined || value === null ? '' : String(value)];
    }),
  );
}

type Changes = { settings: Record<string, PluginSettingValue>; errors: Record<string, string> };

/** The settings that differ from what is stored, typed as the manifest says; and what is wrong with the form. */
function changesOf(installation: PluginInstallation, values: Record<string, string>, clears: Record<string, boolean>): Changes {
  const settings: Record<string, PluginSettingValue> = {};
  const errors: Record<string, string> = {};
  for (const field of installation.manifest.settings ?? []) {
    const text = values[field.key]?.trim() ?? '';
    const stored = installation.settings[field.key];
    if (field.type === 'boolean') {
      const checked = values[field.key] === 'true';
      if (checked !== (stored === true)) settings[field.key] = checked;
      continue;
    }
    const isSet = field.secret ? installation.secrets_set.includes(field.key) : stored !== undefined && stored !== null;
    if (text === '') {
      if (field.secret ? clears[field.key] : isSet) settings[field.key] = null;
      if (field.required && (field.secret ? !isSet || clears[field.key] : true)) errors[field.key] = `${field.label} is required.`;
      continue;
    }
    if (field.type === 'number') {
      const number = Number(text);
      if (!Number.isFinite(number)) {
        errors[field.key] = 'Enter a number.';
        continue;
      }
      if (field.secret || number !== stored) settings[field.key] = number;
      continue;
    }
    if (field.secret || text !== stored) settings[field.key] = text;
  }
  return { settings, errors };
}

/** A form generated from the manifest's settings; secret values are write-only. */
export function PluginSettingsForm({ installation, canWrite }: { installation: PluginInstallation; canWrite: boolean }) {
  const fields = installation.manifest.settings ?? [];
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const form = useForm<string>(valuesOf(fields, installation.settings));
  const [clears, setClears] = useState<Record<string, boolean>>({});

  const save = useMutation({
    mutationFn: (settings: Record<string, PluginSettingValue>) => updatePlugin(installation.id, { settings }),
    onSuccess: (saved) => {
      queryClient.setQueryData(pluginKeys.detail(saved.id), saved);
      queryClient.invalidateQueries({ queryKey: pluginKeys.all });
      form.reset(valuesOf(fields, saved.settings));
      setClears({});
      notify(`Saved the settings of ${saved.name}.`);
    },
    onError: (error) => form.applyError(error, Object.fromEntries(fields.map((field) => [field.key, field.key]))),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const { settings, errors } = changesOf(installation, form.values, clears);
    if (!form.validate({}, errors)) return;
    if (Object.keys(settings).length === 0) {
      notify('Nothing changed.', 'info');
      return;
    }
    save.mutate(settings);
  }

  const setValue = (key: string, value: string) => form.setValues((current) => ({ ...current, [key]: value }));

  return (
    <Card>
      <h3 className="mb-1 text-base font-semibold text-text">Settings</h3>
      {fields.length === 0 ? (
        <p className="text-sm text-text-muted">This plugin has no settings.</p>
      ) : (
        <form
          ref={form.formRef}
          noValidate
          onSubmit={handleSubmit}
          aria-label={`Settings of ${installation.name}`}
          className="mt-3 flex max-w-xl flex-col gap-4"
        >
          {form.formError && <Alert tone="danger">{form.formError}</Alert>}
          {!canWrite && (
            <Alert tone="info" live="none">
              Changing settings needs the <code>plugins:write</code> permission, which your role does not include.
            </Alert>
          )}
          {fields.map((field) => {
            const bound = form.bind(field.key);
            const optional = !field.required;
            if (field.type === 'boolean') {
              return (
                <Checkbox
                  key={field.key}
                  label={field.label}
                  description={field.description}
                  checked={form.values[field.key] === 'true'}
                  disabled={!canWrite}
                  onChange={(event) => setValue(field.key, event.target.checked ? 'true' : 'false')}
                />
              );
            }
            if (field.type === 'select' && !field.secret) {
              const options = (field.options ?? []).map((option) => ({ value: option, label: option }));
              return (
                <SelectField
                  key={field.key}
                  label={field.label}
                  hint={field.description}
                  optional={optional}
                  disabled={!canWrite}
                  options={[{ value: '', label: field.required ? 'Choose…' : 'Not set' }, ...options]}
                  {...bound}
                />
              );
            }
            if (field.secret) {
              const isSet = installation.secrets_set.includes(field.key);
              return (
                <div key={field.key} className="flex flex-col gap-2">
                  <TextField
                    label={field.label}
                    type="password"
                    autoComplete="new-password"
                    spellCheck={false}
                    optional={optional}
                    readOnly={!canWrite}
                    placeholder={isSet ? 'Unchanged' : undefined}
                    hint={
                      <>
                        {isSet ? 'Set. ' : 'Not set. '}
                        {field.description ? `${field.description} ` : ''}
                        Stored encrypted and never shown again{isSet ? '; enter a new value to replace it.' : '.'}
                      </>
                    }
                    {...bound}
                  />
                  {isSet && canWrite && (
                    <Checkbox
                      label={`Remove the stored ${field.label}`}
                      checked={clears[field.key] ?? false}
                      onChange={(event) => setClears((current) => ({ ...current, [field.key]: event.target.checked }))}
                    />
                  )}
                </div>
              );
            }
            return (
              <TextField
                key={field.key}
                label={field.label}
                type={field.type === 'number' ? 'number' : 'text'}
                inputMode={field.type === 'number' ? 'decimal' : undefined}
                step={field.type === 'number' ? 'any' : undefined}
                autoComplete="off"
                optional={optional}
                readOnly={!canWrite}
                hint={field.description}
                {...bound}
              />
            );
          })}
          {canWrite && (
            <div>
              <Button type="submit" variant="primary" loading={save.isPending}>
                Save settings
              </Button>
            </div>
          )}
        </form>
      )}
    </Card>
  );
}
