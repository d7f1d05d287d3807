import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import { invokeCapability } from '../../api/plugins';
import { pluginKeys } from '../../api/plugins-queries';
import type { Capability, CapabilityExecution } from '../../api/plugins-types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { TextAreaField } from '../../components/text-area';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { ExecutionError, ExecutionLogs, ExecutionStatusBadge, JsonBlock } from './execution-parts';
import { formatDuration } from './plugin-format';

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A starting value for a schema: its default, first allowed value, or an empty value of its type. */
function exampleOf(schema: unknown): unknown {
  if (!isSchema(schema)) return null;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return '';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const properties = isSchema(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      return Object.fromEntries(required.map((key) => [key, exampleOf(properties[key])]));
    }
    default:
      return null;
  }
}

interface TryCapabilityDialogProps {
  capability: Capability;
  workspaceId: string;
  onClose: () => void;
}

/** Calls a capability with JSON input and shows what came back (or that it waits for approval). */
export function TryCapabilityDialog({ capability, workspaceId, onClose }: TryCapabilityDialogProps) {
  const queryClient = useQueryClient();
  const { can } = useSession();
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState(() => JSON.stringify(exampleOf(capability.input_schema) ?? {}, null, 2));
  const [inputError, setInputError] = useState<string | null>(null);
  const [result, setResult] = useState<CapabilityExecution | null>(null);

  const invoke = useMutation({
    mutationFn: (input: unknown) => invokeCapability(capability.id, workspaceId, input),
    onMutate: () => setResult(null),
    onSuccess: (execution) => {
      setResult(execution);
      queryClient.invalidateQueries({ queryKey: pluginKeys.all });
    },
    onError: (error) => {
      // The input failed the capability's schema: the message names the field (input.text …).
      if (error instanceof ApiError && error.param?.startsWith('input')) {
        setInputError(error.message.includes(error.param) ? error.message : `${error.param}: ${error.message}`);
        inputRef.current?.focus();
      }
    },
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    let input: unknown;
    try {
      input = JSON.parse(text || '{}');
    } catch (error) {
      setInputError(`Enter valid JSON. ${error instanceof Error ? error.message : ''}`.trim());
      inputRef.current?.focus();
      return;
    }
    setInputError(null);
    invoke.mutate(input);
  }

  const otherError = invoke.isError && !(invoke.error instanceof ApiError && invoke.error.param?.startsWith('input'));

  return (
    <Dialog open onClose={onClose} size="lg" title={`Try ${capability.id}`} description={capability.description}>
      <form noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        <details className="text-sm">
          <summary className="cursor-pointer font-medium text-text">Input schema</summary>
          <JsonBlock title="Input schema" value={capability.input_schema} level={3} className="mt-2" />
        </details>
        <TextAreaField
          ref={inputRef}
          label="Input (JSON)"
          rows={8}
          spellCheck={false}
          autoComplete="off"
          className="font-mono text-xs"
          value={text}
          error={inputError}
          hint={capability.requires_approval ? 'This capability requires approval: the call waits until an admin approves it.' : undefined}
          onChange={(event) => setText(event.target.value)}
        />
        {otherError && <Alert tone="danger">{errorMessage(invoke.error)}</Alert>}
        <div>
          <Button type="submit" variant="primary" loading={invoke.isPending}>
            Invoke
          </Button>
        </div>
      </form>
      {/* biome-ignore lint/a11y/useSemanticElements: an explicit status role is announced more reliably than <output> */}
      <div role="status" className="not-empty:mt-6">
        {result && <ExecutionResult result={result} canSeeApprovals={can('capabilities:read')} />}
      </div>
      <DialogFooter>
        <Button onClick={onClose}>Close</Button>
      </DialogFooter>
    </Dialog>
  );
}

function ExecutionResult({ result, canSeeApprovals }: { result: CapabilityExecution; canSeeApprovals: boolean }) {
  if (result.status === 'pending_approval') {
    return (
      <Alert tone="info" live="none" title="Waiting for approval">
        The call is queued as <code>{result.id}</code>. It runs once an admin approves it
        {canSeeApprovals ? (
          <>
            {' '}
            under <Link to="/plugins/approvals">Approvals</Link>
          </>
        ) : null}
        .
      </Alert>
    );
  }
  return (
    <section aria-label="Result" className="flex flex-col gap-4">
      <p className="flex flex-wrap items-center gap-2 text-sm text-text">
        <ExecutionStatusBadge status={result.status} />
        <span className="text-text-muted">in {formatDuration(result.duration_ms)}</span>
      </p>
      {result.error ? <ExecutionError error={result.error} /> : <JsonBlock title="Output" value={result.output} level={3} />}
      {result.logs.length > 0 && <ExecutionLogs logs={result.logs} level={3} />}
    </section>
  );
}
