import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { useWorkspacesQuery } from '../api/queries';
import type { Workspace } from '../api/types';

/** The current workspace is a client-side choice, remembered per organization. */

interface CurrentWorkspaceValue {
  workspaces: Workspace[];
  current: Workspace | null;
  isLoading: boolean;
  select: (workspaceId: string) => void;
}

const CurrentWorkspaceContext = createContext<CurrentWorkspaceValue | null>(null);

function storageKey(organizationId: string): string {
  return `atrium.workspace.${organizationId}`;
}

function readSelection(organizationId: string): string | null {
  try {
    return window.localStorage.getItem(storageKey(organizationId));
  } catch {
    return null;
  }
}

export function CurrentWorkspaceProvider({ organizationId, children }: { organizationId: string; children: ReactNode }) {
  const query = useWorkspacesQuery();
  const [selection, setSelection] = useState(() => ({ organizationId, id: readSelection(organizationId) }));
  const selectedId = selection.organizationId === organizationId ? selection.id : readSelection(organizationId);

  const select = useCallback(
    (workspaceId: string) => {
      setSelection({ organizationId, id: workspaceId });
      try {
        window.localStorage.setItem(storageKey(organizationId), workspaceId);
      } catch {
        // Ignore storage failures; the choice still applies for this visit.
      }
    },
    [organizationId],
  );

  const value = useMemo<CurrentWorkspaceValue>(() => {
    const workspaces = query.data ?? [];
    const current = workspaces.find((workspace) => workspace.id === selectedId) ?? workspaces[0] ?? null;
    return { workspaces, current, isLoading: query.isPending, select };
  }, [query.data, query.isPending, selectedId, select]);

  return <CurrentWorkspaceContext.Provider value={value}>{children}</CurrentWorkspaceContext.Provider>;
}

export function useCurrentWorkspace(): CurrentWorkspaceValue {
  const value = useContext(CurrentWorkspaceContext);
  if (!value) throw new Error('useCurrentWorkspace must be used inside CurrentWorkspaceProvider');
  return value;
}
