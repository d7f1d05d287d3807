import { useState } from 'react';
import { errorMessage } from '../api/client';
import { CheckIcon, ChevronDownIcon, PlusIcon } from '../components/icons';
import { Popover, PopoverSectionLabel, popoverItemClasses } from '../components/popover';
import { useToast } from '../components/toast';
import { useCurrentWorkspace } from '../lib/current-workspace';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { useSwitchOrganization } from '../lib/session-actions';
import { CreateOrganizationDialog } from './create-organization-dialog';

/** Header switcher for the current organization (server-side) and workspace (client-side). */
export function ContextSwitcher() {
  const { me } = useSession();
  const { workspaces, current, select } = useCurrentWorkspace();
  const switchOrganization = useSwitchOrganization();
  const { notify } = useToast();
  const [creating, setCreating] = useState(false);
  const memberships = me.memberships?.length ? me.memberships : [{ organization: me.organization, role: me.role, workspaces: [] }];

  function chooseOrganization(id: string, name: string, close: () => void) {
    close();
    if (id === me.organization.id) return;
    switchOrganization.mutate(id, {
      onSuccess: () => notify(`Switched to ${name}.`),
      onError: (error) => notify(errorMessage(error), 'danger'),
    });
  }

  return (
    <>
      <Popover
        triggerClassName="flex min-w-0 max-w-[60vw] items-center gap-2 rounded-md px-2 py-1.5 text-left hover:bg-surface-hover sm:max-w-md"
        trigger={
          <>
            <span className="sr-only">Switch organization or workspace. Current: </span>
            <span className="truncate text-sm font-semibold text-text">{me.organization.name}</span>
            {current && (
              <>
                <span aria-hidden="true" className="text-text-muted">
                  /
                </span>
                <span className="truncate text-sm text-text-muted">{current.name}</span>
              </>
            )}
            <ChevronDownIcon className="size-4 shrink-0 text-text-muted" />
          </>
        }
      >
        {(close) => (
          <div className="flex max-h-[70dvh] flex-col overflow-y-auto">
            <PopoverSectionLabel>Organizations</PopoverSectionLabel>
            <ul>
              {memberships.map(({ organization }) => {
                const active = organization.id === me.organization.id;
                return (
                  <li key={organization.id}>
                    <button
                      type="button"
                      aria-current={active ? 'true' : undefined}
                      className={popoverItemClasses}
                      onClick={() => chooseOrganization(organization.id, organization.name, close)}
                    >
                      <span className="flex-1 truncate">{organization.name}</span>
                      {active && <CheckIcon className="size-4 text-brand-text" />}
                    </button>
                  </li>
                );
              })}
            </ul>
            <button
              type="button"
              className={popoverItemClasses}
              onClick={() => {
                close();
                setCreating(true);
              }}
            >
              <PlusIcon className="size-4" />
              New organization
            </button>
            <div className="my-1 border-t border-border" />
            <PopoverSectionLabel>Workspaces</PopoverSectionLabel>
            <ul>
              {workspaces.map((workspace) => {
                const active = workspace.id === current?.id;
                return (
                  <li key={workspace.id}>
                    <button
                      type="button"
                      aria-current={active ? 'true' : undefined}
                      className={popoverItemClasses}
                      onClick={() => {
                        select(workspace.id);
                        close();
                      }}
                    >
                      <span className="flex-1 truncate">{workspace.name}</span>
                      {active && <CheckIcon className="size-4 text-brand-text" />}
                    </button>
                  </li>
                );
              })}
            </ul>
            <Link to="/workspaces" onClick={close} className={popoverItemClasses}>
              Manage workspaces
            </Link>
          </div>
        )}
      </Popover>
      <CreateOrganizationDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
