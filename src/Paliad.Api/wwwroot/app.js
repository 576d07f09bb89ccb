// Paliad's settings page: the first client of the public REST API, and nothing else.
// Plain ES module, no framework, no CDN. The token lives in sessionStorage (this tab only).

const TOKEN_KEY = "paliad.accessToken";
const $ = (id) => document.getElementById(id);

const SCOPE_WORDS = {
  all_visible: "Everything I see",
  personal_only: "Only my personal appointments",
  project: "One project",
  client: "A client and everything below it",
  litigation: "A litigation and everything below it",
  patent: "A patent and everything below it",
  case: "A case and everything below it",
};

const FAILURE_WORDS = {
  unauthorized: "The server did not accept the username or password.",
  unreachable: "The server could not be found, or it did not answer. Check the address.",
  timeout: "The server took too long to answer. Try again in a moment.",
  not_a_calendar_server: "That address answered, but not as a CalDAV calendar server. Check the address.",
  server_error: "The server reported an error of its own. Try again later.",
};

/** The big CalDAV services: the address each needs and, in one line, what it asks of the person. OAuth providers the
 * server has configured (Google) join the list from GET /api/caldav-oauth/providers. */
const PRESETS = {
  icloud: { serverUrl: "https://caldav.icloud.com/", hint: "iCloud needs an app-specific password (appleid.apple.com → Sign-In and Security → App-Specific Passwords); the username is your Apple ID e-mail." },
  fastmail: { serverUrl: "https://caldav.fastmail.com/dav/", hint: "Fastmail needs an app password with CalDAV access (Settings → Privacy & Security → Manage app passwords); the username is your Fastmail address." },
  nextcloud: { hint: "Give your Nextcloud's address; use your Nextcloud username and an app password (Settings → Security → Devices & sessions)." },
  other: { hint: "Your server's CalDAV address, username and password." },
};

/** What the page says when the provider sends the person back (the callback's #caldav=failed&reason=…). */
const CONNECT_FAILURES = {
  denied: "You did not allow Paliad access, so nothing was connected.",
  invalid_state: "That connection attempt was not recognised (used already, or from another tab). Please connect again.",
  expired: "That connection attempt took longer than 10 minutes. Please connect again.",
  exchange_failed: "The provider did not confirm the connection. Please connect again.",
  provider_unavailable: "The provider could not be reached. Please try again in a moment.",
};

const state = { calendars: [], bindings: [], projects: [], scopes: new Map(), config: null, bindTarget: null, logNext: null, activityNext: null, providers: [], feeds: [], countAsked: null };

// ---- talking to the API -------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The request failed (${status}).`);
    this.status = status;
    this.problem = problem || {};
  }
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { detail: "Paliad could not be reached. Check your connection." });
  }
  if (response.status === 401 && path.startsWith("/api/")) {
    signOut("This sign-in is not valid (any more). Please sign in again.");
    throw new ApiError(401, { detail: "Not signed in." });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: `The request failed (${response.status}).` };
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, next: nextLink(response.headers.get("Link")) };
}

function nextLink(header) {
  const match = header && header.match(/<([^>]+)>\s*;\s*rel="next"/);
  if (!match) return null;
  const url = new URL(match[1], location.origin);
  return url.pathname + url.search;
}

function say(message, failed = false) {
  const status = $("status");
  status.textContent = message;
  status.classList.toggle("failed", failed);
}

/** The input an error paragraph belongs to: the one that names it in aria-describedby. */
const inputFor = (errorId) => document.querySelector(`[aria-describedby~="${errorId}"]`);

function clearErrors(prefix, fields) {
  for (const field of fields) {
    const el = $(`${prefix}${field}-error`);
    if (el) el.textContent = "";
    inputFor(`${prefix}${field}-error`)?.removeAttribute("aria-invalid");
  }
}

/** Shows a 400's field errors beside their inputs; returns whether any was shown. */
function showFieldErrors(error, prefix = "") {
  const errors = error instanceof ApiError ? error.problem.errors : null;
  if (!errors) return false;
  let shown = false;
  for (const [field, messages] of Object.entries(errors)) {
    const el = $(`${prefix}${field}-error`);
    if (el) {
      el.textContent = messages.join(" ");
      inputFor(el.id)?.setAttribute("aria-invalid", "true");
      shown = true;
    }
  }
  return shown;
}

