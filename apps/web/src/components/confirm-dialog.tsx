import { type ReactNode, useRef } from 'react';
import { Alert } from './alert';
import { Button } from './button';
import { Dialog, DialogFooter } from './dialog';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  pending?: boolean;
  error?: string | null;
  tone?: 'danger' | 'primary';
}

/** A yes/no dialog; focus starts on Cancel so destructive actions need a deliberate choice. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
  pending = false,
  error,
  tone = 'danger',
}: ConfirmDialogProps) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  return (
    <Dialog open={open} onClose={onClose} title={title} size="sm" initialFocus={cancelRef} dismissible={!pending}>
      <div className="flex flex-col gap-4 text-sm text-text-muted">
        <div>{children}</div>
        {error && <Alert tone="danger">{error}</Alert>}
      </div>
      <DialogFooter>
        <Button ref={cancelRef} onClick={onClose} disabled={pending}>
          Cancel
        </Button>
        <Button variant={tone} onClick={onConfirm} loading={pending}>
          {confirmLabel}
        </Button>
      </DialogFooter>
    </Dialog>
  );
}
