/// <reference lib="dom" />
// Loaded first in <head>, so a saved theme is applied before the app module renders anything.
try {
  const saved = localStorage.getItem('pacer-theme');
  if (saved === 'dark' || saved === 'light') document.documentElement.dataset.theme = saved;
} catch {
  // Storage disabled: follow the system preference.
}