function ago(iso) {
  if (!iso) return "never";
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

function when(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value; // through the CSSOM: the CSP allows no inline style attributes
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// ---- signing in ---------------------------------------------------------------------------------------------------

/** The subject (user id) of a JWT, or null; only to tell "the same account" from another — the API verifies tokens. */
function tokenSubject(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)).sub || null;
  } catch {
    return null;
  }
}

/** A token arriving in the URL fragment (a sign-in redirect, or a link someone sent), taken out of the address bar at
 * once. start() uses it without a word only when it opens the account already signed in here, else only after the
 * person confirms whose account it opens. */
function takeTokenFromFragment() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get("access_token");
  if (!token) return null;
  history.replaceState(null, "", location.pathname + location.search);
  return token;
}

/** Whether an offered token opens the account already signed in here (a fresher token of the same person): only
 * then is it used without asking — and only once the API has accepted it (a forged token naming this account's
 * `sub` must not replace a working sign-in). */
async function isFreshTokenOfThisAccount(token) {
  const current = sessionStorage.getItem(TOKEN_KEY);
  if (!current || tokenSubject(current) === null || tokenSubject(current) !== tokenSubject(token)) return false;
  return (await emailOf(token).catch(() => null)) !== null;
}

async function emailOf(token) {
  const response = await fetch("/api/me", { headers: { Accept: "application/json", Authorization: `Bearer ${token}` } });
  if (!response.ok) return null;
  return (await response.json()).email;
}

/** Shows whose account the offered token opens and waits for the person to continue or cancel. */
async function confirmOfferedToken(token) {
  const email = await emailOf(token).catch(() => null);
  if (!email) {
    say("The sign-in link is not valid (any more).", true);
    return false;
  }
  const current = sessionStorage.getItem(TOKEN_KEY);
  const currentEmail = current ? await emailOf(current).catch(() => null) : null;
  $("app").hidden = true;
  $("who").hidden = true;
  $("sign-in").hidden = true;
  $("confirm-email").textContent = email;
  $("confirm-current").textContent = currentEmail || "";
  $("confirm-switch").hidden = !currentEmail;
  $("confirm-sign-in").hidden = false;
  $("confirm-title").focus();
  const accepted = await new Promise((resolve) => {
    $("confirm-continue").onclick = () => resolve(true);
    $("confirm-cancel").onclick = () => resolve(false);
  });
  $("confirm-sign-in").hidden = true;
  say(accepted ? `Signed in as ${email}.` : "The link's sign-in was not used.");
  return accepted;
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  $("app").hidden = true;
  $("who").hidden = true;
  $("sign-in").hidden = false;
  say(message || "Signed out.");
}

async function showSignIn() {
  $("app").hidden = true;
  $("who").hidden = true;
  $("sign-in").hidden = false;
  try {
    await api("GET", "/dev/sign-in/");
    $("dev-sign-in").hidden = false;
  } catch {
    $("dev-sign-in").hidden = true;
  }
}

/** The outcome of a provider's consent (#caldav=connected or #caldav=failed&reason=…), taken out of the address bar. */
function takeConnectOutcomeFromFragment() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const outcome = fragment.get("caldav");
  if (!outcome) return null;
  history.replaceState(null, "", location.pathname + location.search);
  return { connected: outcome === "connected", reason: fragment.get("reason") };
}

async function start() {
  const connectOutcome = takeConnectOutcomeFromFragment();
  const offered = takeTokenFromFragment();
  if (offered && ((await isFreshTokenOfThisAccount(offered)) || (await confirmOfferedToken(offered)))) {
    sessionStorage.setItem(TOKEN_KEY, offered);
  }
  if (!sessionStorage.getItem(TOKEN_KEY)) {
    await showSignIn();
    return;
  }
  $("main").setAttribute("aria-busy", "true");
  try {
    const { data: me } = await api("GET", "/api/me");
    await loadProviders();
    await Promise.all([loadAccount(), loadProjects(), loadActivity(true)]);
    await loadBindings();
    await loadFeeds();
    await loadLog(true);
    $("who-email").textContent = me.email;
    $("who").hidden = false;
    $("sign-in").hidden = true;
    $("app").hidden = false;
    if (connectOutcome?.connected) say(`Your ${providerName(state.config?.provider)} account is connected. Pick the calendars to bind below.`);
    else if (connectOutcome) say(CONNECT_FAILURES[connectOutcome.reason] ?? "The account was not connected. Please try again.", true);
  } catch (error) {
    if (error.status !== 401) say(error.message, true);
  } finally {
    $("main").removeAttribute("aria-busy");
  }
}

