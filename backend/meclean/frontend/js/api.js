// The one way the page talks to the server: JSON over fetch, with the CSRF header on
// every change and a clear error for anything that is not 2xx.

export class ApiError extends Error {
  constructor(status, detail) {
    const message = typeof detail === "string" ? detail : (detail?.message ?? `HTTP ${status}`);
    super(message);
    this.status = status;
    this.detail = detail;
  }
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)meclean_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export async function api(path, { method = "GET", body, query } = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
  }
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  const response = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const payload = response.headers.get("content-type")?.includes("json")
    ? await response.json()
    : await response.text();
  if (!response.ok) {
    if (response.status === 401 && path !== "/api/login") {
      window.dispatchEvent(new CustomEvent("meclean:signed-out"));
    }
    throw new ApiError(response.status, payload?.detail ?? payload);
  }
  return payload;
}

/** A render's address; `shared`: on the colour scale of the whole dataset. */
export function render(sampleId, kind, size, shared = false) {
  return `/api/samples/${sampleId}/render/${kind}?size=${size}${shared ? "&shared=true" : ""}`;
}
