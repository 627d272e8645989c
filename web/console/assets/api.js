// Talking to /api/v1 and /FHIR/R5 (console.md §3): bearer token, refresh once on 401, uniform errors.
import { accessToken, refreshTokens, restartLogin } from './auth.js';

export class ApiError extends Error {
  constructor(status, message, { fields = null, list = null, requestId = null, body = null } = {}) {
    super(message);
    this.status = status;
    this.fields = fields; // {camelCaseField: "first message"} for 400 object bodies
    this.list = list; // array of strings for 400 array bodies
    this.requestId = requestId;
    this.body = body;
  }
}

function buildUrl(path, query) {
  let url = path.startsWith('/') || path.startsWith('http') ? path : `/api/v1/${path}`;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue;
      q.append(k, String(v));
    }
    const s = q.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  return url;
}

function errorFrom(status, body, headers) {
  const requestId = headers.get('X-Request-ID');
  if (body && body.resourceType === 'OperationOutcome') {
    const d = (body.issue || []).map((i) => i.diagnostics).find(Boolean);
    if (status >= 500) return new ApiError(status, `The server could not complete the request (request id ${requestId || 'unknown'}).`, { requestId, body });
    return new ApiError(status, d || `Request failed (HTTP ${status}).`, { requestId, body });
  }
  if (status === 400) {
    if (Array.isArray(body)) {
      return new ApiError(status, `Validation error(s): ${body.join('; ')}`, { list: body, requestId, body });
    }
    if (body && typeof body === 'object') {
      if (typeof body.detail === 'string' && Object.keys(body).length === 1) return new ApiError(status, body.detail, { requestId, body });
      const fields = {};
      const lines = [];
      for (const [k, v] of Object.entries(body)) {
        const first = Array.isArray(v) ? String(v[0]) : (typeof v === 'object' ? JSON.stringify(v) : String(v));
        fields[k] = first;
        lines.push(`${k} - ${first}`);
      }
      return new ApiError(status, lines.join('\n'), { fields, requestId, body });
    }
  }
  if (status === 429) {
    const n = headers.get('Retry-After') || '60';
    return new ApiError(status, `Too many requests, try again in ${n} seconds.`, { requestId, body });
  }
  if (status >= 500) {
    return new ApiError(status, `The server could not complete the request (request id ${requestId || 'unknown'}).`, { requestId, body });
  }
  const detail = body && typeof body === 'object' && typeof body.detail === 'string' ? body.detail
    : body && typeof body.error_description === 'string' ? body.error_description : null;
  const fallback = { 401: 'Your session has ended. Please log in again.', 403: 'You do not have permission to do this.', 404: 'Not found.' }[status];
  return new ApiError(status, detail || fallback || `Request failed (HTTP ${status}).`, { requestId, body });
}

// api('GET', 'patients', {query, body}) -> parsed JSON (undefined for empty bodies).
export async function api(method, path, { query, body, headers = {} } = {}) {
  const url = buildUrl(path, query);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const token = await accessToken();
    if (!token) { await restartLogin(); throw new ApiError(401, 'Your session has ended. Please log in again.'); }
    const h = { Authorization: `Bearer ${token}`, 'Cache-Control': 'no-cache', Accept: 'application/json', ...headers };
    let payload;
    if (body !== undefined) { h['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
    let res;
    try {
      res = await fetch(url, { method, headers: h, body: payload });
    } catch {
      throw new ApiError(0, 'The server could not complete the request (network error).');
    }
    if (res.status === 401 && attempt === 0) {
      if (await refreshTokens()) continue;
      await restartLogin();
      throw new ApiError(401, 'Your session has ended. Please log in again.');
    }
    const text = await res.text();
    let data;
    if (text.length) { try { data = JSON.parse(text); } catch { data = undefined; } }
    if (res.ok) return data;
    if (res.status === 401) { await restartLogin(); }
    throw errorFrom(res.status, data, res.headers);
  }
  throw new ApiError(401, 'Your session has ended. Please log in again.');
}

export const get = (path, query) => api('GET', path, { query });
export const post = (path, body, query) => api('POST', path, { body, query });
export const patch = (path, body, query) => api('PATCH', path, { body, query });
export const del = (path, body, query) => api('DELETE', path, { body, query });

// All rows of a paged list (up to `max`), following page numbers.
export async function getAll(path, query = {}, max = 5000) {
  const out = [];
  for (let page = 1; ; page += 1) {
    const r = await get(path, { ...query, page, pageSize: 1000 });
    out.push(...(r.results || []));
    if (!r.next || out.length >= max) return out;
  }
}