$("dev-sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("dev-email-error").textContent = "";
  try {
    const { data } = await api("POST", "/dev/sign-in/", { email: $("dev-email").value });
    sessionStorage.setItem(TOKEN_KEY, data.accessToken);
    say(`Signed in as ${data.email}.`);
    await start();
  } catch (error) {
    if (!showFieldErrors(error, "dev-")) $("dev-email-error").textContent = error.message;
  }
});

$("token-sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
  $("token").value = "";
  await start();
});

$("sign-out").addEventListener("click", () => signOut());

// ---- the account --------------------------------------------------------------------------------------------------

async function loadAccount() {
  try {
    const { data } = await api("GET", "/api/caldav-config");
    state.config = data;
  } catch (error) {
    if (error.status !== 404) throw error;
    state.config = null;
  }
  const config = state.config;
  $("serverUrl").value = config?.serverUrl ?? "";
  $("username").value = config?.username ?? "";
  $("password").value = "";
  $("password").placeholder = config?.hasPassword ? "saved — type to replace" : "";
  $("password-state").textContent = config?.hasPassword ? "A password is saved. It is never shown." : "No password saved yet.";
  $("syncIntervalMinutes").value = config?.syncIntervalMinutes ?? 15;
  $("syncEnabled").checked = config?.syncEnabled ?? true;
  $("delete-account").hidden = !config;
  $("account-summary").textContent = config
    ? `Last sync ${ago(config.lastSyncAt)}${config.lastSyncError ? ` — ${config.lastSyncError}` : ""}.`
    : "No account yet: choose where your calendars are.";

  // An account connected through a provider has no password to type: it is reconnected, or removed.
  const throughProvider = config?.authKind === "oauth2";
  $("connected-through").hidden = !throughProvider;
  $("account-form").hidden = throughProvider;
  $("preset-picker").hidden = throughProvider;
  if (throughProvider) {
    const name = providerName(config.provider);
    $("connected-through-text").textContent = config.needsReconnect
      ? `${name} no longer lets Paliad in (access was withdrawn or expired). Reconnect to go on syncing.`
      : `Connected through ${name} as ${config.username}. ${$("account-summary").textContent}`;
    $("connected-through-text").classList.toggle("failed", config.needsReconnect);
    $("reconnect-account").hidden = !config.needsReconnect;
    $("reconnect-account").textContent = `Reconnect ${name}`;
  } else {
    $("preset").value = presetOf(config?.serverUrl);
    showPreset({ fill: false });
  }
}

/** The preset a saved address belongs to (so the page says what that service needs), else "other". */
function presetOf(serverUrl) {
  if (!serverUrl) return "other";
  const known = Object.entries(PRESETS).find(([, preset]) => preset.serverUrl === serverUrl);
  if (known) return known[0];
  return /\/remote\.php\/dav\/?$/.test(serverUrl) ? "nextcloud" : "other";
}

// ---- presets and providers ----------------------------------------------------------------------------------------

async function loadProviders() {
  try {
    state.providers = (await api("GET", "/api/caldav-oauth/providers")).data;
  } catch {
    state.providers = [];
  }
  const select = $("preset");
  for (const option of [...select.querySelectorAll("option[data-oauth]")]) option.remove();
  for (const provider of [...state.providers].reverse()) {
    const option = el("option", { value: `oauth:${provider.name}` }, provider.displayName);
    option.dataset.oauth = provider.name;
    select.prepend(option);
  }
}

function providerName(name) {
  return state.providers.find((p) => p.name === name)?.displayName ?? name ?? "your provider";
}

/** Fills the address for the chosen service and says what it needs; an OAuth provider shows its Connect button
 * instead of the password form. */
function showPreset({ fill = true } = {}) {
  const choice = $("preset").value;
  const oauth = choice.startsWith("oauth:") ? choice.slice("oauth:".length) : null;
  const preset = PRESETS[choice];
  $("oauth-connect").hidden = !oauth;
  $("account-form").hidden = Boolean(oauth);
  $("nextcloud-host-field").hidden = choice !== "nextcloud";
  if (oauth) {
    $("preset-hint").textContent = `You sign in at ${providerName(oauth)} and allow Paliad to manage your calendars there; no password is stored.`;
    $("connect-oauth").textContent = `Connect ${providerName(oauth)}`;
    return;
  }
  $("preset-hint").textContent = preset.hint;
  if (!fill) return;
  if (preset.serverUrl) $("serverUrl").value = preset.serverUrl;
  if (choice === "nextcloud") nextcloudAddress();
}

