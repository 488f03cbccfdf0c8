// Generated from GraphDesk's Rust types by src-tauri/src/ipc/generate.rs: do not edit. To regenerate, run
// `GRAPHDESK_UPDATE_IPC=1 cargo test -p graphdesk ipc`; a test fails while this file is stale.

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type CacheStatus = { "state": "absent", path: string, } | { "state": "present", path: string, bytes: number, 
/**
 * Last modification, seconds since the Unix epoch; `None` where the file system does not say.
 */
modifiedEpoch: number | null, } | { "state": "unreadable", path: string, reason: string, };

export type SessionMode = { "kind": "demo", tenantUrl: string, } | { "kind": "configured", authority: string, clientId: string, };

export type AppStatus = { name: string, version: string, dataDir: string, redirectUri: string, cache: CacheStatus, 
/**
 * The session's kind (demo tenant or configured app); `None` while none is open.
 */
mode: SessionMode | null, 
/**
 * Why the persisted cache was not loaded, when it was not.
 */
sessionWarning: string | null, 
/**
 * The operating system (`linux`, `windows`, `macos`): the window offers Windows' own sign-ins only on Windows.
 */
platform: string, };

export type RedirectError = { "reason": "tooLong", len: number, max: number, } | { "reason": "malformed" } | { "reason": "wrongTarget", expected: string, } | { "reason": "fragment" } | { "reason": "badEncoding" } | { "reason": "duplicateParameter", name: string, } | { "reason": "forbiddenParameter", name: string, } | { "reason": "missingParameter", name: string, } | { "reason": "codeAndError" } | { "reason": "noSignInInProgress" } | { "reason": "unknownState" } | { "reason": "replayedState" } | { "reason": "expiredState" };

export type WindowsSignInError = { "why": "noUsername" } | { "why": "managedUser", domain: string, } | { "why": "unknownUser" } | { "why": "notEntra" } | { "why": "noWindowsEndpoint" } | { "why": "federationRefused", code: string, reason: string, } | { "why": "negotiate", detail: string, };

export type RedirectReceipt = { 
/**
 * Counts links received since start (1, 2, …), so a window that missed some can tell which ones it has shown.
 */
sequence: number, fingerprint: string, result: { Ok : null } | { Err : RedirectError }, };

export type TenantProfile = { tenantId: string, localAccountId: string, name: string | null, 
/**
 * Whether this is the account's home tenant (the `utid` half of its home account id).
 */
isHomeTenant: boolean, };

export type Account = { 
/**
 * `uid.utid`: MSAL's account identifier.
 */
homeAccountId: string, environment: string, realm: string, username: string, name: string | null, 
/**
 * The user's object id in the tenant.
 */
localAccountId: string, 
/**
 * The tenants this account has signed in to with this app (its home tenant and any it is a guest in), home first.
 */
tenantProfiles: Array<TenantProfile>, };

export type TokenSource = "cache" | "refresh" | "interactive" | "deviceCode" | "usernamePassword" | "integratedWindows" | "broker";

export type JwtView = { header: JsonValue, claims: JsonValue, };

export type TokenSummary = { account: Account, expiresOn: number, scopes: string, source: TokenSource, 
/**
 * Set when the token cache could not be saved (no keyring, say): the session works, but will not survive a restart.
 */
cacheWarning: string | null, 
/**
 * The access token's header and claims when it is a JWT (as jwt.ms shows them); the token itself is not here.
 */
decoded: JwtView | null, 
/**
 * Names this access token for [`Session::access_token_by_id`] (a short hash: it cannot be turned back into the
 * token). The window copies "the token it shows" by this id, and the token itself never crosses to it.
 */
tokenId: string, };

export type DeviceCodeFlow = { userCode: string, verificationUri: string, message: string, 
/**
 * When the code expires, seconds since the epoch.
 */
expiresOn: number, interval: number, };

export type DeviceCodeProgress = { "kind": "waiting", secondsLeft: number, } | { "kind": "slowedDown", interval: number, };

export type ApiResponse = { status: number, headers: Array<[string, string]>, elapsedMs: number, attempts: number, requestId: string | null, clientRequestId: string, };

