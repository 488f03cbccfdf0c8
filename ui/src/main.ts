// GraphDesk's window: loads the app status, wires the panels, and renders events from the shell as they come.
import { refreshAccounts, refreshStatus, showProfile } from "./accounts";
import { wireGraph } from "./graph";
import { commands, events } from "./ipc";
import { wireSettings } from "./settings";
import { showDeviceCode, showDeviceCodeProgress, wireSignIn } from "./signin";
import { loadToken, renderToken, wireToken } from "./token";
import type { RedirectReceipt } from "./ipc.gen";
import { addActivity, describeError, describeReceipt, element, showNotice } from "./view";

async function quickRefresh(): Promise<void> {
  const button = element("quick-refresh", HTMLButtonElement);
  button.disabled = true;
  try {
    const outcome = await commands.quickRefresh();
    if (outcome.ok) {
      addActivity(`Token for ${outcome.value.account.username}`, `from ${outcome.value.source}`, { outcome: "refreshed" });
      renderToken(outcome.value);
      showNotice(null);
    } else {
      addActivity("Quick refresh failed", describeError(outcome.error), { outcome: outcome.error.kind });
      showNotice(describeError(outcome.error));
    }
  } finally {
    button.disabled = false;
  }
}

function renderReceipt(receipt: RedirectReceipt): void {
  const { what, why, verdict } = describeReceipt(receipt);
  addActivity(what, why, { fingerprint: receipt.fingerprint, verdict });
  showNotice(verdict === "accepted" ? null : `${what}: ${why}`);
}

async function start(): Promise<void> {
  // Listen first, then read what arrived before: a link that launched the app is in the recent list, later ones are events.
  const shown = new Set<number>();
  const show = (receipt: RedirectReceipt): void => {
    if (shown.has(receipt.sequence)) return;
    shown.add(receipt.sequence);
    renderReceipt(receipt);
  };
  await events.onDeepLink(show);
  const recent = await commands.recentRedirects();
  if (recent.ok) recent.value.forEach(show);
  await events.onQuickRefreshDone((done) => {
    if (done.outcome === "refreshed")
      addActivity(`Token for ${done.result.account.username}`, `from ${done.result.source}`, { outcome: "refreshed" });
    else addActivity("Quick refresh failed", describeError(done.error), { outcome: done.error.kind });
  });
  await events.onDeviceCode(showDeviceCode);
  await events.onDeviceCodeProgress(showDeviceCodeProgress);
  await events.onTokenChanged((summary) => renderToken(summary));
  await events.onAccountsChanged(() => {
    void refreshAccounts();
    void refreshStatus();
  });
  element("quick-refresh", HTMLButtonElement).addEventListener("click", () => void quickRefresh());
  wireSignIn();
  wireToken();
  wireGraph();
  wireSettings();
  // The session opens in the background (demo tenant, keyring): the window paints first, then fills in.
  // Listen before asking: a session that opens after the question is announced; one that opened before shows in it.
  let opened = false;
  let sessionOpened: () => void = () => undefined;
  const sessionReady = new Promise<void>((resolve) => (sessionOpened = resolve));
  await events.onSessionOpened((error) => {
    if (error) showNotice(`GraphDesk could not open its session: ${describeError(error)}`);
    sessionOpened();
  });
  const status = await commands.appStatus();
  if (status.ok) {
    opened = status.value.mode !== null;
    await refreshStatus();
  } else {
    showNotice(describeError(status.error));
  }
  document.body.dataset.painted = "true";
  requestAnimationFrame(() => requestAnimationFrame(() => void commands.firstPaint()));
  if (!opened) await sessionReady;
  await refreshStatus();
  await refreshAccounts();
  const active = await commands.activeAccount();
  if (active.ok && active.value !== null) {
    await loadToken();
    await showProfile(active.value);
  }
  document.body.dataset.ready = "true";
}

void start().catch((error: unknown) => showNotice(`GraphDesk's window failed to start: ${String(error)}`));
