// Rendering helpers: look elements up once, write text only (never markup), and describe outcomes in words.
import type { CallError } from "./ipc";
import type { AppStatus, RedirectError, RedirectReceipt } from "./ipc.gen";

export function element<T extends HTMLElement>(id: string, kind: { new (): T }): T {
  const found = document.getElementById(id);
  if (!(found instanceof kind)) throw new Error(`GraphDesk's page lacks #${id}`);
  return found;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function renderStatus(status: AppStatus): void {
  const mode = element("mode", HTMLElement);
  mode.hidden = status.mode === null;
  if (status.mode?.kind === "demo") {
    mode.textContent = "Demo tenant — not Microsoft";
    mode.title = `Emulated tenant at ${status.mode.tenantUrl}; sign in as adele@contoso.example with the password demo`;
  } else if (status.mode?.kind === "configured") {
    mode.textContent = status.mode.authority;
    mode.title = `Client id ${status.mode.clientId}`;
  }
  mode.classList.toggle("demo", status.mode?.kind === "demo");
  for (const id of ["sign-in", "sign-in-device-code", "sign-in-password", "sign-in-windows"]) {
    element(id, HTMLButtonElement).disabled = status.mode === null;
  }
  // Windows' own sign-ins (IWA, the broker) exist only there.
  const windows = status.platform === "windows";
  element("sign-in-windows", HTMLButtonElement).hidden = !windows;
  for (const row of document.querySelectorAll<HTMLElement>(".windows-only")) row.hidden = !windows;
  if (status.sessionWarning) showNotice(status.sessionWarning);
  element("app-name", HTMLElement).textContent = status.name;
  element("app-version", HTMLElement).textContent = `v${status.version}`;
  element("data-dir", HTMLElement).textContent = status.dataDir;
  element("redirect-uri", HTMLElement).textContent = status.redirectUri;
  const state = element("cache-state", HTMLElement);
  const detail = element("cache-detail", HTMLElement);
  state.className = `pill ${status.cache.state}`;
  switch (status.cache.state) {
    case "absent":
      state.textContent = "empty";
      detail.textContent = "No one has signed in on this machine yet.";
      break;
    case "present": {
      state.textContent = "present";
      const changed =
        status.cache.modifiedEpoch === null ? "" : `, changed ${new Date(status.cache.modifiedEpoch * 1000).toLocaleString()}`;
      detail.textContent = `${formatBytes(status.cache.bytes)}${changed}`;
      break;
    }
    case "unreadable":
      state.textContent = "unreadable";
      detail.textContent = `${status.cache.path}: ${status.cache.reason}`;
      break;
  }
}

/** ", AADSTS50076 correlation id …" — what support needs, when the platform said it. */
function serverIds(aadsts: number | null, correlationId: string | null): string {
  const parts = [aadsts === null ? "" : `AADSTS${aadsts}`, correlationId === null ? "" : `correlation id ${correlationId}`];
  const ids = parts.filter((p) => p !== "").join(" ");
  return ids === "" ? "" : ` (${ids})`;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = `${trimmed[0]?.toUpperCase() ?? ""}${trimmed.slice(1)}`;
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}

/** A sentence for an error, in words a user can act on: every kind the shell sends is handled (tsc checks it). */
export function describeError(error: CallError): string {
  switch (error.kind) {
    case "notSignedIn":
      return "Not signed in. Sign in first, then refresh.";
    case "uiRequired":
    case "server":
      return `${sentence(error.message)}${serverIds(error.detail.aadsts, error.detail.correlationId)}`;
    case "graph":
      return `${sentence(error.message)}${error.detail.requestId ? ` (request-id ${error.detail.requestId})` : ""}`;
    case "timeout":
      return "The server did not answer in time. Try again.";
    case "throttled":
      return `The server is busy. Try again in ${error.retryAfter} s.`;
    case "protocol":
      return sentence(`The server's answer could not be understood: ${error.message}`);
    case "cancelled":
      return "The sign-in was cancelled.";
    case "declined":
      return "The sign-in was declined at the sign-in page. Start it again to sign in.";
    case "signInRefused":
      return `${sentence(error.message)}${error.aadsts === null ? "" : ` (AADSTS${error.aadsts})`}`;
    case "signInTimeout":
      return "The sign-in took too long. Start it again.";
    case "redirect":
      return sentence(REDIRECT_REASONS[error.detail.reason]);
    case "internal":
      return sentence(`GraphDesk failed: ${error.message}`);
    // These carry their own words.
    case "network":
    case "invalidIdToken":
    case "cache":
    case "config":
    case "invalidRequest":
    case "settingsFile":
    case "keyring":
    case "browserUnavailable":
    case "notConfirmed":
    case "clipboard":
    case "demoUnavailable":
    case "unsupported":
    case "windowsSignIn":
      return sentence(error.message);
    default:
      return unreachable(error);
  }
}

function unreachable(error: never): string {
  return `Unexpected error ${JSON.stringify(error)}`;
}

export function showNotice(text: string | null): void {
  const notice = element("notice", HTMLElement);
  notice.hidden = text === null;
  notice.textContent = text ?? "";
}

export function addActivity(what: string, why: string, attributes: Record<string, string> = {}): void {
  const template = element("activity-item", HTMLTemplateElement);
  const item = template.content.firstElementChild?.cloneNode(true);
  if (!(item instanceof HTMLLIElement)) return;
  const now = new Date();
  const time = item.querySelector("time");
  if (time) {
    time.dateTime = now.toISOString();
    time.textContent = now.toLocaleTimeString();
  }
  const whatEl = item.querySelector(".what");
  if (whatEl) whatEl.textContent = what;
  const whyEl = item.querySelector(".why");
  if (whyEl) whyEl.textContent = why;
  for (const [name, value] of Object.entries(attributes)) item.dataset[name] = value;
  element("activity", HTMLOListElement).prepend(item);
  element("activity-empty", HTMLElement).hidden = true;
}

export function describeReceipt(receipt: RedirectReceipt): { what: string; why: string; verdict: string } {
  if ("Ok" in receipt.result) {
    return { what: `Sign-in link ${receipt.fingerprint} accepted`, why: "", verdict: "accepted" };
  }
  const reason = receipt.result.Err.reason;
  return {
    what: `Sign-in link ${receipt.fingerprint} rejected`,
    why: REDIRECT_REASONS[reason],
    verdict: reason,
  };
}

/** Why a sign-in link was refused, for every reason the shell has (tsc checks the list is complete). */
const REDIRECT_REASONS: Record<RedirectError["reason"], string> = {
  noSignInInProgress: "No sign-in is waiting for it. Start the sign-in from GraphDesk.",
  wrongTarget: "It is not a GraphDesk sign-in redirect.",
  malformed: "It is not a valid link.",
  tooLong: "It is too long to be a sign-in redirect.",
  fragment: "It carries a fragment, which GraphDesk never asks for.",
  badEncoding: "It is not properly encoded.",
  duplicateParameter: "It repeats a parameter.",
  forbiddenParameter: "It carries a token, which a genuine redirect never does.",
  missingParameter: "It lacks a code or state.",
  codeAndError: "It carries both a code and an error.",
  unknownState: "It does not belong to the sign-in in progress.",
  replayedState: "It was already used.",
  expiredState: "The sign-in it answers has expired. Start it again.",
};
