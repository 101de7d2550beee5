/**
 * Staff sign-in against Cognito's InitiateAuth (USER_PASSWORD_AUTH) with one fetch: no AWS SDK.
 * The same call works against the embedded Cognito of the local runtime (cognitoEndpoint).
 * The ID token lasts an hour and a show can last longer: the refresh token (30 days) gets a new
 * one (REFRESH_TOKEN_AUTH) before the console reconnects, so nobody signs in again mid-show.
 */

export type StaffRole = "admin" | "host" | "moderator";

/** Highest privilege first, as the server picks it (functions/common/auth.py). */
const ROLE_ORDER: readonly StaffRole[] = ["admin", "host", "moderator"];
const TOKEN_KEY = "vitrine.idToken";
const REFRESH_KEY = "vitrine.refreshToken";
/** A token this close to its expiry is renewed first: it must outlive the WebSocket handshake. */
const RENEW_MARGIN_SECONDS = 300;

export interface StaffSession {
  idToken: string;
  username: string;
  role: StaffRole | null;
  groups: string[];
  /** Expiry, epoch seconds. */
  expiresAt: number;
}

export class SignInError extends Error {
  override name = "SignInError";
  constructor(
    message: string,
    /** Cognito's exception name, e.g. NotAuthorizedException; "" for network failures. */
    readonly code: string,
  ) {
    super(message);
  }
}

const FRIENDLY: Record<string, string> = {
  NotAuthorizedException: "wrong username or password",
  UserNotFoundException: "wrong username or password",
  UserNotConfirmedException: "this account is not confirmed yet",
  PasswordResetRequiredException: "a password reset is required: ask an admin",
  TooManyRequestsException: "too many attempts: wait a moment and try again",
  LimitExceededException: "too many attempts: wait a moment and try again",
};

interface InitiateAuthResponse {
  AuthenticationResult?: { IdToken?: string; RefreshToken?: string };
  ChallengeName?: string;
}

export async function signIn(
  endpoint: string,
  clientId: string,
  username: string,
  password: string,
): Promise<StaffSession> {
  return initiateAuth(endpoint, clientId, "USER_PASSWORD_AUTH", { USERNAME: username, PASSWORD: password });
}

/**
 * A session whose token is valid for a few more minutes: the stored one, or a new token from
 * the refresh token. Null when the staff member must sign in again (no refresh token, or
 * Cognito refused it: expired, revoked, user disabled). Throws SignInError when Cognito cannot
 * be reached: try again later.
 */
export async function validSession(
  endpoint: string,
  clientId: string,
  now: number = Date.now() / 1000,
): Promise<StaffSession | null> {
  const stored = currentSession(now);
  if (stored && stored.expiresAt - RENEW_MARGIN_SECONDS > now) return stored;
  const refreshToken = sessionStorage.getItem(REFRESH_KEY);
  if (!refreshToken) return stored;
  try {
    return await initiateAuth(endpoint, clientId, "REFRESH_TOKEN_AUTH", { REFRESH_TOKEN: refreshToken });
  } catch (error) {
    if (error instanceof SignInError && error.code === "") throw error;
    signOut(); // refused: only a new sign-in helps
    return null;
  }
}

async function initiateAuth(
  endpoint: string,
  clientId: string,
  flow: "USER_PASSWORD_AUTH" | "REFRESH_TOKEN_AUTH",
  parameters: Record<string, string>,
): Promise<StaffSession> {
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
      },
      body: JSON.stringify({ AuthFlow: flow, ClientId: clientId, AuthParameters: parameters }),
    });
  } catch {
    throw new SignInError("cannot reach the sign-in service", "");
  }
  const body = (await response.json().catch(() => ({}))) as InitiateAuthResponse & {
    __type?: string;
    message?: string;
  };
  if (!response.ok) {
    // `__type` may carry a namespace: "com.amazonaws...#NotAuthorizedException".
    const code = (body.__type ?? "").split("#").pop() ?? "";
    throw new SignInError(FRIENDLY[code] ?? body.message ?? `sign-in failed (HTTP ${response.status})`, code);
  }
  if (body.ChallengeName) {
    const message =
      body.ChallengeName === "NEW_PASSWORD_REQUIRED"
        ? "this account needs a new password: ask an admin to set one"
        : `sign-in needs a step this console does not support (${body.ChallengeName})`;
    throw new SignInError(message, body.ChallengeName);
  }
  const idToken = body.AuthenticationResult?.IdToken;
  if (!idToken) throw new SignInError("the sign-in service returned no token", "NoToken");
  const session = sessionFromToken(idToken);
  if (!session) throw new SignInError("the sign-in service returned an unreadable token", "NoToken");
  sessionStorage.setItem(TOKEN_KEY, idToken);
  // A refresh answers without a new refresh token: the stored one stays valid.
  const refreshToken = body.AuthenticationResult?.RefreshToken;
  if (refreshToken) sessionStorage.setItem(REFRESH_KEY, refreshToken);
  return session;
}

/** The claims of a JWT, undecoded signature: display only, the server verifies. */
export function decodeJwtPayload(token: string): Record<string, unknown> | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const base64 = payload
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(payload.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function sessionFromToken(idToken: string): StaffSession | null {
  const claims = decodeJwtPayload(idToken);
  if (!claims) return null;
  const groups = Array.isArray(claims["cognito:groups"])
    ? claims["cognito:groups"].filter((group): group is string => typeof group === "string")
    : [];
  const username = [claims["cognito:username"], claims["username"], claims["sub"]].find(
    (value): value is string => typeof value === "string",
  );
  return {
    idToken,
    username: username ?? "unknown",
    role: ROLE_ORDER.find((role) => groups.includes(role)) ?? null,
    groups,
    expiresAt: typeof claims["exp"] === "number" ? claims["exp"] : 0,
  };
}

/** The stored session if its token has not expired (with a minute of margin). */
export function currentSession(now: number = Date.now() / 1000): StaffSession | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const session = token ? sessionFromToken(token) : null;
  if (!session || session.expiresAt - 60 <= now) {
    sessionStorage.removeItem(TOKEN_KEY); // the refresh token may still get a new one
    return null;
  }
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(REFRESH_KEY);
}
