// The one module that talks to the Rust side: every command and event name lives here, typed.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { Account, AppStatus, IpcError, QuickRefreshDone, RedirectReceipt, TokenSummary, UserProfile } from "./types";

/** Event names, as in src-tauri/src/events.rs. */
const EVENTS = {
  deepLinkReceived: "graphdesk://deep-link-received",
  quickRefreshDone: "graphdesk://quick-refresh-done",
} as const;

/** A command's answer: the value, or the typed error the shell sent. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: IpcError };

function isIpcError(value: unknown): value is IpcError {
  return typeof value === "object" && value !== null && "kind" in value && "message" in value;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await invoke<T>(command, args) };
  } catch (raw) {
    const error: IpcError = isIpcError(raw) ? raw : { kind: "internal", message: String(raw) };
    return { ok: false, error };
  }
}

export const commands = {
  appStatus: () => call<AppStatus>("app_status"),
  quickRefresh: () => call<TokenSummary>("quick_refresh"),
  recentRedirects: () => call<RedirectReceipt[]>("recent_redirects"),
  accounts: () => call<Account[]>("accounts"),
  signIn: () => call<TokenSummary>("sign_in"),
  cancelSignIn: () => call<null>("cancel_sign_in"),
  profile: (account: string) => call<UserProfile>("profile", { account }),
  signOut: (account: string) => call<string | null>("sign_out", { account }),
};

export const events = {
  onDeepLink: (handler: (receipt: RedirectReceipt) => void): Promise<UnlistenFn> =>
    listen<RedirectReceipt>(EVENTS.deepLinkReceived, (event) => handler(event.payload)),
  onQuickRefreshDone: (handler: (done: QuickRefreshDone) => void): Promise<UnlistenFn> =>
    listen<QuickRefreshDone>(EVENTS.quickRefreshDone, (event) => handler(event.payload)),
};
