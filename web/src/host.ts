/**
 * Host console: staff sign-in (Cognito USER_PASSWORD_AUTH), then the console's screens: Shows
 * (live, upcoming, replays; a show's editor and rundown), Products (stock) and Promos; and one
 * show's room (console/room.ts) over the show's WebSocket opened as staff. Test contract (on
 * <body>): data-config-state, data-auth-state (signed-out|signed-in), data-staff-role,
 * data-console-screen (shows|show|products|promos), data-shows-state (loading|ready|error),
 * data-show-id, data-socket-state, and the room's own (console/room.ts).
 */
import { signIn, SignInError, signOut, type StaffSession, validSession } from "./cognito";
import { loadConfig, type VitrineConfig } from "./config";
import { CatalogApi, type RoomShow, type StaffShow } from "./console/catalog/api";
import { ProductsScreen } from "./console/catalog/products";
import { PromosScreen } from "./console/catalog/promos";
import { ShowEditor } from "./console/catalog/show-editor";
import { ShowsScreen } from "./console/catalog/shows";
import { canUse } from "./console/roles";
import { ConsoleRoom } from "./console/room";
import { Toasts } from "./console/toasts";
import { applyBrand, byId } from "./dom";

type Screen = "shows" | "show" | "products" | "promos";
const SCREEN_SECTIONS: Record<Screen, string> = {
  shows: "shows",
  show: "show-editor",
  products: "products",
  promos: "promos",
};
const NAVIGABLE: readonly Screen[] = ["shows", "products", "promos"];

const body = document.body;
let room: ConsoleRoom | null = null;
// Each opened show gets a fresh copy of the room's markup: no listener or row of the previous
// show survives in it. The screens likewise start afresh at each sign-in (another role).
const pristineRoom = byId("show-room").cloneNode(true) as HTMLElement;
const pristineScreens = new Map(Object.values(SCREEN_SECTIONS).map((id) => [id, byId(id).cloneNode(true) as HTMLElement]));
const toasts = new Toasts(byId("toasts"));

/** The screens of one signed-in staff member. */
interface Signed {
  config: VitrineConfig;
  session: StaffSession;
  api: CatalogApi;
  shows: ShowsScreen;
  editor: ShowEditor;
  products: ProductsScreen;
  promos: PromosScreen;
}

let signed: Signed | null = null;

function notice(text: string): void {
  const element = byId("console-notice");
  element.textContent = text;
  element.hidden = text === "";
}

// --- screens -----------------------------------------------------------------------------------

function showScreen(screen: Screen, { focus = false, load = true } = {}): void {
  if (!signed) return;
  body.dataset.consoleScreen = screen;
  for (const [name, id] of Object.entries(SCREEN_SECTIONS)) byId(id).hidden = name !== screen;
  byId("console-nav").hidden = false;
  const current = screen === "show" ? "shows" : screen;
  for (const button of document.querySelectorAll<HTMLButtonElement>("#console-nav [data-screen]")) {
    if (button.dataset.screen === current) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
  if (screen !== "show") {
    const query = screen === "shows" ? "" : `?screen=${screen}`;
    history.replaceState(null, "", `${location.pathname}${query}`);
  }
  if (load && screen === "shows") void listShows(signed, null);
  if (load && screen === "products") signed.products.show();
  if (load && screen === "promos") signed.promos.show();
  if (focus) byId(`${SCREEN_SECTIONS[screen]}-heading`).focus();
}

function wireNavigation(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("#console-nav [data-screen]")) {
    button.addEventListener("click", async () => {
      const screen = button.dataset.screen as Screen;
      // The editor asks first when leaving it would lose a rundown's new order.
      if (body.dataset.consoleScreen === "show" && signed && !(await signed.editor.close())) return;
      showScreen(screen, { focus: true });
    });
  }
}

function hideScreens(): void {
  for (const id of Object.values(SCREEN_SECTIONS)) byId(id).hidden = true;
  byId("console-nav").hidden = true;
  delete body.dataset.consoleScreen;
}

// --- the room ----------------------------------------------------------------------------------

function closeRoom(): void {
  room?.stop();
  room = null;
  toasts.clear();
  byId("show-room").replaceWith(pristineRoom.cloneNode(true));
  delete body.dataset.showId;
  delete body.dataset.socketState;
}

function backToShows(): void {
  closeRoom();
  showScreen("shows", { focus: true });
}

function openRoom(state: Signed, show: RoomShow): void {
  closeRoom();
  hideScreens();
  history.replaceState(null, "", `${location.pathname}?show=${encodeURIComponent(show.show_id)}`);
  room = new ConsoleRoom({
    config: state.config,
    session: state.session,
    show,
    toasts,
    api: state.api,
    onSignInExpired: signInExpired,
  });
  byId("room-back").addEventListener("click", backToShows);
  room.start();
}

