import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { queryKeys } from '../../api/queries';
import { updateOrganization } from '../../api/resources';
import type { Organization } from '../../api/types';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { Card } from '../../components/page-header';
import { TextField } from '../../components/text-field';
import { useToast } from '../../components/toast';
import { useForm } from '../../lib/use-form';

/** Renames the current organization; the header's switcher follows through the refreshed /me. */
export function RenameOrganizationForm({ organization }: { organization: Organization }) {
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const form = useForm({ name: organization.name });
  const save = useMutation({
    mutationFn: () => updateOrganization(form.values.name.trim()),
    onSuccess: async (updated) => {
      queryClient.setQueryData(queryKeys.organization, updated);
      form.reset({ name: updated.name });
      await queryClient.invalidateQueries({ queryKey: queryKeys.me });
      notify(`Renamed the organization to ${updated.name}.`);
    },
    onError: (error) => form.applyError(error, { name: 'name' }),
  });

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (form.validate({ name: 'Enter a name for the organization.' })) save.mutate();
  }

  return (
    <Card>
      <h2 className="mb-4 text-lg font-semibold text-text">Rename</h2>
      <form ref={form.formRef} noValidate onSubmit={handleSubmit} className="flex max-w-md flex-col gap-4">
        {form.formError && <Alert tone="danger">{form.formError}</Alert>}
        <TextField
          label="Organization name"
          autoComplete="organization"
          maxLength={120}
          hint="Everyone in the organization sees this name. The slug and ID stay the same."
          {...form.bind('name')}
        />
        <div>
          <Button type="submit" variant="primary" loading={save.isPending}>
            Save organization
          </Button>
        </div>
      </form>
    </Card>
  );
}