function nextcloudAddress() {
  const host = $("nextcloud-host").value.trim().replace(/^https?:\/\//i, "").replace(/\/+$/, "");
  $("nextcloud-host-error").textContent = "";
  if (host) $("serverUrl").value = `https://${host}/remote.php/dav/`;
}

$("preset").addEventListener("change", () => showPreset());
$("nextcloud-host").addEventListener("input", nextcloudAddress);

/** Starts the provider's consent: the page navigates there (a navigation cannot carry the bearer token; the server
 * keeps who asked, for ten minutes). */
async function connectThrough(provider) {
  try {
    const { data } = await api("POST", `/api/caldav-oauth/${encodeURIComponent(provider)}/start`, {});
    say(`Opening ${providerName(provider)}…`);
    location.assign(data.authorizationUrl);
  } catch (error) {
    say(error.message, true);
  }
}

$("connect-oauth").addEventListener("click", () => connectThrough($("preset").value.slice("oauth:".length)));
$("reconnect-account").addEventListener("click", () => connectThrough(state.config.provider));
$("delete-oauth-account").addEventListener("click", () => $("delete-account").click());
$("check-oauth-connection").addEventListener("click", () => $("check-connection").click());

$("account-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors("", ["serverUrl", "username", "password", "syncIntervalMinutes"]);
  const body = {
    serverUrl: $("serverUrl").value.trim(),
    username: $("username").value.trim(),
    syncIntervalMinutes: Number($("syncIntervalMinutes").value),
    syncEnabled: $("syncEnabled").checked,
    calendarPath: state.config?.calendarPath ?? null,
  };
  if ($("password").value) body.password = $("password").value;
  try {
    await api("PUT", "/api/caldav-config", body);
    say("Account saved.");
    await Promise.all([loadAccount(), loadBindings()]);
  } catch (error) {
    if (!showFieldErrors(error)) say(error.message, true);
    else say("Please correct the fields marked below.", true);
  }
});

$("delete-account").addEventListener("click", async () => {
  if (!confirm("Remove the CalDAV account, its bindings and its saved password or access? Events already in your calendars stay.")) return;
  try {
    await api("DELETE", "/api/caldav-config");
    state.calendars = [];
    say("Account removed.");
    await Promise.all([loadAccount(), loadBindings()]);
    renderCalendars();
  } catch (error) {
    say(error.message, true);
  }
});

$("check-connection").addEventListener("click", async () => {
  const button = $("check-connection");
  button.disabled = true;
  say("Checking the connection…");
  try {
    const { data } = await api("GET", "/api/caldav-calendars");
    state.calendars = data;
    renderCalendars();
    say(`Connected: ${data.length} calendar${data.length === 1 ? "" : "s"} found.`);
  } catch (error) {
    say(connectionFailure(error), true);
  } finally {
    button.disabled = false;
  }
});

function connectionFailure(error) {
  if (error.status === 404) return "Save the account first, then check the connection.";
  if (error.status === 400 && error.problem.errors?.serverUrl) return `This address is not allowed: ${error.problem.errors.serverUrl.join(" ")}`;
  if (error.status === 429) return "Too many checks in a short time. Wait a minute and try again.";
  return FAILURE_WORDS[error.problem.reason] ?? error.message;
}

// ---- calendars and binding them -----------------------------------------------------------------------------------

function renderCalendars() {
  const list = $("calendars");
  list.replaceChildren();
  $("calendars-hint").textContent = state.calendars.length ? "" : "Check the connection to list your server's calendars.";
  for (const calendar of state.calendars) {
    const binding = state.bindings.find((b) => b.calendarPath === calendar.href);
    const name = calendar.displayName || calendar.href;
    list.append(el("li", {},
      el("div", { class: "title" },
        el("span", { class: "swatch", style: `background:${safeColour(calendar.color)}`, "aria-hidden": "true" }), name),
      el("div", { class: "path" }, calendar.href),
      binding
        ? el("div", {}, `Bound: ${SCOPE_WORDS[binding.scope]}${binding.scopeId ? ` (${projectName(binding.scopeId)})` : ""}`)
        : calendar.supportsEvents === false
          ? el("div", { class: "hint" }, "This calendar does not take events.")
          : el("div", {}, el("button", { type: "button", class: "secondary", onclick: () => openBind({ calendarPath: calendar.href, displayName: name }) },
            `Bind “${name}”…`))));
  }
}

