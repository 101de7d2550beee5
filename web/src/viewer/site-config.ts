/**
 * The viewer page's settings: config.json's shared fields (../config.ts checks them), plus the
 * origins whose pages may embed the show and exchange events with it (`allowedOrigins`, the
 * brand's `vitrine:allowedOrigins`). A config.json that does not list them allows any origin,
 * as the platform's default `["*"]` does.
 */
import { ConfigError, parseConfig, type VitrineConfig } from "../config";

export interface ViewerConfig {
  config: VitrineConfig;
  allowedOrigins: string[];
}

const ANY_ORIGIN = ["*"];

export function parseAllowedOrigins(value: unknown): string[] {
  if (value === undefined || value === null) return ANY_ORIGIN;
  if (!Array.isArray(value) || !value.every((origin) => typeof origin === "string")) {
    throw new ConfigError("config.json: allowedOrigins must be a list of origins");
  }
  return value.map((origin) => origin.replace(/\/+$/, ""));
}

export async function loadViewerConfig(url = "/config.json"): Promise<ViewerConfig> {
  let response: Response;
  try {
    response = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
  } catch (error) {
    throw new ConfigError(`cannot fetch ${url}: ${String(error)}`);
  }
  if (!response.ok) throw new ConfigError(`cannot fetch ${url}: HTTP ${response.status}`);
  const data: unknown = await response.json();
  const config = parseConfig(data);
  return { config, allowedOrigins: parseAllowedOrigins((data as Record<string, unknown>).allowedOrigins) };
}
