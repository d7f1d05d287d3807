import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { cancelSubscription } from '../../api/billing';
import { billingKeys } from '../../api/billing-queries';
import type { Subscription } from '../../api/billing-types';
import { errorMessage } from '../../api/client';
import { Alert } from '../../components/alert';
import { Button } from '../../components/button';
import { RadioGroup } from '../../components/checkbox';
import { Dialog, DialogFooter } from '../../components/dialog';
import { useToast } from '../../components/toast';
import { formatDate } from '../../lib/format';

type When = 'period_end' | 'now';

/**
 * Cancels the subscription at the end of the period (the default) or at once; a trial always ends
 * at once. Focus starts on "Keep subscription".
 */
export function CancelSubscriptionDialog({ subscription, onClose }: { subscription: Subscription; onClose: () => void }) {
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const keepRef = useRef<HTMLButtonElement>(null);
  const trial = subscription.status === 'trialing';
  const [when, setWhen] = useState<When>(trial ? 'now' : 'period_end');
  const end = formatDate(subscription.current_period_end);

  const cancel = useMutation({
    mutationFn: () => cancelSubscription(when === 'period_end'),
    onSuccess: (updated) => {
      queryClient.setQueryData(billingKeys.subscription, updated);
      queryClient.invalidateQueries({ queryKey: billingKeys.all });
      notify(
        updated.cancel_at_period_end
          ? `Your subscription will end on ${formatDate(updated.current_period_end)}.`
          : trial
            ? 'Ended your trial. The organization is read-only until a plan is chosen.'
            : 'Canceled your subscription. The organization is read-only until a plan is chosen.',
      );
      onClose();
    },
  });

  return (
    <Dialog
      open
      onClose={onClose}
      title="Cancel subscription"
      description={
        trial
          ? `You are on the ${subscription.plan.name} trial. Canceling ends it at once; nothing is charged.`
          : `You are on ${subscription.plan.name}. Canceling stops renewal; nothing already paid is refunded automatically.`
      }
      size="sm"
      initialFocus={keepRef}
      dismissible={!cancel.isPending}
    >
      <div className="flex flex-col gap-4">
        {trial ? (
          <p className="text-sm text-text">The organization becomes read-only until a plan is chosen. Nothing is deleted.</p>
        ) : (
          <RadioGroup
            legend="When should it end?"
            name="cancel-when"
            value={when}
            onChange={setWhen}
            options={[
              {
                value: 'period_end',
                label: 'At the end of the period',
                description: `Everything keeps working until ${end}, then the organization becomes read-only.`,
              },
              { value: 'now', label: 'Now', description: 'The organization becomes read-only at once. Nothing is deleted.' },
            ]}
          />
        )}
        {cancel.isError && <Alert tone="danger">{errorMessage(cancel.error)}</Alert>}
      </div>
      <DialogFooter>
        <Button ref={keepRef} onClick={onClose} disabled={cancel.isPending}>
          Keep subscription
        </Button>
        <Button variant="danger" onClick={() => cancel.mutate()} loading={cancel.isPending}>
          {trial ? 'End trial now' : 'Cancel subscription'}
        </Button>
      </DialogFooter>
    </Dialog>
  );
}
