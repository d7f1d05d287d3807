import { useMutation, useQueryClient } from '@tanstack/react-query';
import { logout, switchOrganization } from '../api/auth';
import { navigate } from './router';

/** Signs out (best effort), forgets every cached response and goes to the sign-in page. */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      try {
        await logout();
      } catch {
        // The session may already be gone; signing out locally is still correct.
      }
    },
    onSettled: () => {
      queryClient.clear();
      navigate('/login', { replace: true });
    },
  });
}

/** Switches the current organization; cookies are reset by the server, so refetch everything. */
export function useSwitchOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (organizationId: string) => switchOrganization(organizationId),
    onSuccess: async () => {
      queryClient.removeQueries({ type: 'inactive' });
      await queryClient.invalidateQueries();
    },
  });
}
