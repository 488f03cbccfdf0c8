// The token panel: the active account's token as jwt.ms would show it — scopes, a ticking expiry, where it came from,
// the decoded header and claims — and the token itself only when the user clicks Copy.
import { commands } from "./ipc";
import type { TokenSource, TokenSummary } from "./ipc.gen";
import { addActivity, describeError, element, showNotice } from "./view";

const SOURCES: Record<TokenSource, string> = {
  cache: "token cache",
  refresh: "refresh token",
  interactive: "browser sign-in",
  deviceCode: "device code",
  usernamePassword: "username and password",
  integratedWindows: "Windows sign-in (IWA)",
  broker: "Windows broker (WAM)",
};

let shown: TokenSummary | null = null;

/** "59 min 12 s", "expired". */
export function expiresIn(expiresOn: number, nowMs: number): string {
  const left = Math.floor(expiresOn - nowMs / 1000);
  if (left <= 0) return "expired";
  const minutes = Math.floor(left / 60);
  const seconds = left % 60;
  return minutes > 0 ? `${minutes} min ${seconds} s` : `${seconds} s`;
}

function tick(): void {
  if (shown === null) return;
  const cell = element("token-expires-in", HTMLElement);
  cell.textContent = expiresIn(shown.expiresOn, Date.now());
  cell.dataset.expiresOn = String(shown.expiresOn);
}

export function renderToken(summary: TokenSummary | null): void {
  shown = summary;
  element("token-empty", HTMLElement).hidden = summary !== null;
  const details = element("token-details", HTMLElement);
  details.hidden = summary === null;
  if (summary === null) return;
  element("token-account", HTMLElement).textContent = summary.account.username;
  element("token-scopes", HTMLElement).textContent = summary.scopes;
  element("token-expires-at", HTMLElement).textContent = `(at ${new Date(summary.expiresOn * 1000).toLocaleTimeString()})`;
  const source = element("token-source", HTMLElement);
  source.textContent = SOURCES[summary.source];
  source.dataset.source = summary.source;
  element("token-header", HTMLElement).textContent = summary.decoded
    ? JSON.stringify(summary.decoded.header, null, 2)
    : "Not a JWT: this token is opaque to clients.";
  element("token-claims", HTMLElement).textContent = summary.decoded ? JSON.stringify(summary.decoded.claims, null, 2) : "";
  tick();
}

/** Shows the active account's current token (silently; nothing when UI would be needed). */
export async function loadToken(): Promise<void> {
  const outcome = await commands.token(null);
  renderToken(outcome.ok ? outcome.value : null);
  if (!outcome.ok && outcome.error.kind !== "notSignedIn") {
    element("token-empty", HTMLElement).textContent = `No token without signing in: ${describeError(outcome.error)}`;
  } else {
    element("token-empty", HTMLElement).textContent = "Sign in to see the active account's token.";
  }
}

/** Copies the token the panel shows: the shell puts it on the clipboard; the window names it and never holds it. */
async function copyToken(): Promise<void> {
  if (shown === null) return;
  const outcome = await commands.copyAccessToken(shown.tokenId);
  if (!outcome.ok) {
    showNotice(describeError(outcome.error));
    return;
  }
  addActivity("Access token copied", "to the clipboard, at your request", { outcome: "copied" });
}

export function wireToken(): void {
  element("token-copy", HTMLButtonElement).addEventListener("click", () => void copyToken());
  window.setInterval(tick, 1000);
}
