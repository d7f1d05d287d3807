import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { connectMcpServer } from '../../api/plugins';
import { pluginKeys } from '../../api/plugins-queries';
import type { McpServer } from '../../api/plugins-types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Dialog, DialogFooter } from '../../components/dialog';
import { TextField } from '../../components/text-field';
import { useForm } from '../../lib/use-form';

const empty = { name: '', url: '', authorization: '' };

interface ConnectMcpDialogProps {
  workspace: { id: string; name: string };
  onClose: () => void;
  onConnected: (server: McpServer) => void;
}

/** Connects a remote MCP server (Streamable HTTP); its tools are listed right away. */
export function ConnectMcpDialog({ workspace, onClose, onConnected }: ConnectMcpDialogProps) {
  const queryClient = useQueryClient();
  const form = useForm(empty);

  const connect = useMutation({
    mutationFn: () => {
      const authorization = form.values.authorization.trim();
      return connectMcpServer({
        workspace_id: workspace.id,
        name: form.values.name.trim(),
        url: form.values.url.trim(),
        headers: authorization ? { Authorization: authorization } : undefined,
      });
    },
    onSuccess: (server) => {
      queryClient.invalidateQueries({ queryKey: pluginKeys.all });
      onConnected(server);
    },
    onError: (error) => form.applyError(error, { name: 'name', url: 'url', headers: 'authorization', Authorization: 'authorization' }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const url = form.values.url.trim();
    const valid = form.validate(
      { name: 'Enter a name for the server.', url: 'Enter the server’s URL.' },
      url && !/^https?:\/\/\S+$/i.test(url) ? { url: 'Enter an http:// or https:// URL, such as https://mcp.example.com/mcp.' } : {},
    );
    if (valid) connect.mutate();
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title="Connect MCP server"
      description={`Its tools become capabilities of ${workspace.name}.`}
      dismissible={!connect.isPending}
    >
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <TextField
          label="Name"
          autoComplete="off"
          placeholder="e.g. Linear"
          hint="Shown with its tools; their ids use a short form of it."
          {...form.bind('name')}
        />
        <TextField
          label="URL"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="https://mcp.example.com/mcp"
          hint="The server’s Streamable HTTP endpoint."
          {...form.bind('url')}
        />
        <TextField
          label="Authorization header"
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          optional
          placeholder="Bearer …"
          hint="Sent with every call, e.g. Bearer and a token. Stored encrypted and never shown again."
          {...form.bind('authorization')}
        />
        <DialogFooter>
          <Button onClick={onClose} disabled={connect.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={connect.isPending}>
            Connect server
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
