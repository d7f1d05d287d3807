import type { ReactNode } from 'react';
import { LogoMark } from '../components/icons';
import { usePageTitle } from '../lib/use-page-title';

interface AuthLayoutProps {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}

/** Centered single-card layout for sign-in, sign-up, password and invitation pages. */
export function AuthLayout({ title, description, children, footer }: AuthLayoutProps) {
  usePageTitle(title);
  return (
    <main id="main-content" tabIndex={-1} className="flex min-h-dvh flex-col items-center justify-center px-4 py-10 focus:outline-none">
      <div className="mb-6 flex items-center gap-2 text-lg font-semibold text-text">
        <LogoMark className="size-8" />
        <span>Atrium</span>
      </div>
      <div className="w-full max-w-md rounded-xl border border-border bg-surface p-6 shadow-md sm:p-8">
        <h1 id="page-title" tabIndex={-1} className="text-2xl font-semibold tracking-tight text-text focus:outline-none">
          {title}
        </h1>
        {description && <p className="mt-1 text-sm text-text-muted">{description}</p>}
        <div className="mt-6">{children}</div>
      </div>
      {footer && <div className="mt-6 text-center text-sm text-text-muted">{footer}</div>}
    </main>
  );
}