export type ApiResult = { 
/**
 * The body as JSON, when it is JSON.
 */
json: JsonValue | null, 
/**
 * The body as text, when it is text but not JSON (at most 64 KiB).
 */
text: string | null, bodyBytes: number, 
/**
 * `@odata.nextLink`, for "next page".
 */
nextLink: string | null, status: number, headers: Array<[string, string]>, elapsedMs: number, attempts: number, requestId: string | null, clientRequestId: string, };

export type UserProfile = { id: string, displayName: string | null, userPrincipalName: string | null, mail: string | null, jobTitle: string | null, };

export type Cloud = "global" | "usGovernment" | "china";

export type Settings = { 
/**
 * The application (client) id of the app registration; empty for demo mode.
 */
clientId: string, 
/**
 * `organizations`, `common`, `consumers`, a tenant id or domain — or a full authority URL (another host).
 */
tenant: string, cloud: Cloud, redirectUri: string, defaultScopes: Array<string>, 
/**
 * A PEM file of extra trusted root certificates (a corporate proxy's); empty for none.
 */
extraRootCaFile: string, 
/**
 * The web API the request bar calls: an https base URL such as `https://graph.microsoft.com/beta` or your own
 * API's; empty for Microsoft Graph v1.0 on the cloud. An authority on a host of its own (AD FS, a test tenant)
 * names its API here.
 */
apiBaseUrl: string, 
/**
 * `error`, `warn`, `info`, `debug` or `trace` (the `GRAPHDESK_LOG` environment variable wins).
 */
logLevel: string, 
/**
 * Sign in through the Windows broker (WAM) instead of the browser: Windows only, and only with an app registration
 * that lists the broker's redirect URI (`ms-appx-web://Microsoft.AAD.BrokerPlugin/{client id}`).
 */
useWindowsBroker: boolean, };

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type Dialect = "msalPython" | "msalNode";

export type EntryWarning = { section: string, 
/**
 * The entry's position in its section (keys can hold account ids, which are not logged).
 */
index: number, reason: string, };

export type ImportSummary = { accounts: number, accessTokens: number, refreshTokens: number, 
/**
 * Entries for other apps or clouds, and tokens of another scheme than Bearer, kept as they were.
 */
keptForeign: number, 
/**
 * Entries that do not fit the schema: kept verbatim, written back, never used.
 */
warnings: Array<EntryWarning>, };

export type GraphRequest = { account: string | null, method: Method, 
/**
 * `/me`, `/users?$top=5`, or a next link.
 */
path: string, 
/**
 * JSON text; empty for none.
 */
body: string, scopes: Array<string>, };

export type UiRequiredReason = "noAccount" | "nothingCached" | "refreshRefused" | "interactionRequired" | "consentRequired" | "loginRequired" | "claimsChallenge" | "accountMismatch";

export type UiRequired = { reason: UiRequiredReason, 
/**
 * The OAuth error code, when the platform answered (`invalid_grant`, `interaction_required`, …).
 */
error: string | null, suberror: string | null, 
/**
 * A claims challenge to pass to the interactive request.
 */
claims: string | null, aadsts: number | null, correlationId: string | null, 
/**
 * The platform's description, without its trace ids.
 */
description: string | null, };

export type ServerError = { status: number, error: string, description: string | null, aadsts: number | null, correlationId: string | null, suberror: string | null, };

export type GraphError = { status: number, code: string, message: string, requestId: string | null, clientRequestId: string | null, };

export type KeyringError = { "reason": "unavailable", detail: string, } | { "reason": "locked", detail: string, } | { "reason": "corrupt", name: string, } | { "reason": "platform", detail: string, };

export type ConfigField = "clientId" | "tenant" | "redirectUri" | "defaultScopes" | "extraRootCaFile" | "logLevel" | "clientCapabilities" | "instanceMetadata" | "apiBaseUrl" | "dataDir" | "useWindowsBroker";

export type RequestField = "path" | "body" | "username" | "deviceCode" | "token" | "file";

