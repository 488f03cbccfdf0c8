// The one module that talks to the Rust side. Command names, their arguments and answers, event names and payloads all
// come from ipc.gen.ts, which is generated from the Rust types: a name or shape the shell does not have fails `tsc`.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { type Commands, EVENTS, type EventPayloads, type IpcError } from "./ipc.gen";

/** What a call can fail with: the shell's typed error, or Tauri's own (a command the shell does not know, say). */
export type CallError = IpcError | { kind: "internal"; message: string };

/** A command's answer: the value, or the typed error. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: CallError };

function isIpcError(value: unknown): value is IpcError {
  return typeof value === "object" && value !== null && "kind" in value && "message" in value;
}

type Command = keyof Commands;
type Args<C extends Command> = Commands[C]["args"];
type Answer<C extends Command> = Commands[C]["answer"];

/** Calls `command`; arguments may be left out only when it takes none. */
async function call<C extends Command>(
  command: C,
  ...args: Args<C> extends Record<string, never> ? [] : [Args<C>]
): Promise<Outcome<Answer<C>>> {
  try {
    return { ok: true, value: await invoke<Answer<C>>(command, args[0]) };
  } catch (raw) {
    const error: CallError = isIpcError(raw) ? raw : { kind: "internal", message: String(raw) };
    return { ok: false, error };
  }
}

export const commands = {
  appStatus: () => call("app_status"),
  quickRefresh: () => call("quick_refresh"),
  recentRedirects: () => call("recent_redirects"),
  accounts: () => call("accounts"),
  signIn: () => call("sign_in"),
  cancelSignIn: () => call("cancel_sign_in"),
  profile: (account: string) => call("profile", { account }),
  signOut: (account: string) => call("sign_out", { account }),
  acquireToken: (account: string | null, scopes: string[]) => call("acquire_token", { account, scopes }),
  token: (account: string | null) => call("token", { account }),
  copyAccessToken: (tokenId: string) => call("copy_access_token", { tokenId }),
  signInWithDeviceCode: () => call("sign_in_with_device_code"),
  openDevicePage: () => call("open_device_page"),
  signInWithPassword: (username: string, password: string) => call("sign_in_with_password", { username, password }),
  signInWithWindows: () => call("sign_in_with_windows"),
  graphRequest: (request: Args<"graph_request">["request"]) => call("graph_request", { request }),
  photo: (account: string) => call("photo", { account }),
  chooseAccount: (account: string) => call("choose_account", { account }),
  activeAccount: () => call("active_account"),
  firstPaint: () => call("first_paint"),
  settingsGet: () => call("settings_get"),
  settingsSet: (settings: Args<"settings_set">["settings"]) => call("settings_set", { settings }),
  cacheImport: (path: string) => call("cache_import", { path }),
  cacheExport: (dialect: Args<"cache_export">["dialect"], path: string) => call("cache_export", { dialect, path }),
};

type EventName = keyof EventPayloads;

function on<E extends EventName>(name: E, handler: (payload: EventPayloads[E]) => void): Promise<UnlistenFn> {
  return listen<EventPayloads[E]>(name, (event) => handler(event.payload));
}

export const events = {
  onDeepLink: (handler: (receipt: EventPayloads[typeof EVENTS.deepLinkReceived]) => void) =>
    on(EVENTS.deepLinkReceived, handler),
  onQuickRefreshDone: (handler: (done: EventPayloads[typeof EVENTS.quickRefreshFinished]) => void) =>
    on(EVENTS.quickRefreshFinished, handler),
  onDeviceCode: (handler: (flow: EventPayloads[typeof EVENTS.deviceCodeShown]) => void) =>
    on(EVENTS.deviceCodeShown, handler),
  onDeviceCodeProgress: (handler: (progress: EventPayloads[typeof EVENTS.deviceCodeProgressed]) => void) =>
    on(EVENTS.deviceCodeProgressed, handler),
  onTokenChanged: (handler: (summary: EventPayloads[typeof EVENTS.tokenChanged]) => void) =>
    on(EVENTS.tokenChanged, handler),
  onAccountsChanged: (handler: () => void) => on(EVENTS.accountsChanged, () => handler()),
  onSessionOpened: (handler: (error: EventPayloads[typeof EVENTS.sessionOpened]) => void) =>
    on(EVENTS.sessionOpened, handler),
};
