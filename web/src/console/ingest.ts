/**
 * The host's encoder settings from the REST API: `GET /studio/ingest` with the staff ID token
 * (functions/cart/app.py). Hosts and admins get the server and the stream key; everyone else,
 * and a deployment that cannot answer, gets a message that says why.
 */

/** Where OBS or a phone app publishes: the server URL and the stream key (a secret). */
export interface IngestDetails {
  server: string;
  streamKey: string;
}

export class IngestError extends Error {
  override name = "IngestError";
  constructor(
    message: string,
    /** The HTTP status; 0 when the API could not be reached. */
    readonly status: number,
  ) {
    super(message);
  }
}

export async function fetchIngest(apiUrl: string, idToken: string): Promise<IngestDetails> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl.replace(/\/+$/, "")}/studio/ingest`, {
      cache: "no-store",
      headers: { Accept: "application/json", Authorization: idToken },
    });
  } catch {
    throw new IngestError("The API cannot be reached right now: check the connection and try again.", 0);
  }
  const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (!response.ok) {
    // The API answers {code, message}; API Gateway's own refusals {message}.
    const message = body?.message;
    throw new IngestError(
      typeof message === "string" && message ? message : `The stream settings are unavailable (HTTP ${response.status}).`,
      response.status,
    );
  }
  if (typeof body?.server !== "string" || typeof body?.stream_key !== "string") {
    throw new IngestError("The API answered without a server and a stream key.", response.status);
  }
  return { server: reachableServer(body.server), streamKey: body.stream_key };
}

/**
 * A local ingest that listens on every interface (`make dev ARGS="--source rtmp --rtmp-host
 * 0.0.0.0"`) is reached at the address this page was loaded from, e.g. by a phone on the LAN.
 */
export function reachableServer(server: string): string {
  return server.replace(/^(rtmps?:\/\/)0\.0\.0\.0(?=[:/])/, `$1${location.hostname}`);
}
