import { Component, type ReactNode } from 'react';
import { Button } from './button';
import { EmptyState } from './empty-state';
import { AlertIcon } from './icons';

interface PageErrorBoundaryProps {
  /** Changing it (the path, on navigation) clears the error, so other pages still open. */
  resetKey: string;
  children: ReactNode;
}

/**
 * Catches a page that fails to render, typically a lazily loaded chunk that did not download (a
 * dropped connection, or a deploy that replaced the file), and offers a reload instead of a
 * blank page. Reloading is the fix: React keeps a failed lazy import failed until the page reloads.
 * (React itself reports the error to the console.)
 *
 * @example
 * <PageErrorBoundary resetKey={path}>
 *   <Suspense fallback={<PageSpinner />}><Page /></Suspense>
 * </PageErrorBoundary>
 */
export class PageErrorBoundary extends Component<PageErrorBoundaryProps, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  componentDidUpdate(previous: PageErrorBoundaryProps) {
    if (this.state.failed && previous.resetKey !== this.props.resetKey) this.setState({ failed: false });
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div role="alert">
        <EmptyState
          icon={<AlertIcon />}
          title="This page could not load"
          description="Part of the console could not be downloaded or started, for example after a dropped connection or an update of Atrium. Reloading usually fixes it."
          action={
            <Button variant="primary" onClick={() => window.location.reload()}>
              Reload page
            </Button>
          }
        />
      </div>
    );
  }
}
