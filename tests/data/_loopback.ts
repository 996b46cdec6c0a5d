// A loopback HTTP server for the fetch tests: serves files (with HTTP Range), and can corrupt, drop or refuse.

/** How the server misbehaves for one file. */
export interface Fault {
  /** Serve the file with one byte changed. */
  corrupt?: boolean;
  /** For the first `drops` requests, send half the asked-for bytes and then break the connection. */
  drops?: number;
  /** Answer every request with the whole file (status 200), ignoring Range. */
  ignoreRange?: boolean;
  /** For the first `fails` requests, answer with this status instead. */
  status?: number;
  fails?: number;
}

/** One request the server saw. */
export interface SeenRequest {
  /** The path, e.g. `/train-images-idx3-ubyte.gz`. */
  path: string;
  /** The Range header, when sent. */
  range: string | null;
}

/** A running loopback server. */
export interface Loopback extends AsyncDisposable {
  /** Its base URL, `http://127.0.0.1:<port>/`. */
  url: string;
  /** Every request so far, in order. */
  requests: SeenRequest[];
}

const DROPPED = "connection dropped on purpose";

/** Serves `files` (name → bytes) on 127.0.0.1 at a free port, misbehaving as `faults` says. */
export function serveFiles(files: Map<string, Uint8Array>, faults: Record<string, Fault> = {}): Loopback {
  const requests: SeenRequest[] = [];
  const counts = new Map<string, number>();
  const onError = (error: unknown) => {
    // a body that breaks on purpose is reported here; anything else is a bug in the test
    if (!(error instanceof Error && error.message === DROPPED)) console.error(error);
    return new Response(null, { status: 500 });
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {}, onError }, (request) => {
    const path = new URL(request.url).pathname;
    const range = request.headers.get("range");
    requests.push({ path, range });
    const name = path.slice(1);
    const original = files.get(name);
    if (original === undefined) return new Response("not found", { status: 404 });
    const fault = faults[name] ?? {};
    const seen = (counts.get(name) ?? 0) + 1;
    counts.set(name, seen);
    if (fault.status !== undefined && seen <= (fault.fails ?? Infinity)) {
      return new Response("no", { status: fault.status });
    }
    let bytes = original;
    if (fault.corrupt) {
      bytes = original.slice();
      bytes[bytes.length >> 1] ^= 0xff;
    }
    const match = range === null || fault.ignoreRange ? null : /^bytes=(\d+)-$/.exec(range);
    const start = match === null ? 0 : Number(match[1]);
    if (start >= bytes.length && match !== null) {
      return new Response(null, { status: 416, headers: { "content-range": `bytes */${bytes.length}` } });
    }
    const body = bytes.subarray(start);
    const headers: Record<string, string> = {
      "content-type": "application/gzip",
      "content-length": String(body.length),
    };
    if (match !== null) headers["content-range"] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    const status = match !== null ? 206 : 200;
    if (seen <= (fault.drops ?? 0)) {
      // half the bytes, then the connection breaks (the body stream errors, so the server resets it)
      const half = body.subarray(0, Math.max(1, body.length >> 1));
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(half.slice());
        },
        async pull(controller) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          controller.error(new Error(DROPPED));
        },
      });
      return new Response(stream, { status, headers });
    }
    return new Response(body.slice(), { status, headers });
  });
  const address = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    requests,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** The SHA-256 of `bytes`, lowercase hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
