// Rendering helpers: look elements up once, write text only (never markup), and describe outcomes in words.
import type { AppStatus, IpcError, RedirectReceipt } from "./types";

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
  for (const id of ["sign-in", "sign-in-device-code", "sign-in-password"]) {
    element(id, HTMLButtonElement).disabled = status.mode === null;
  }
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

/** A sentence for an error, in words a user can act on. */
export function describeError(error: IpcError): string {
  switch (error.kind) {
    case "notSignedIn":
      return "Not signed in. Sign in first, then refresh.";
    case "config":
      return `${error.message[0]?.toUpperCase() ?? ""}${error.message.slice(1)}.`;
    case "uiRequired": {
      const code = error.detail.aadsts ? ` AADSTS${error.detail.aadsts}` : "";
      const id = error.detail.correlationId ? ` correlation id ${error.detail.correlationId}` : "";
      return `${error.message}${code || id ? ` (${`${code}${id}`.trim()})` : ""}`;
    }
    case "server": {
      const code = error.detail.aadsts ? ` AADSTS${error.detail.aadsts}` : "";
      const id = error.detail.correlationId ? ` correlation id ${error.detail.correlationId}` : "";
      return `${error.message}${code || id ? ` (${`${code}${id}`.trim()})` : ""}`;
    }
    case "graph":
      return `${error.message}${error.detail.requestId ? ` (request-id ${error.detail.requestId})` : ""}`;
    case "signInRefused":
      return `${error.message}${error.aadsts ? ` (AADSTS${error.aadsts})` : ""}`;
    default:
      return error.message;
  }
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
    why: REDIRECT_REASONS[reason] ?? `refused (${reason})`,
    verdict: reason,
  };
}

const REDIRECT_REASONS: Record<string, string> = {
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
};