function safeColour(colour) {
  return /^#[0-9a-fA-F]{3,8}$/.test(colour ?? "") ? colour : "transparent";
}

$("new-calendar-form").addEventListener("submit", (event) => {
  event.preventDefault();
  $("new-calendar-error").textContent = "";
  const name = $("new-calendar-name").value.trim();
  const home = calendarHome();
  if (!home) {
    $("new-calendar-error").textContent = "Check the connection first, so Paliad knows where your calendars live.";
    return;
  }
  const slug = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "calendar";
  openBind({ calendarPath: `${home}${slug}/`, displayName: name });
});

function calendarHome() {
  const any = state.calendars[0]?.href ?? state.bindings[0]?.calendarPath ?? state.config?.calendarPath;
  if (!any) return null;
  const trimmed = any.replace(/\/+$/, "");
  return trimmed.slice(0, trimmed.lastIndexOf("/") + 1);
}

async function loadProjects() {
  const [{ data }, scopes] = await Promise.all([api("GET", "/api/projects?limit=2000"), api("GET", "/api/caldav-scopes")]);
  state.projects = data;
  state.scopes = new Map(scopes.data.map((s) => [s.scope, s]));
}

// Which projects a scope may name comes from the API (GET /api/caldav-scopes), the rule's one home.
function scopeNeedsProject(scope) {
  return state.scopes.get(scope)?.needsProject ?? false;
}

function projectName(id) {
  return state.projects.find((p) => p.id === id)?.name ?? "a project";
}

/** The project tree as indented options; only nodes of the scope's kind can be chosen ("project" takes any). */
function renderProjectOptions(scope, selected) {
  const select = $("bind-project");
  select.replaceChildren();
  const children = new Map();
  for (const project of state.projects) {
    const key = project.parentId ?? "";
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(project);
  }
  const known = new Set(state.projects.map((p) => p.id));
  const roots = state.projects.filter((p) => !p.parentId || !known.has(p.parentId));
  const walk = (project, depth) => {
    const choosable = (state.scopes.get(scope)?.projectKinds ?? []).includes(project.kind);
    select.append(el("option", { value: project.id, disabled: !choosable, selected: project.id === selected },
      `${"\u00a0\u00a0".repeat(depth)}${project.name} (${project.kind})`));
    for (const child of (children.get(project.id) ?? []).sort((a, b) => a.name.localeCompare(b.name))) walk(child, depth + 1);
  };
  for (const root of roots.sort((a, b) => a.name.localeCompare(b.name))) walk(root, 0);
  if (!select.querySelector("option:not([disabled])")) {
    select.append(el("option", { value: "", disabled: true, selected: true }, "No project of this kind"));
  } else if (!select.value || select.selectedOptions[0]?.disabled) {
    select.querySelector("option:not([disabled])").selected = true;
  }
}

function syncScopeRow() {
  const scope = $("bind-scope").value;
  const needsProject = scopeNeedsProject(scope);
  $("bind-project-row").hidden = !needsProject;
  if (needsProject) renderProjectOptions(scope, state.bindTarget?.scopeId);
  showScopeCount();
}

/** Before binding or subscribing: how many appointments the chosen scope holds (one count query). */
async function showScopeCount() {
  const scope = $("bind-scope").value;
  const scopeId = scopeNeedsProject(scope) ? $("bind-project").value : "";
  if (scopeNeedsProject(scope) && !scopeId) {
    $("bind-count").textContent = "";
    return;
  }
  const asked = `${scope}/${scopeId}`;
  state.countAsked = asked;
  try {
    const query = new URLSearchParams({ scope, ...(scopeId ? { scopeId } : {}) });
    const { data } = await api("GET", `/api/appointments/count?${query}`);
    if (state.countAsked !== asked) return;
    const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
    $("bind-count").textContent = `${plural(data.count, "appointment")}, ${data.next30Days} of them in the next 30 days.`;
  } catch {
    if (state.countAsked === asked) $("bind-count").textContent = "";
  }
}

