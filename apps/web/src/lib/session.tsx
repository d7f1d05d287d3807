import { createContext, type ReactNode, useContext, useMemo } from 'react';
import type { Me } from '../api/types';

/** The signed-in user's /me payload, available to every page inside the app shell. */

interface SessionValue {
  me: Me;
  can: (permission: string) => boolean;
  canAny: (...permissions: string[]) => boolean;
  canArea: (area: string) => boolean;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const value = useMemo<SessionValue>(() => {
    const granted = new Set(me.permissions ?? []);
    const can = (permission: string) => granted.has(permission) || granted.has('*');
    return {
      me,
      can,
      canAny: (...permissions) => permissions.some(can),
      canArea: (area) => granted.has('*') || [...granted].some((permission) => permission.startsWith(`${area}:`)),
    };
  }, [me]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside SessionProvider');
  return value;
}
