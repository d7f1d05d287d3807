// Applies the saved colour theme before the first paint to avoid a flash.
(() => {
  let preference = 'system';
  try {
    preference = localStorage.getItem('atrium.theme') || 'system';
  } catch {
    preference = 'system';
  }
  const dark = preference === 'dark' || (preference !== 'light' && window.matchMedia?.('(prefers-color-scheme: dark)').matches);
  document.documentElement.setAttribute('data-theme', dark ? 'dark' : 'light');
})();
