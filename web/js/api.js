// The JSON API client: CSRF header, error objects, retries for idempotent writes.

const BASE = '/api/v1';
const CSRF_KEY = 'fc-csrf';

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `The server answered ${status}.`);
    this.status = status;
    this.code = e.code || 'http_' + status;
    this.field = e.field || null;
    this.details = e.details || [];
  }
}

export class NetworkError extends Error {
  constructor() {
    super('Could not reach the server. Check your connection and try again.');
    this.code = 'network';
    this.status = 0;
  }
}

let unauthorizedHandler = () => {};
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

export function setCsrf(token) {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

export function hasCsrf() {
  return !!sessionStorage.getItem(CSRF_KEY);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * api('POST', '/projects', {body}) → parsed JSON (null for 204).
 * opts.raw: a Blob/string body sent as-is with opts.contentType.
 * opts.idempotencyKey: sent as Idempotency-Key; with opts.retries the
 * request is retried on network failure or 502/503/504 with the same key.
 */
export async function api(method, path, opts = {}) {
  const headers = { Accept: 'application/json' };
  let body;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['Content-Type'] = opts.contentType || 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  const retries = opts.retries || 0;
  for (let attempt = 0; ; attempt++) {
    let res;
    try {
      res = await fetch(BASE + path, { method, headers, body, credentials: 'same-origin', signal: opts.signal });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      if (attempt < retries) {
        await sleep(Math.min(8000, 400 * 2 ** attempt));
        continue;
      }
      throw new NetworkError();
    }
    if ([502, 503, 504].includes(res.status) && attempt < retries) {
      await sleep(Math.min(8000, 400 * 2 ** attempt));
      continue;
    }
    if (res.status === 204) return null;
    let data = null;
    const ct = res.headers.get('Content-Type') || '';
    if (ct.includes('json')) data = await res.json().catch(() => null);
    if (!res.ok) {
      const err = new ApiError(res.status, data);
      if (!opts.noAuthRedirect && (res.status === 401 || (res.status === 403 && err.code === 'csrf_failed'))) {
        unauthorizedHandler(err);
      }
      throw err;
    }
    return data;
  }
}

export const get = (path, opts) => api('GET', path, opts);
export const post = (path, body, opts = {}) => api('POST', path, { ...opts, body });
export const patch = (path, body, opts = {}) => api('PATCH', path, { ...opts, body });
export const put = (path, body, opts = {}) => api('PUT', path, { ...opts, body });
export const del = (path, opts) => api('DELETE', path, opts);

/**
 * upload('/assignments/7/media', blob, {contentType, onProgress}) → parsed JSON.
 * XMLHttpRequest, because fetch cannot report upload progress; errors are
 * ApiError/NetworkError like api(). Returns {promise, abort}.
 */
export function upload(path, blob, opts = {}) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', BASE + path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', opts.contentType || blob.type || 'application/octet-stream');
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.withCredentials = true;
    if (opts.onProgress) xhr.upload.onprogress = (e) => opts.onProgress(e.lengthComputable ? e.loaded / e.total : null, e.loaded);
    xhr.onerror = () => reject(new NetworkError());
    xhr.onabort = () => reject(new DOMException('Upload cancelled.', 'AbortError'));
    xhr.onload = () => {
      let data = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        /* not JSON: the status speaks */
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data);
      const err = new ApiError(xhr.status, data);
      if (xhr.status === 401 || (xhr.status === 403 && err.code === 'csrf_failed')) unauthorizedHandler(err);
      reject(err);
    };
    xhr.send(blob);
  });
  return { promise, abort: () => xhr.abort() };
}
