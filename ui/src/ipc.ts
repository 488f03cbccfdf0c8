// The one module that talks to the Rust side: every command and event name lives here, typed.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  Account,
  ApiResult,
  AppStatus,
  DeviceCodeFlow,
  DeviceCodeProgress,
  GraphRequest,
  IpcError,
  QuickRefreshDone,
  RedirectReceipt,
  Settings,
  TokenSummary,
  UserProfile,
} from "./types";

/** Event names, as in src-tauri/src/events.rs. */
const EVENTS = {
  deepLinkReceived: "graphdesk://deep-link-received",
  quickRefreshDone: "graphdesk://quick-refresh-done",
  deviceCode: "graphdesk://device-code",
  deviceCodeProgress: "graphdesk://device-code-progress",
  tokenChanged: "graphdesk://token-changed",
  accountsChanged: "graphdesk://accounts-changed",
  sessionOpened: "graphdesk://session-opened",
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
  acquireToken: (account: string | null, scopes: string[]) => call<TokenSummary>("acquire_token", { account, scopes }),
  token: (account: string | null) => call<TokenSummary>("token", { account }),
  copyAccessToken: (account: string | null) => call<string>("copy_access_token", { account, scopes: [] }),
  signInWithDeviceCode: () => call<TokenSummary>("sign_in_with_device_code"),
  openDevicePage: () => call<null>("open_device_page"),
  signInWithPassword: (username: string, password: string) =>
    call<TokenSummary>("sign_in_with_password", { username, password }),
  graphRequest: (request: GraphRequest) => call<ApiResult>("graph_request", { request }),
  photo: (account: string) => call<string | null>("photo", { account }),
  chooseAccount: (account: string) => call<Account>("choose_account", { account }),
  activeAccount: () => call<string | null>("active_account"),
  firstPaint: () => call<null>("first_paint"),
  settingsGet: () => call<Settings>("settings_get"),
  settingsSet: (settings: Settings) => call<AppStatus>("settings_set", { settings }),
};

export const events = {
  onDeepLink: (handler: (receipt: RedirectReceipt) => void): Promise<UnlistenFn> =>
    listen<RedirectReceipt>(EVENTS.deepLinkReceived, (event) => handler(event.payload)),
  onQuickRefreshDone: (handler: (done: QuickRefreshDone) => void): Promise<UnlistenFn> =>
    listen<QuickRefreshDone>(EVENTS.quickRefreshDone, (event) => handler(event.payload)),
  onDeviceCode: (handler: (flow: DeviceCodeFlow) => void): Promise<UnlistenFn> =>
    listen<DeviceCodeFlow>(EVENTS.deviceCode, (event) => handler(event.payload)),
  onDeviceCodeProgress: (handler: (progress: DeviceCodeProgress) => void): Promise<UnlistenFn> =>
    listen<DeviceCodeProgress>(EVENTS.deviceCodeProgress, (event) => handler(event.payload)),
  onTokenChanged: (handler: (summary: TokenSummary) => void): Promise<UnlistenFn> =>
    listen<TokenSummary>(EVENTS.tokenChanged, (event) => handler(event.payload)),
  onAccountsChanged: (handler: () => void): Promise<UnlistenFn> => listen<null>(EVENTS.accountsChanged, () => handler()),
  onSessionOpened: (handler: (error: IpcError | null) => void): Promise<UnlistenFn> =>
    listen<IpcError | null>(EVENTS.sessionOpened, (event) => handler(event.payload)),
};