$("bind-scope").addEventListener("change", syncScopeRow);
$("bind-project").addEventListener("change", showScopeCount);

function openBind(target) {
  state.bindTarget = target;
  clearErrors("bind-", ["scope", "scopeId", "displayName"]);
  $("bind-error").textContent = "";
  const feed = target.kind === "feed";
  $("bind-title").textContent = feed ? (target.id ? "Change feed" : "New read-only feed") : target.id ? "Change binding" : "Bind a calendar";
  $("bind-calendar").textContent = feed ? "Calendars that subscribe to its link see these appointments, read-only." : target.calendarPath;
  $("bind-name").value = target.displayName ?? "";
  $("bind-name").required = feed;
  $("bind-scope").value = target.scope ?? "all_visible";
  $("bind-save").textContent = target.id ? "Save" : feed ? "Create feed" : "Bind";
  syncScopeRow();
  $("bind-dialog").showModal();
  $("bind-name").focus();
}

$("bind-cancel").addEventListener("click", () => $("bind-dialog").close());

$("bind-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const target = state.bindTarget;
  const scope = $("bind-scope").value;
  const body = { displayName: $("bind-name").value.trim() || null, scope };
  if (scopeNeedsProject(scope)) body.scopeId = $("bind-project").value || null;
  if (target.kind === "feed") {
    await saveFeed(target, body);
    return;
  }
  try {
    if (target.id) await api("PATCH", `/api/caldav-bindings/${target.id}`, body);
    else await api("POST", "/api/caldav-bindings", { calendarPath: target.calendarPath, ...body });
    $("bind-dialog").close();
    say(target.id ? "Binding saved." : `Bound ${target.calendarPath}.`);
    $("new-calendar-name").value = "";
    await loadBindings();
  } catch (error) {
    if (!showFieldErrors(error, "bind-")) $("bind-error").textContent = error.message;
  }
});

// ---- feeds --------------------------------------------------------------------------------------------------------

async function loadFeeds() {
  state.feeds = (await api("GET", "/api/calendar-feeds")).data;
  renderFeeds();
}

function renderFeeds() {
  const list = $("feeds");
  list.replaceChildren();
  $("feeds-empty").hidden = state.feeds.length > 0;
  for (const feed of state.feeds) {
    list.append(el("li", {},
      el("div", { class: "title" }, feed.displayName),
      el("div", {}, `${SCOPE_WORDS[feed.scope]}${feed.scopeId ? `: ${projectName(feed.scopeId)}` : ""} · last fetched ${ago(feed.lastFetchedAt)}`),
      el("div", { class: "row" },
        el("button", { type: "button", class: "secondary", onclick: () => openBind({ kind: "feed", ...feed }) }, `Change “${feed.displayName}”…`),
        el("button", { type: "button", class: "secondary", onclick: () => rotateFeed(feed) }, `New link for “${feed.displayName}”`),
        el("button", { type: "button", class: "danger", onclick: () => deleteFeed(feed) }, `Delete “${feed.displayName}”`))));
  }
}

/** The link with its secret, shown once (after creating or rotating), ready to copy. */
function showFeedLink(url) {
  $("feed-link").hidden = false;
  $("feed-url").value = url;
  $("feed-url").focus();
  $("feed-url").select();
}

async function saveFeed(target, body) {
  try {
    const { data } = target.id
      ? await api("PATCH", `/api/calendar-feeds/${target.id}`, body)
      : await api("POST", "/api/calendar-feeds", body);
    $("bind-dialog").close();
    if (target.id) {
      say("Feed saved.");
    } else {
      showFeedLink(data.url);
      say("Feed created. Copy its link now: it is shown only once.");
    }
    await loadFeeds();
  } catch (error) {
    if (!showFieldErrors(error, "bind-")) $("bind-error").textContent = error.message;
  }
}

async function rotateFeed(feed) {
  if (!confirm(`Give “${feed.displayName}” a new link? Calendars subscribed to the old link stop getting updates until they subscribe to the new one.`)) return;
  try {
    const { data } = await api("POST", `/api/calendar-feeds/${feed.id}/rotate`, {});
    showFeedLink(data.url);
    say("New link made; the old one no longer works. Copy the new one now.");
  } catch (error) {
    say(error.message, true);
  }
}

