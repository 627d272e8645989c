// Entry point of the console and of /auth/callback. Served with "Cache-Control: no-cache"; it loads
// the content-versioned assets (window.JHE_ASSET_PATH from /common/server-settings.js), which NGINX
// caches as immutable.
const base = window.JHE_ASSET_PATH || '/console/assets';
const css = document.createElement('link');
css.rel = 'stylesheet';
css.href = `${base}/app.css`;
document.head.append(css);
const entry = location.pathname.startsWith('/auth/callback') ? 'callback.js' : 'main.js';
import(`${base}/${entry}`).catch((e) => {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.textContent = `The console could not be loaded: ${e.message}`;
  document.body.append(p);
});
