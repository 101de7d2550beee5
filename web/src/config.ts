/** The runtime settings every page fetches from /config.json at start (never baked in at build). */
export interface VitrineConfig {
  brandName: string;
  region: string;
  apiUrl: string;
  websocketUrl: string;
  playbackUrl: string;
  userPoolId: string;
  userPoolClientId: string;
  cognitoEndpoint: string;
  /** The brand's IANA time zone (`vitrine:timeZone`): where recurring shows keep their hour. */
  timeZone: string;
}

const FIELDS = [
  "brandName",
  "region",
  "apiUrl",
  "websocketUrl",
  "playbackUrl",
  "userPoolId",
  "userPoolClientId",
  "cognitoEndpoint",
  "timeZone",
] as const satisfies readonly (keyof VitrineConfig)[];

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Checks the parsed JSON field by field so that a wrong deployment fails loudly at start. */
export function parseConfig(data: unknown): VitrineConfig {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ConfigError("config.json must be a JSON object");
  }
  const record = data as Record<string, unknown>;
  const wrong = FIELDS.filter((field) => typeof record[field] !== "string");
  if (wrong.length > 0) {
    throw new ConfigError(`config.json: missing or non-string ${wrong.join(", ")}`);
  }
  return Object.fromEntries(FIELDS.map((field) => [field, record[field]])) as unknown as VitrineConfig;
}

export async function loadConfig(url = "/config.json"): Promise<VitrineConfig> {
  let response: Response;
  try {
    response = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
  } catch (error) {
    throw new ConfigError(`cannot fetch ${url}: ${String(error)}`);
  }
  if (!response.ok) {
    throw new ConfigError(`cannot fetch ${url}: HTTP ${response.status}`);
  }
  return parseConfig(await response.json());
}