async function deleteFeed(feed) {
  if (!confirm(`Delete “${feed.displayName}”? Its link stops working at once.`)) return;
  try {
    await api("DELETE", `/api/calendar-feeds/${feed.id}`);
    $("feed-link").hidden = true;
    say("Feed deleted.");
    await loadFeeds();
  } catch (error) {
    say(error.message, true);
  }
}

$("new-feed").addEventListener("click", () => openBind({ kind: "feed" }));
$("copy-feed-url").addEventListener("click", async () => {
  $("feed-url").select();
  try {
    await navigator.clipboard.writeText($("feed-url").value);
    say("Link copied.");
  } catch {
    say("Select the link and copy it (Ctrl+C).");
  }
});

// ---- bindings -----------------------------------------------------------------------------------------------------

async function loadBindings() {
  const { data } = await api("GET", "/api/caldav-bindings");
  state.bindings = data;
  renderBindings();
  renderCalendars();
  const filter = $("log-binding");
  const chosen = filter.value;
  filter.replaceChildren(el("option", { value: "" }, "All bindings"),
    ...data.map((b) => el("option", { value: b.id, selected: b.id === chosen }, b.displayName || b.calendarPath)));
}

function renderBindings() {
  const list = $("bindings");
  list.replaceChildren();
  $("bindings-empty").hidden = state.bindings.length > 0;
  for (const binding of state.bindings) {
    const name = binding.displayName || binding.calendarPath;
    list.append(el("li", {},
      el("div", { class: "title" }, name, el("span", { class: `badge ${binding.syncStatus}` }, binding.syncStatus),
        binding.enabled ? null : el("span", { class: "badge pending" }, "disabled")),
      el("div", { class: "path" }, binding.calendarPath),
      el("div", {}, `${SCOPE_WORDS[binding.scope]}${binding.scopeId ? `: ${projectName(binding.scopeId)}` : ""} · last sync ${ago(binding.lastSyncAt)}`),
      problem(binding.lastSyncError, binding.lastSyncErrorDetail),
      binding.heldChanges > 0 ? heldNotice(binding, name) : null,
      el("div", { class: "row" },
        el("button", { type: "button", class: "secondary", onclick: () => toggleBinding(binding) }, binding.enabled ? `Disable “${name}”` : `Enable “${name}”`),
        el("button", { type: "button", class: "secondary", onclick: () => openBind({ ...binding }) }, `Change “${name}”…`),
        el("button", { type: "button", class: "danger", onclick: () => deleteBinding(binding) }, `Delete “${name}”…`))));
  }
}

/** A calendar changed many appointments at once: nothing was changed in Paliad until the person decides. */
function heldNotice(binding, name) {
  const count = binding.heldChanges === 1 ? "1 appointment" : `${binding.heldChanges} appointments`;
  return el("div", { class: "held", role: "group", "aria-label": `Held changes in “${name}”` },
    el("p", {}, `This calendar changed ${count} at once — more than a person usually does (a phone's time-zone mix-up or an import, say). `
      + "Nothing was changed in Paliad yet; appointments still go to the calendar as usual."),
    el("div", { class: "row" },
      el("button", { type: "button", onclick: () => decideHeld(binding, "apply") }, `Apply the ${count}`),
      el("button", { type: "button", class: "secondary", onclick: () => decideHeld(binding, "revert") }, `Put Paliad's ${count} back`)));
}

async function decideHeld(binding, action) {
  say(action === "apply" ? "Applying the calendar's changes…" : "Putting Paliad's appointments back…");
  try {
    await api("POST", `/api/caldav-bindings/${binding.id}/held-changes`, { action });
    say(action === "apply" ? "The calendar's changes were applied." : "Paliad's appointments were put back in the calendar.");
    await Promise.all([loadBindings(), loadActivity(true), loadLog(true)]);
  } catch (error) {
    say(error.message, true);
  }
}

async function toggleBinding(binding) {
  try {
    await api("PATCH", `/api/caldav-bindings/${binding.id}`, { enabled: !binding.enabled });
    say(binding.enabled ? "Binding disabled." : "Binding enabled.");
    await loadBindings();
  } catch (error) {
    say(error.message, true);
  }
}

