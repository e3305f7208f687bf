// The REST API seen from the page: every call carries the bearer token; failures become ApiError
// so that each panel can tell "not for your role" (403/404) from a real fault.

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

// FastAPI's `detail` is a string for our errors and a list of problems for validation ones.
function describe(body, status) {
  const detail = body && body.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
  return `HTTP ${status}`;
}

export function client(token) {
  async function send(method, path, body) {
    const init = { method, headers: { Authorization: `Bearer ${token}` } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      throw new ApiError(response.status, describe(data, response.status));
    }
    return response;
  }

  async function call(method, path, body) {
    const response = await send(method, path, body);
    return response.status === 204 ? null : response.json().catch(() => null);
  }

  // Lists come in pages of at most 500; a board wants them whole.
  async function all(path) {
    const items = [];
    for (let offset = 0; ; offset += 500) {
      const sep = path.includes("?") ? "&" : "?";
      const page = await call("GET", `${path}${sep}offset=${offset}&limit=500`);
      items.push(...page.items);
      if (items.length >= page.total || page.items.length === 0) return items;
    }
  }

  return {
    get: (path) => call("GET", path),
    post: (path, body = {}) => call("POST", path, body),
    put: (path, body) => call("PUT", path, body),
    // a file (CSV) as a Blob: a plain link could not carry the token
    blob: async (path) => (await send("GET", path)).blob(),
    all,
  };
}
