import { ButtonLink } from '../components/button';
import { PageHeader } from '../components/page-header';
import { usePageTitle } from '../lib/use-page-title';

export function NotFoundPage() {
  usePageTitle('Page not found');
  return (
    <>
      <PageHeader title="Page not found" description="The page you asked for does not exist or has moved." />
      <ButtonLink to="/" variant="primary">
        Go to overview
      </ButtonLink>
    </>
  );
}