function deleteBinding(binding) {
  const dialog = $("delete-dialog");
  $("delete-what").textContent = `${binding.displayName || binding.calendarPath}: remove Paliad's events from that calendar, or leave them there?`;
  dialog.returnValue = "";
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "remove" && dialog.returnValue !== "keep") return;
    try {
      await api("DELETE", `/api/caldav-bindings/${binding.id}?keepRemoteEvents=${dialog.returnValue === "keep"}`);
      say(dialog.returnValue === "keep" ? "Binding deleted; its events stay in the calendar." : "Binding deleted; its events are being removed.");
      await loadBindings();
    } catch (error) {
      say(error.message, true);
    }
  }, { once: true });
  dialog.showModal();
}

// ---- sync now, the log, the activity feed -------------------------------------------------------------------------

$("sync-now").addEventListener("click", async () => {
  const button = $("sync-now");
  button.disabled = true;
  say("Syncing…");
  try {
    const { data } = await api("POST", "/api/caldav-sync");
    renderSyncResults(data);
    say(data.length ? "Sync finished." : "Nothing to sync: no enabled binding.");
    await Promise.all([loadBindings(), loadLog(true), loadActivity(true), loadAccount()]);
  } catch (error) {
    say(error.status === 429 ? "Too many syncs in a short time. Wait a minute and try again." : error.message, true);
  } finally {
    button.disabled = false;
  }
});

// What failed, in the plain words the API says it in, with the technical detail folded away beside it.
function problem(said, detail) {
  if (!said && !detail) return null;
  return el("div", { class: "error" }, said || "",
    detail ? el("details", { class: "detail" }, el("summary", {}, "Technical detail"), el("code", {}, detail)) : null);
}

function renderSyncResults(results) {
  const columns = ["pushed", "updated", "deleted", "pulled", "conflicts", "restored"];
  const table = el("table", {},
    el("caption", { class: "hint" }, "What the sync did, per binding"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Calendar"), el("th", { scope: "col" }, "Status"),
      ...columns.map((c) => el("th", { scope: "col" }, c)))),
    el("tbody", {}, ...results.map((r) => el("tr", {},
      el("th", { scope: "row" }, r.calendarPath),
      el("td", {}, r.status, problem(r.error, r.errorDetail)),
      ...columns.map((c) => el("td", {}, r[c]))))));
  $("sync-results").replaceChildren(el("div", { class: "table-wrap" }, table));
}

async function loadLog(fresh) {
  const bindingId = $("log-binding").value;
  const path = fresh ? `/api/caldav-sync-log?limit=10${bindingId ? `&bindingId=${bindingId}` : ""}` : state.logNext;
  if (!path) return;
  const { data, next } = await api("GET", path);
  state.logNext = next;
  const list = $("log");
  if (fresh) list.replaceChildren();
  for (const entry of data) {
    const binding = state.bindings.find((b) => b.id === entry.bindingId);
    list.append(el("li", {},
      el("time", { datetime: entry.startedAt }, when(entry.startedAt)), " ",
      el("span", { class: `badge ${entry.status === "ok" ? "ok" : "error"}` }, entry.status), " ",
      binding ? binding.displayName || binding.calendarPath : entry.bindingId ? "a binding" : "a deleted binding",
      ` — pushed ${entry.pushed}, updated ${entry.updated}, deleted ${entry.deleted}, pulled ${entry.pulled}, conflicts ${entry.conflicts}, restored ${entry.restored}`,
      problem(entry.error, entry.errorDetail)));
  }
  if (fresh && data.length === 0) list.append(el("li", { class: "hint" }, "No sync yet."));
  $("log-more").hidden = !state.logNext;
}

$("log-binding").addEventListener("change", () => loadLog(true).catch((error) => say(error.message, true)));
$("log-more").addEventListener("click", () => loadLog(false).catch((error) => say(error.message, true)));

async function loadActivity(fresh) {
  const path = fresh ? "/api/caldav-activity?limit=10" : state.activityNext;
  if (!path) return;
  const { data, next } = await api("GET", path);
  state.activityNext = next;
  const list = $("activity");
  if (fresh) list.replaceChildren();
  for (const entry of data) {
    list.append(el("li", {}, el("time", { datetime: entry.at }, when(entry.at)), " ", entry.detail));
  }
  $("activity-empty").hidden = list.children.length > 0;
  $("activity-more").hidden = !state.activityNext;
}

$("activity-more").addEventListener("click", () => loadActivity(false).catch((error) => say(error.message, true)));

start().catch((error) => say(error.message, true));
