// OAuth 2.0 authorization code + PKCE for the public client jhe-admin-ui (console.md §2).
// Tokens live in sessionStorage (per tab) under jhe.tokens; they are never logged or put in URLs.

export const KEY_TOKENS = 'jhe.tokens';
export const KEY_SIGNIN = 'jhe.signin';
export const KEY_ERROR = 'jhe.authError';
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

const settings = () => window.OIDCSettings;
const origin = () => window.location.origin;

function b64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
function b64urlDecode(s) {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}
function randomB64url(n) { return b64url(crypto.getRandomValues(new Uint8Array(n))); }
async function sha256b64url(text) {
  return b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

export function getTokens() {
  try { return JSON.parse(sessionStorage.getItem(KEY_TOKENS) || 'null'); } catch { return null; }
}
function saveTokens(t, previous) {
  const now = Date.now();
  const v = {
    access_token: t.access_token,
    refresh_token: t.refresh_token || previous?.refresh_token || null,
    id_token: t.id_token || previous?.id_token || null,
    expires_at: now + (Number(t.expires_in) || 3600) * 1000,
    scope: t.scope || previous?.scope || '',
  };
  sessionStorage.setItem(KEY_TOKENS, JSON.stringify(v));
  return v;
}
export function clearTokens() { sessionStorage.removeItem(KEY_TOKENS); }

export function authError() { return sessionStorage.getItem(KEY_ERROR); }
export function setAuthError(msg) { sessionStorage.setItem(KEY_ERROR, msg); }
export function clearAuthError() { sessionStorage.removeItem(KEY_ERROR); }

let discoveryCache = null;
async function discovery() {
  if (discoveryCache) return discoveryCache;
  const res = await fetch(`${origin()}/o/.well-known/openid-configuration`, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`The sign-in configuration could not be loaded (HTTP ${res.status}).`);
  discoveryCache = await res.json();
  return discoveryCache;
}
const tokenEndpoint = async () => { try { return (await discovery()).token_endpoint || `${origin()}/o/token/`; } catch { return `${origin()}/o/token/`; } };

// Step 2: start the flow. Never redirects while a sign-in error is stored (no redirect loops).
export async function startLogin(returnTo = location.pathname + location.search) {
  if (authError()) return false;
  try {
    const conf = await discovery();
    // The JWKS is fetched now too, so a broken key endpoint shows up before the password prompt.
    if (conf.jwks_uri) { const r = await fetch(conf.jwks_uri); if (!r.ok) throw new Error(`The signing keys could not be loaded (HTTP ${r.status}).`); }
    const state = randomB64url(16);
    const nonce = randomB64url(16);
    const verifier = randomB64url(32);
    const challenge = await sha256b64url(verifier);
    sessionStorage.setItem(KEY_SIGNIN, JSON.stringify({ state, nonce, verifier, returnTo }));
    const s = settings();
    const q = new URLSearchParams({
      client_id: s.client_id, redirect_uri: s.redirect_uri, response_type: 'code', scope: s.scope,
      state, nonce, code_challenge: challenge, code_challenge_method: 'S256', response_mode: s.response_mode,
    });
    const authz = conf.authorization_endpoint || `${origin()}/o/authorize/`;
    location.assign(`${authz}?${q.toString().replace(/\+/g, '%20')}`);
    return true;
  } catch (e) {
    setAuthError(e.message || String(e));
    return false;
  }
}

async function verifyIdToken(idToken, nonce) {
  if (!idToken) throw new Error('The server returned no ID token.');
  const parts = idToken.split('.');
  if (parts.length !== 3) throw new Error('The ID token is malformed.');
  let header, claims;
  try {
    header = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[0])));
    claims = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[1])));
  } catch { throw new Error('The ID token is malformed.'); }
  if (header.alg !== 'RS256') throw new Error('The ID token is not signed with RS256.');
  const conf = await discovery();
  const jwksRes = await fetch(conf.jwks_uri || `${origin()}/o/.well-known/jwks.json`);
  if (!jwksRes.ok) throw new Error('The signing keys could not be loaded.');
  const jwks = await jwksRes.json();
  const jwk = (jwks.keys || []).find((k) => k.kid === header.kid);
  if (!jwk) throw new Error('The ID token is signed with an unknown key.');
  const key = await crypto.subtle.importKey('jwk', { kty: jwk.kty, n: jwk.n, e: jwk.e, alg: 'RS256', ext: true },
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
  const ok = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, b64urlDecode(parts[2]),
    new TextEncoder().encode(`${parts[0]}.${parts[1]}`));
  if (!ok) throw new Error('The ID token signature is invalid.');
  if (claims.iss !== `${origin()}/o`) throw new Error('The ID token was issued by another server.');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(settings().client_id)) throw new Error('The ID token was issued to another client.');
  if (!(Number(claims.exp) * 1000 > Date.now())) throw new Error('The ID token has expired.');
  if (claims.nonce !== nonce) throw new Error('The ID token does not match this sign-in (nonce).');
  return claims;
}

