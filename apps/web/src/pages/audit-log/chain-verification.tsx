import type { UseMutationResult } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import type { AuditLogVerification } from '../../api/types';
import { Alert } from '../../components/alert';

/** Sentence for a verification: intact with the count checked, or where the chain breaks. */
function describe(result: AuditLogVerification): string {
  if (result.intact) {
    return `Chain intact: all ${result.checked} ${result.checked === 1 ? 'entry' : 'entries'} match their hashes.`;
  }
  const broken = result.broken_at;
  if (!broken) return 'Chain broken.';
  if (broken.seq !== broken.expected_seq) {
    return `Chain broken at entry ${broken.expected_seq}: it is missing (the next entry found is ${broken.seq}).`;
  }
  return `Chain broken at entry ${broken.seq}: it, or its link to the entry before, was changed after it was written. The ${result.checked} entries before it are unaltered.`;
}

/** The outcome of "Verify chain", in a status region that is always present so it is announced. */
export function ChainVerification({ verify }: { verify: UseMutationResult<AuditLogVerification, Error, void> }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: an explicit status role is announced more reliably than <output>
    <div role="status" className="not-empty:mb-6">
      {verify.isPending && <p className="text-sm text-text-muted">Verifying the chain…</p>}
      {verify.isError && (
        <Alert tone="danger" live="none">
          {errorMessage(verify.error)}
        </Alert>
      )}
      {verify.data && (
        <Alert tone={verify.data.intact ? 'success' : 'danger'} live="none" title={verify.data.intact ? 'Verified' : 'Tampering detected'}>
          {describe(verify.data)}
        </Alert>
      )}
    </div>
  );
}
