// The ways to sign in from the window: the browser (the Sign in button; the Windows broker when the settings choose
// it), a device code, username/password, and on Windows the Windows session's own sign-in (IWA).
// Each reports progress, can be cancelled, and ends by re-reading the accounts.
import { refreshAccounts, showProfile } from "./accounts";
import { commands } from "./ipc";
import type { DeviceCodeFlow, DeviceCodeProgress, TokenSummary } from "./ipc.gen";
import type { Outcome } from "./ipc";
import { addActivity, describeError, element, showNotice } from "./view";
import { expiresIn, renderToken } from "./token";

const SIGN_IN_BUTTONS = ["sign-in", "sign-in-device-code", "sign-in-password", "sign-in-windows"] as const;

let deviceCode: DeviceCodeFlow | null = null;

function busy(on: boolean, label: string): void {
  for (const id of SIGN_IN_BUTTONS) element(id, HTMLButtonElement).disabled = on;
  element("sign-in", HTMLButtonElement).textContent = on ? label : "Sign in";
  element("cancel-sign-in", HTMLButtonElement).hidden = !on;
}

async function finish(outcome: Outcome<TokenSummary>, how: string): Promise<void> {
  if (outcome.ok) {
    const summary = outcome.value;
    addActivity(`Signed in ${summary.account.username}`, summary.cacheWarning ?? `${how}; scopes: ${summary.scopes}`, {
      outcome: "signedIn",
    });
    showNotice(summary.cacheWarning);
    renderToken(summary);
    await refreshAccounts();
    await showProfile(summary.account.homeAccountId);
  } else {
    addActivity("Sign-in did not complete", describeError(outcome.error), { outcome: outcome.error.kind });
    showNotice(describeError(outcome.error));
  }
}

export async function signIn(): Promise<void> {
  busy(true, "Waiting for the browser…");
  try {
    await finish(await commands.signIn(), "in the browser");
  } finally {
    busy(false, "");
  }
}

function tickDeviceCode(): void {
  if (deviceCode === null) return;
  element("device-code-countdown", HTMLElement).textContent = expiresIn(deviceCode.expiresOn, Date.now());
}

export function showDeviceCode(flow: DeviceCodeFlow): void {
  deviceCode = flow;
  element("device-code", HTMLElement).hidden = false;
  element("device-code-message", HTMLElement).textContent = flow.message;
  element("device-code-value", HTMLElement).textContent = flow.userCode;
  element("device-code-status", HTMLElement).textContent = "waiting for you";
  tickDeviceCode();
}

export function showDeviceCodeProgress(progress: DeviceCodeProgress): void {
  element("device-code-status", HTMLElement).textContent =
    progress.kind === "waiting" ? "waiting for you" : `the service asked to poll every ${progress.interval} s`;
}

async function signInWithDeviceCode(): Promise<void> {
  busy(true, "Waiting for the code…");
  try {
    await finish(await commands.signInWithDeviceCode(), "with a device code");
  } finally {
    deviceCode = null;
    element("device-code", HTMLElement).hidden = true;
    busy(false, "");
  }
}

async function signInWithWindows(): Promise<void> {
  busy(true, "Signing in with Windows…");
  try {
    await finish(await commands.signInWithWindows(), "with Windows (IWA)");
  } finally {
    busy(false, "");
  }
}

async function signInWithPassword(): Promise<void> {
  const username = element("password-username", HTMLInputElement);
  const password = element("password-password", HTMLInputElement);
  busy(true, "Signing in…");
  element("password-submit", HTMLButtonElement).disabled = true;
  try {
    const outcome = await commands.signInWithPassword(username.value, password.value);
    password.value = "";
    if (outcome.ok) element("password-form", HTMLElement).hidden = true;
    await finish(outcome, "with a password");
  } finally {
    element("password-submit", HTMLButtonElement).disabled = false;
    busy(false, "");
  }
}

export function wireSignIn(): void {
  element("sign-in", HTMLButtonElement).addEventListener("click", () => void signIn());
  element("sign-in-device-code", HTMLButtonElement).addEventListener("click", () => void signInWithDeviceCode());
  element("sign-in-windows", HTMLButtonElement).addEventListener("click", () => void signInWithWindows());
  element("sign-in-password", HTMLButtonElement).addEventListener("click", () => {
    element("password-form", HTMLElement).hidden = false;
    element("password-username", HTMLInputElement).focus();
  });
  element("password-close", HTMLButtonElement).addEventListener("click", () => {
    element("password-password", HTMLInputElement).value = "";
    element("password-form", HTMLElement).hidden = true;
  });
  element("password-sign-in", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    void signInWithPassword();
  });
  element("cancel-sign-in", HTMLButtonElement).addEventListener("click", () => void commands.cancelSignIn());
  element("device-code-copy", HTMLButtonElement).addEventListener("click", () => {
    if (deviceCode) void navigator.clipboard.writeText(deviceCode.userCode).catch(() => undefined);
  });
  element("device-code-open", HTMLButtonElement).addEventListener("click", () => {
    void commands.openDevicePage().then((outcome) => {
      if (!outcome.ok) showNotice(describeError(outcome.error));
    });
  });
  window.setInterval(tickDeviceCode, 1000);
}
