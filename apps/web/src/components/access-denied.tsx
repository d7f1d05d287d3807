import { errorMessage, isPermissionError, missingPermission } from '../api/client';
import { Alert } from './alert';
import { ButtonLink } from './button';
import { EmptyState } from './empty-state';
import { LockIcon } from './icons';

interface AccessDeniedProps {
  /** The permission the page needs, when known (e.g. `members:read`). */
  permission?: string | null;
  headingLevel?: 2 | 3;
}

/** In-page empty state for a page or section the caller's role may not see. */
export function AccessDenied({ permission, headingLevel }: AccessDeniedProps) {
  return (
    <EmptyState
      icon={<LockIcon />}
      title="You don't have access"
      headingLevel={headingLevel}
      description={
        <>
          {permission ? (
            <>
              This needs the <code className="font-medium text-text">{permission}</code> permission, which your role does not include.
            </>
          ) : (
            'Your role does not include access to this.'
          )}{' '}
          Ask an owner or admin of your organization if you need it.
        </>
      }
      action={<ButtonLink to="/">Back to Overview</ButtonLink>}
    />
  );
}

/** Shows a failed query: the access empty state for a 403 `permission_error`, else the error message. */
export function QueryError({ error, headingLevel }: { error: unknown; headingLevel?: 2 | 3 }) {
  if (isPermissionError(error)) return <AccessDenied permission={missingPermission(error)} headingLevel={headingLevel} />;
  return <Alert tone="danger">{errorMessage(error)}</Alert>;
}