export type IpcError = { "kind": "notSignedIn", message: string, } | { "kind": "uiRequired", detail: UiRequired, message: string, } | { "kind": "server", detail: ServerError, message: string, } | { "kind": "graph", detail: GraphError, message: string, } | { "kind": "network", message: string, } | { "kind": "timeout", message: string, } | { "kind": "throttled", retryAfter: number, message: string, } | { "kind": "protocol", message: string, } | { "kind": "cancelled", message: string, } | { "kind": "declined", message: string, } | { "kind": "signInRefused", error: string, aadsts: number | null, message: string, } | { "kind": "signInTimeout", message: string, } | { "kind": "invalidIdToken", message: string, } | { "kind": "cache", message: string, } | { "kind": "config", field: ConfigField, message: string, } | { "kind": "invalidRequest", field: RequestField, message: string, } | { "kind": "settingsFile", message: string, } | { "kind": "keyring", detail: KeyringError, message: string, } | { "kind": "redirect", detail: RedirectError, message: string, } | { "kind": "browserUnavailable", message: string, } | { "kind": "notConfirmed", message: string, } | { "kind": "clipboard", message: string, } | { "kind": "demoUnavailable", message: string, } | { "kind": "windowsSignIn", detail: WindowsSignInError, message: string, } | { "kind": "unsupported", message: string, };

export type QuickRefreshDone = { "outcome": "refreshed", result: TokenSummary, } | { "outcome": "failed", error: IpcError, };

/** Every command: what the window sends, and what it answers (its error is an `IpcError`). */
export type Commands = {
  app_status: { args: Record<string, never>; answer: AppStatus };
  recent_redirects: { args: Record<string, never>; answer: Array<RedirectReceipt> };
  accounts: { args: Record<string, never>; answer: Array<Account> };
  sign_in: { args: Record<string, never>; answer: TokenSummary };
  acquire_token: { args: { account: string | null; scopes: Array<string> }; answer: TokenSummary };
  token: { args: { account: string | null }; answer: TokenSummary };
  copy_access_token: { args: { tokenId: string }; answer: null };
  sign_in_with_device_code: { args: Record<string, never>; answer: TokenSummary };
  open_device_page: { args: Record<string, never>; answer: null };
  sign_in_with_password: { args: { username: string; password: string }; answer: TokenSummary };
  sign_in_with_windows: { args: Record<string, never>; answer: TokenSummary };
  graph_request: { args: { request: GraphRequest }; answer: ApiResult };
  photo: { args: { account: string }; answer: string | null };
  choose_account: { args: { account: string }; answer: Account };
  active_account: { args: Record<string, never>; answer: string | null };
  first_paint: { args: Record<string, never>; answer: null };
  settings_get: { args: Record<string, never>; answer: Settings };
  settings_set: { args: { settings: Settings }; answer: AppStatus };
  cancel_sign_in: { args: Record<string, never>; answer: null };
  profile: { args: { account: string }; answer: UserProfile };
  sign_out: { args: { account: string }; answer: string | null };
  cache_import: { args: { path: string }; answer: ImportSummary };
  cache_export: { args: { dialect: Dialect; path: string }; answer: null };
  quick_refresh: { args: Record<string, never>; answer: TokenSummary };
};

/** Every event the window can listen to, by its wire name. */
export const EVENTS = {
  deepLinkReceived: "graphdesk://deep-link-received",
  quickRefreshFinished: "graphdesk://quick-refresh-done",
  deviceCodeShown: "graphdesk://device-code",
  deviceCodeProgressed: "graphdesk://device-code-progress",
  tokenChanged: "graphdesk://token-changed",
  sessionOpened: "graphdesk://session-opened",
  accountsChanged: "graphdesk://accounts-changed",
} as const;

/** What each event carries. */
export type EventPayloads = {
  "graphdesk://deep-link-received": RedirectReceipt;
  "graphdesk://quick-refresh-done": QuickRefreshDone;
  "graphdesk://device-code": DeviceCodeFlow;
  "graphdesk://device-code-progress": DeviceCodeProgress;
  "graphdesk://token-changed": TokenSummary;
  "graphdesk://session-opened": IpcError | null;
  "graphdesk://accounts-changed": null;
};
