import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { createProvider } from '../../api/gateway';
import { gatewayKeys } from '../../api/gateway-queries';
import { PROVIDER_TYPES, type ProviderConnection, type ProviderType } from '../../api/gateway-types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { SelectField } from '../../components/select-field';
import { TextField } from '../../components/text-field';
import { useCurrentWorkspace } from '../../lib/current-workspace';
import { useForm } from '../../lib/use-form';
import { defaultBaseUrls, providerTypeLabels, splitList } from './gateway-format';

/** Provider types that have no default address: the connection must say where the server is. */
const NEEDS_BASE_URL: ProviderType[] = ['azure-openai', 'openai-compatible'];
/** Local OpenAI-compatible servers (Ollama, vLLM, LM Studio) often run without a key. */
const KEY_OPTIONAL: ProviderType[] = ['openai-compatible'];

const NAME_PATTERN = /^[A-Za-z0-9][\w.-]*$/;

const keyHints: Record<ProviderType, string> = {
  openai: 'From platform.openai.com → API keys. Stored encrypted; only its last four characters are shown again.',
  'azure-openai': 'One of the resource’s keys (Keys and Endpoint in the Azure portal). Stored encrypted.',
  anthropic: 'From console.anthropic.com → API keys. Stored encrypted.',
  gemini: 'From Google AI Studio → Get API key. Stored encrypted.',
  'openai-compatible': 'Leave empty for servers without authentication, such as a local Ollama. Stored encrypted.',
};

const baseUrlHints: Partial<Record<ProviderType, string>> = {
  'azure-openai': 'Your resource’s endpoint, without /openai. Model names are deployment names.',
  'openai-compatible':
    'Up to and including /v1. Ollama: http://localhost:11434/v1 · vLLM: http://localhost:8000/v1 · LM Studio: http://localhost:1234/v1',
};

const baseUrlPlaceholders: Partial<Record<ProviderType, string>> = {
  'azure-openai': 'https://my-resource.openai.azure.com',
  'openai-compatible': 'http://localhost:11434/v1',
};

const empty = { name: '', type: 'openai', apiKey: '', baseUrl: '', workspace: '', apiVersion: '', models: '' };

export function ConnectProviderDialog({
  onClose,
  onConnected,
}: {
  onClose: () => void;
  onConnected: (provider: ProviderConnection) => void;
}) {
  const queryClient = useQueryClient();
  const { workspaces } = useCurrentWorkspace();
  const form = useForm(empty);
  const type = form.values.type as ProviderType;
  const needsBaseUrl = NEEDS_BASE_URL.includes(type);
  const keyOptional = KEY_OPTIONAL.includes(type);

  const create = useMutation({
    mutationFn: () => {
      const models = splitList(form.values.models);
      const settings = {
        ...(type === 'azure-openai' && form.values.apiVersion.trim() ? { api_version: form.values.apiVersion.trim() } : {}),
        ...(models.length > 0 ? { models } : {}),
      };
      return createProvider({
        name: form.values.name.trim(),
        type,
        api_key: form.values.apiKey.trim() || undefined,
        base_url: needsBaseUrl ? form.values.baseUrl.trim() : undefined,
        workspace_id: form.values.workspace || undefined,
        settings: Object.keys(settings).length > 0 ? settings : undefined,
      });
    },
    onSuccess: (provider) => {
      queryClient.invalidateQueries({ queryKey: gatewayKeys.providers });
      queryClient.invalidateQueries({ queryKey: ['gateway', 'models'] });
      onConnected(provider);
    },
    onError: (error) =>
      form.applyError(error, {
        name: 'name',
        type: 'type',
        api_key: 'apiKey',
        base_url: 'baseUrl',
        workspace_id: 'workspace',
        api_version: 'apiVersion',
        models: 'models',
      }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const name = form.values.name.trim();
    const valid = form.validate(
      {
        name: 'Enter a name: it prefixes this provider’s models, as in name/model.',
        ...(keyOptional ? {} : { apiKey: 'Enter the provider’s API key.' }),
        ...(needsBaseUrl ? { baseUrl: 'Enter the address of the provider’s API.' } : {}),
      },
      name && !NAME_PATTERN.test(name)
        ? { name: 'Use letters, digits, dot, dash and underscore, starting with a letter or digit (no slash or spaces).' }
        : {},
    );
    if (valid) create.mutate();
  }

  const defaultUrl = defaultBaseUrls[type];

  return (
    <Dialog open onClose={onClose} title="Connect provider" size="lg" dismissible={!create.isPending}>
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField
            label="Name"
            autoComplete="off"
            spellCheck={false}
            placeholder="e.g. openai or local"
            hint={
              <>
                Models are called as <code>{form.values.name.trim() || 'name'}/model</code>.
              </>
            }
            {...form.bind('name')}
          />
          <SelectField
            label="Type"
            options={PROVIDER_TYPES.map((value) => ({ value, label: providerTypeLabels[value] }))}
            hint={defaultUrl ? `Calls ${defaultUrl}` : undefined}
            {...form.bind('type')}
          />
        </div>
        {needsBaseUrl && (
          <TextField
            label="Base URL"
            type="url"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            placeholder={baseUrlPlaceholders[type]}
            hint={baseUrlHints[type]}
            {...form.bind('baseUrl')}
          />
        )}
        <TextField
          label="API key"
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          optional={keyOptional}
          hint={keyHints[type]}
          {...form.bind('apiKey')}
        />
        {type === 'azure-openai' && (
          <TextField
            label="API version"
            optional
            autoComplete="off"
            spellCheck={false}
            placeholder="2024-10-21"
            hint="The api-version query parameter Azure expects. Leave empty for 2024-10-21."
            {...form.bind('apiVersion')}
          />
        )}
        <SelectField
          label="Workspace"
          options={[
            { value: '', label: 'All workspaces' },
            ...workspaces.map((workspace) => ({ value: workspace.id, label: workspace.name })),
          ]}
          hint="Restrict the connection to one workspace, or share it with all of them."
          {...form.bind('workspace')}
        />
        <TextField
          label="Models"
          optional
          autoComplete="off"
          spellCheck={false}
          placeholder="e.g. llama3.2, qwen2.5"
          hint="Comma-separated. Only needed when the provider cannot list its models."
          {...form.bind('models')}
        />
        <DialogFooter>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending}>
            Connect provider
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
