export function SkipLink() {
  return (
    <a
      href="#main-content"
      className="sr-only rounded-md bg-brand px-4 py-2 text-sm font-semibold text-on-brand focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-[70]"
    >
      Skip to content
    </a>
  );
}
