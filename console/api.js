// api: the console's calls to the gateway's /v1 API, as any client makes
// them (docs/openapi.yaml): JSON in and out, the page's language in
// Accept-Language, and the session's CSRF token on every state-changing
// request (the browser adds Origin itself).  A failure is thrown as a
// Problem carrying the problem+json the gateway answered.

let csrfToken = null;
let language = "en";

export function setCsrfToken(token) {
  csrfToken = typeof token === "string" && token !== "" ? token : null;
}

export function setLanguage(lang) {
  language = lang;
}

export class Problem extends Error {
  // status 0: no answer at all (network, TLS, a refused connection).
  constructor(status, body, retryAfter, contentLanguage) {
    super(body && typeof body.title === "string" ? body.title : `status ${status}`);
    this.status = status;
    this.body = body && typeof body === "object" ? body : null;
    this.retryAfter = retryAfter;
    this.contentLanguage = contentLanguage;
  }

  get type() {
    return this.body && typeof this.body.type === "string" ? this.body.type : "";
  }

  is(slug) {
    return this.type === `urn:refgw:problem:${slug}`;
  }
}

const SAFE = new Set(["GET", "HEAD"]);

// options.headers: more request headers (If-Match, Idempotency-Key).
export async function call(method, path, body, options = {}) {
  const headers = {
    Accept: "application/json, application/problem+json",
    "Accept-Language": language,
    ...(options.headers || {}),
  };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (!SAFE.has(method) && csrfToken !== null) headers["X-CSRF-Token"] = csrfToken;
  let resp;
  try {
    resp = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error",
    });
  } catch {
    throw new Problem(0, null, null, null);
  }
  let data = null;
  const type = resp.headers.get("Content-Type") || "";
  if (resp.status !== 204 && /json/i.test(type)) {
    try {
      data = await resp.json();
    } catch {
      data = null;
    }
  }
  if (resp.ok) return data;
  throw new Problem(resp.status, data, resp.headers.get("Retry-After"),
    resp.headers.get("Content-Language"));
}
