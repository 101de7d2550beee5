/**
 * Host console: staff sign-in (Cognito USER_PASSWORD_AUTH), the show list, and one show's
 * console (console/room.ts) over the show's WebSocket opened as staff. Test contract (on
 * <body>): data-config-state, data-auth-state (signed-out|signed-in), data-staff-role,
 * data-shows-state (loading|ready|error), data-show-id, data-socket-state, and the room's own
 * (console/room.ts).
 */
import { ShowsApi, type Show } from "./api";
import { signIn, SignInError, signOut, type StaffSession, validSession } from "./cognito";
import { loadConfig, type VitrineConfig } from "./config";
import { ConsoleRoom } from "./console/room";
import { Toasts } from "./console/toasts";
import { applyBrand, byId, formatStart } from "./dom";

const body = document.body;
let room: ConsoleRoom | null = null;
// Each opened show gets a fresh copy of the room's markup: no listener or row of the previous
// show survives in it.
const pristineRoom = byId("show-room").cloneNode(true) as HTMLElement;
const toasts = new Toasts(byId("toasts"));

function notice(text: string): void {
  const element = byId("console-notice");
  element.textContent = text;
  element.hidden = text === "";
}

function closeRoom(): void {
  room?.stop();
  room = null;
  toasts.clear();
  byId("show-room").replaceWith(pristineRoom.cloneNode(true));
  delete body.dataset.showId;
  delete body.dataset.socketState;
}

function backToShows(config: VitrineConfig, session: StaffSession): void {
  closeRoom();
  history.replaceState(null, "", location.pathname);
  byId("shows").hidden = false;
  void listShows(config, session);
}

function openRoom(config: VitrineConfig, session: StaffSession, show: Show): void {
  closeRoom();
  byId("shows").hidden = true;
  history.replaceState(null, "", `${location.pathname}?show=${encodeURIComponent(show.show_id)}`);
  const onSignInExpired = () => {
    leaveConsole(); // the show stays in the address: signing in again reopens it
    notice("Your sign-in has expired: sign in again to go back to the show.");
  };
  room = new ConsoleRoom({ config, session, show, toasts, onSignInExpired });
  byId("room-back").addEventListener("click", () => backToShows(config, session));
  room.start();
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
  if (initial && room === null) openRoom(config, session, initial);
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
  if (submit) submit.disabled = false;
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
  let session: StaffSession | null = null;
  try {
    session = await validSession(config.cognitoEndpoint, config.userPoolClientId);
  } catch (error) {
    console.warn("[vitrine] cannot renew the sign-in", error); // signing in again works
  }
  if (session) enterConsole(config, session);
}

void main();