export function idTokenClaims() {
  const t = getTokens();
  if (!t?.id_token) return null;
  try { return JSON.parse(new TextDecoder().decode(b64urlDecode(t.id_token.split('.')[1]))); } catch { return null; }
}

// Steps 4-6, on /auth/callback.
export async function handleCallback() {
  const p = new URLSearchParams(location.search);
  let saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(KEY_SIGNIN) || 'null'); } catch { saved = null; }
  const returnTo = saved?.returnTo && saved.returnTo.startsWith('/console') ? saved.returnTo : '/console/organizations';
  try {
    if (p.get('error')) throw new Error(p.get('error_description') || p.get('error'));
    if (!saved || !p.get('state') || p.get('state') !== saved.state) {
      throw new Error('The sign-in response does not match this browser session.');
    }
    const s = settings();
    const res = await fetch(await tokenEndpoint(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: p.get('code') || '', redirect_uri: s.redirect_uri, client_id: s.client_id, code_verifier: saved.verifier }),
    });
    let body = null;
    try { body = await res.json(); } catch { body = null; }
    if (!res.ok || !body?.access_token) {
      throw new Error(body?.error_description || body?.error || `The token endpoint answered HTTP ${res.status}.`);
    }
    await verifyIdToken(body.id_token, saved.nonce);
    saveTokens(body);
    sessionStorage.removeItem(KEY_SIGNIN);
    clearAuthError();
    location.replace(returnTo);
  } catch (e) {
    sessionStorage.removeItem(KEY_SIGNIN);
    setAuthError(e.message || String(e));
    location.replace(returnTo);
  }
}

// §2.1: refresh with rotation; one refresh at a time.
let refreshing = null;
export function refreshTokens() {
  if (!refreshing) refreshing = doRefresh().finally(() => { refreshing = null; });
  return refreshing;
}
async function doRefresh() {
  const t = getTokens();
  if (!t?.refresh_token) return false;
  try {
    const res = await fetch(await tokenEndpoint(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: settings().client_id }),
    });
    if (!res.ok) return false;
    const body = await res.json();
    if (!body.access_token) return false;
    saveTokens(body, t);
    return true;
  } catch { return false; }
}

// The current access token, refreshed when less than 5 minutes are left. null when signed out.
export async function accessToken() {
  let t = getTokens();
  if (!t) return null;
  if (t.expires_at - Date.now() < REFRESH_MARGIN_MS && t.refresh_token) {
    await refreshTokens();
    t = getTokens();
  }
  return t?.access_token || null;
}

// When the session cannot be kept: clear tokens and log in again, returning here afterwards.
export function restartLogin() {
  clearTokens();
  return startLogin(location.pathname + location.search);
}

// §2.2
export async function logout() {
  const t = getTokens();
  const s = settings();
  let endpoint = `${origin()}/o/revoke_token/`;
  try { endpoint = (await discovery()).revocation_endpoint || endpoint; } catch { /* default */ }
  for (const [token, hint] of [[t?.refresh_token, 'refresh_token'], [t?.access_token, 'access_token']]) {
    if (!token) continue;
    try {
      await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, token_type_hint: hint, client_id: s.client_id }) });
    } catch { /* the server session ends anyway */ }
  }
  sessionStorage.clear();
  location.assign('/accounts/logout/?next=/');
}
