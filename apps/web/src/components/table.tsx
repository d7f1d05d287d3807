import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes } from 'react';
import { cx } from '../lib/class-names';
import { formatTimestamp } from '../lib/format';

interface TableProps {
  /** Visible or screen-reader caption naming the table. */
  caption: string;
  captionHidden?: boolean;
  children: ReactNode;
  className?: string;
}

/** A semantic table in a horizontally scrollable, keyboard-focusable container. */
export function Table({ caption, captionHidden = true, children, className }: TableProps) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a scroll container, not a form group
    <div
      // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable regions must be keyboard reachable
      tabIndex={0}
      role="group"
      className={cx('relative overflow-x-auto rounded-xl border border-border bg-surface shadow-sm', className)}
    >
      <table className="w-full border-collapse text-left text-sm">
        <caption className={captionHidden ? 'sr-only' : 'px-4 py-3 text-left font-semibold'}>{caption}</caption>
        {children}
      </table>
    </div>
  );
}

export function TableHead({ children }: { children: ReactNode }) {
  return (
    <thead className="border-b border-border bg-surface-sunken text-xs font-semibold tracking-wide text-text-muted uppercase">
      {children}
    </thead>
  );
}

export function TableBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-border">{children}</tbody>;
}

export function TableRow({ children, className }: { children: ReactNode; className?: string }) {
  return <tr className={cx('align-middle', className)}>{children}</tr>;
}

export function HeaderCell({ children, className, ...rest }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th scope="col" className={cx('px-4 py-3 whitespace-nowrap', className)} {...rest}>
      {children}
    </th>
  );
}

export function Cell({ children, className, ...rest }: TdHTMLAttributes<HTMLTableCellElement>) {
  return (
    <td className={cx('px-4 py-3 text-text', className)} {...rest}>
      {children}
    </td>
  );
}

/**
 * A cell with a moment as the console writes it, and the exact time on hover.
 *
 * @example
 * <TimeCell at={entry.created_at} />
 */
export function TimeCell({ at }: { at: string }) {
  return (
    <Cell className="whitespace-nowrap text-text-muted">
      <time dateTime={at} title={at}>
        {formatTimestamp(at)}
      </time>
    </Cell>
  );
}

/**
 * The header row of a data table: one column per name, and an unlabelled-looking (but announced)
 * actions column when the rows carry buttons.
 *
 * @example
 * <ColumnHeads columns={['Name', 'Created']} actions={canWrite} />
 */
export function ColumnHeads({ columns, actions = false }: { columns: string[]; actions?: boolean }) {
  return (
    <TableHead>
      <TableRow>
        {columns.map((column) => (
          <HeaderCell key={column}>{column}</HeaderCell>
        ))}
        {actions && (
          <HeaderCell>
            <span className="sr-only">Actions</span>
          </HeaderCell>
        )}
      </TableRow>
    </TableHead>
  );
}
