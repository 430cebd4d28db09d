// router.mjs: the front of the local workerd run (scripts/worker) when it also
// serves static files. /api/ goes to the Go Worker (binding API); everything else
// is read from the folder of the disk service (binding STATIC). On Cloudflare the
// [assets] of wrangler.toml do this job, so this file is never deployed.

// Content types by extension; `compress` ones are sent gzip-compressed to a client
// that accepts it (workerd compresses a body whose Response says Content-Encoding: gzip).
const TYPES = {
  ".wasm": ["application/wasm", true],
  ".js": ["text/javascript; charset=utf-8", true],
  ".mjs": ["text/javascript; charset=utf-8", true],
  ".css": ["text/css; charset=utf-8", true],
  ".html": ["text/html; charset=utf-8", true],
  ".json": ["application/json; charset=utf-8", true],
  ".svg": ["image/svg+xml", true],
  ".txt": ["text/plain; charset=utf-8", true],
  ".png": ["image/png", false],
  ".ico": ["image/x-icon", false],
  ".woff2": ["font/woff2", false],
};

function acceptsGzip(request) {
  const ae = request.headers.get("Accept-Encoding") || "";
  return ae.split(",").some((part) => {
    const [coding, q] = part.trim().split(";").map((s) => s.trim());
    return (coding.toLowerCase() === "gzip" || coding === "*") && !/^q=0(\.0*)?$/.test(q || "");
  });
}

function notFound(path) {
  return new Response(`not found: ${path}\n`, {
    status: 404,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/api/")) {
      return env.API.fetch(request);
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { Allow: "GET, HEAD" } });
    }
    let path = url.pathname;
    if (path.endsWith("/")) path += "index.html";
    const dot = path.lastIndexOf(".");
    const ext = dot > path.lastIndexOf("/") ? path.slice(dot).toLowerCase() : "";
    const read = (p) => env.STATIC.fetch(new URL(p, "http://static/"), { method: "GET" });
    if (ext === "") {
      // a folder without its slash: send the browser to the slash form
      const index = await read(path + "/index.html");
      if (index.ok) {
        await index.body?.cancel();
        return Response.redirect(new URL(path + "/", url).toString(), 301);
      }
    }
    const file = await read(path);
    // (workerd's disk service lists a folder as JSON; a folder is not a file here)
    if (!file.ok || (ext === "" && file.headers.get("Content-Type")?.startsWith("application/json"))) {
      await file.body?.cancel();
      return notFound(url.pathname);
    }
    const [type, compress] = TYPES[ext] || ["application/octet-stream", false];
    const headers = new Headers({ "Content-Type": type, "Cache-Control": "no-cache" });
    if (compress) {
      headers.set("Vary", "Accept-Encoding");
      if (acceptsGzip(request)) headers.set("Content-Encoding", "gzip");
    }
    return new Response(request.method === "HEAD" ? null : file.body, { status: 200, headers });
  },
};