/** The sign-in can no longer be renewed. An open show stays in the address: signing in again
 * reopens it. */
function signInExpired(): void {
  if (!signed) return;
  const inRoom = room !== null;
  leaveConsole({ keepAddress: true });
  notice(inRoom ? "Your sign-in has expired: sign in again to go back to the show." : "Your sign-in has expired: sign in again.");
}

/** Lists the shows; `reopen`: a show to open the room of (the address had it). */
async function listShows(state: Signed, reopen: string | null): Promise<void> {
  let rooms: RoomShow[];
  try {
    rooms = await state.shows.load();
  } catch (error) {
    console.warn("[vitrine] cannot list shows", error);
    notice(`The show list is unavailable right now: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (signed !== state) return;
  notice(state.session.role ? "" : "This account is in no staff group (admin, host, moderator).");
  const initial = rooms.find((show) => show.show_id === reopen);
  if (initial && room === null) openRoom(state, initial);
}

// --- signing in and out ------------------------------------------------------------------------

function enterConsole(config: VitrineConfig, session: StaffSession): void {
  body.dataset.authState = "signed-in";
  body.dataset.staffRole = session.role ?? "none";
  const identity = byId("staff-identity");
  identity.textContent = `${session.username} · ${session.role ?? "no staff role"}`;
  identity.hidden = false;
  byId("sign-out").hidden = false;
  byId("sign-in").hidden = true;
  notice(session.role ? "" : "This account is in no staff group (admin, host, moderator).");

  const token = async (): Promise<string | null> =>
    (await validSession(config.cognitoEndpoint, config.userPoolClientId))?.idToken ?? null;
  const api = new CatalogApi(config.apiUrl, token, signInExpired);
  const role = session.role;
  const mayEdit = canUse(role, "edit_catalog");
  const state: Signed = {
    config,
    session,
    api,
    shows: new ShowsScreen(api, {
      mayEdit,
      onOpenRoom: (show) => openRoom(state, show),
      onEdit: (show) => {
        showScreen("show", { load: false });
        void state.editor.open(show);
      },
    }),
    editor: new ShowEditor(api, toasts, {
      timeZone: config.timeZone,
      onSaved: (show) => state.shows.upsert(show),
      // The list already holds what the editor changed: no reload (a CDN may lag behind).
      onClose: () => showScreen("shows", { focus: true, load: false }),
    }),
    products: new ProductsScreen(api, toasts, mayEdit),
    promos: new PromosScreen(api, toasts, { mayCreate: mayEdit, shows: () => showsForPromos(api) }),
  };
  signed = state;
  // Read before showing a screen rewrites the address: `?show=` reopens that show's room
  // (after a sign-in that expired in it), `?screen=` the screen left.
  const params = new URLSearchParams(location.search);
  const reopen = params.get("show");
  const requested = params.get("screen") as Screen | null;
  const screen = requested && NAVIGABLE.includes(requested) ? requested : "shows";
  showScreen(screen, { load: screen !== "shows" });
  if (screen === "shows" || reopen !== null) void listShows(state, reopen);
}

/** The shows a promo can be tied to, and the rooms (live or upcoming) it can be pushed to. */
async function showsForPromos(api: CatalogApi): Promise<{ rooms: StaffShow[]; all: StaffShow[] }> {
  const lists = await api.listShowsIn(["live", "upcoming", "replays"] as const);
  const rooms = [...(lists.get("live") ?? []), ...(lists.get("upcoming") ?? [])];
  return { rooms, all: [...rooms, ...(lists.get("replays") ?? [])] };
}

/** Signs out. Signing out on purpose forgets the screen and the show in the address (the next
 * person starts afresh); an expired sign-in keeps them, to go back there. */
function leaveConsole({ keepAddress = false } = {}): void {
  closeRoom();
  if (!keepAddress) history.replaceState(null, "", location.pathname);
  signOut();
  signed = null;
  hideScreens();
  for (const [id, pristine] of pristineScreens) byId(id).replaceWith(pristine.cloneNode(true));
  body.dataset.authState = "signed-out";
  delete body.dataset.staffRole;
  delete body.dataset.showsState;
  byId("staff-identity").hidden = true;
  byId("sign-out").hidden = true;
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
  byId("sign-out").addEventListener("click", () => leaveConsole());
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
  wireNavigation();
  let session: StaffSession | null = null;
  try {
    session = await validSession(config.cognitoEndpoint, config.userPoolClientId);
  } catch (error) {
    console.warn("[vitrine] cannot renew the sign-in", error); // signing in again works
  }
  if (session) enterConsole(config, session);
}

void main();
