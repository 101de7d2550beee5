/**
 * Host console: staff sign-in (Cognito USER_PASSWORD_AUTH), the show list, and the show's
 * WebSocket opened as staff. Test contract (on <body>): data-config-state, data-auth-state
 * (signed-out|signed-in), data-staff-role, data-shows-state (loading|ready|error), data-show-id,
 * data-socket-state.
 */
import { ShowsApi, type Show } from "./api";
import { currentSession, signIn, SignInError, signOut, type StaffSession } from "./cognito";
import { loadConfig, type VitrineConfig } from "./config";
import { applyBrand, byId, formatStart } from "./dom";
import { ShowSocket, webSocketUrl, type SocketState } from "./socket";

const body = document.body;
let socket: ShowSocket | null = null;

const SOCKET_LABELS: Record<SocketState, string> = {
  connecting: "connecting…",
  open: "connected",
  closed: "disconnected (retrying)",
};

function notice(text: string): void {
  const element = byId("console-notice");
  element.textContent = text;
  element.hidden = text === "";
}

function closeRoom(): void {
  socket?.stop();
  socket = null;
  byId("show-room").hidden = true;
  delete body.dataset.showId;
  delete body.dataset.socketState;
}

function openRoom(config: VitrineConfig, session: StaffSession, show: Show): void {
  closeRoom();
  body.dataset.showId = show.show_id;
  byId("show-room-heading").textContent = show.title;
  byId("show-room").hidden = false;
  const url = webSocketUrl(config.websocketUrl);
  url.searchParams.set("show", show.show_id);
  url.searchParams.set("viewer", `staff-${session.username}`.replace(/[^A-Za-z0-9_.:#@-]/g, "_"));
  url.searchParams.set("device", "desktop");
  url.searchParams.set("source", "host-console");
  url.searchParams.set("token", session.idToken);
  socket = new ShowSocket({
    url: url.href,
    onStateChange: (state) => (byId("socket-label").textContent = SOCKET_LABELS[state]),
  });
  socket.start();
}

function showItem(show: Show, onOpen: () => void): HTMLLIElement {
  const item = document.createElement("li");
  item.dataset.showId = show.show_id;
  const title = document.createElement("strong");
  title.textContent = show.title;
  const meta = document.createElement("span");
  meta.className = "muted";
  meta.textContent = `${show.status} · ${formatStart(show.starts_at)}`;
  const open = document.createElement("button");
  open.type = "button";
  open.textContent = "Open";
  open.setAttribute("aria-label", `Open ${show.title}`);
  open.addEventListener("click", onOpen);
  item.append(title, meta, open);
  return item;
}

async function listShows(config: VitrineConfig, session: StaffSession): Promise<void> {
  body.dataset.showsState = "loading";
  const api = new ShowsApi(config.apiUrl);
  let shows: Show[];
  try {
    shows = [...(await api.listShows("live")), ...(await api.listShows("scheduled"))];
  } catch (error) {
    console.warn("[vitrine] cannot list shows", error);
    body.dataset.showsState = "error";
    notice("The show list is unavailable right now.");
    return;
  }
  const list = byId("show-list");
  list.replaceChildren(...shows.map((show) => showItem(show, () => openRoom(config, session, show))));
  if (shows.length === 0) {
    const empty = document.createElement("li");
    empty.textContent = "No live or scheduled show.";
    list.append(empty);
  }
  body.dataset.showsState = "ready";
  const requested = new URLSearchParams(location.search).get("show");
  const initial = shows.find((show) => show.show_id === requested);
  if (initial) openRoom(config, session, initial);
}

function enterConsole(config: VitrineConfig, session: StaffSession): void {
  body.dataset.authState = "signed-in";
  body.dataset.staffRole = session.role ?? "none";
  const identity = byId("staff-identity");
  identity.textContent = `${session.username} · ${session.role ?? "no staff role"}`;
  identity.hidden = false;
  byId("sign-out").hidden = false;
  byId("sign-in").hidden = true;
  byId("shows").hidden = false;
  notice(session.role ? "" : "This account is in no staff group (admin, host, moderator).");
  void listShows(config, session);
}

function leaveConsole(): void {
  closeRoom();
  signOut();
  body.dataset.authState = "signed-out";
  delete body.dataset.staffRole;
  delete body.dataset.showsState;
  byId("staff-identity").hidden = true;
  byId("sign-out").hidden = true;
  byId("shows").hidden = true;
  byId("show-list").replaceChildren();
  byId("sign-in").hidden = false;
  notice("");
  byId<HTMLInputElement>("username").focus();
}

function wireSignIn(config: VitrineConfig): void {
  const form = byId<HTMLFormElement>("sign-in-form");
  const error = byId("sign-in-error");
  const submit = form.querySelector<HTMLButtonElement>("button[type=submit]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    error.textContent = "";
    if (submit) submit.disabled = true;
    try {
      const session = await signIn(
        config.cognitoEndpoint,
        config.userPoolClientId,
        String(data.get("username") ?? "").trim(),
        String(data.get("password") ?? ""),
      );
      form.reset();
      enterConsole(config, session);
    } catch (caught) {
      error.textContent = caught instanceof SignInError ? caught.message : "sign-in failed";
      if (!(caught instanceof SignInError)) console.error("[vitrine] sign-in", caught);
    } finally {
      if (submit) submit.disabled = false;
    }
  });
  byId("sign-out").addEventListener("click", leaveConsole);
}

async function main(): Promise<void> {
  let config: VitrineConfig;
  try {
    config = await loadConfig();
  } catch (error) {
    console.error("[vitrine]", error);
    body.dataset.configState = "error";
    notice("The site configuration could not be loaded.");
    byId<HTMLFormElement>("sign-in-form").inert = true;
    return;
  }
  body.dataset.configState = "ready";
  applyBrand(config.brandName, "Host console");
  wireSignIn(config);
  const session = currentSession();
  if (session) enterConsole(config, session);
}

void main();
