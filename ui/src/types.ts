// The shapes that cross IPC, mirroring the Rust types named beside each (serde, camelCase, tagged enums).

/** graphdesk_core::cache_status::CacheStatus */
export type CacheStatus =
  | { state: "absent"; path: string }
  | { state: "present"; path: string; bytes: number; modifiedEpoch: number | null }
  | { state: "unreadable"; path: string; reason: string };

/** graphdesk_core::service::AppStatus */
export interface AppStatus {
  name: string;
  version: string;
  dataDir: string;
  redirectUri: string;
  cache: CacheStatus;
  mode: SessionMode | null;
  sessionWarning: string | null;
}

/** graphdesk_core::redirect::RedirectError */
export type RedirectError = { reason: string; [field: string]: unknown };

/** graphdesk_core::keystore::KeyringError */
export type KeyringError = { reason: string; detail?: string; name?: string };

/** src-tauri ipc_error::IpcError: every command error, tagged by kind. */
/** graphdesk_core::graph::UserProfile */
export interface UserProfile {
  id: string;
  displayName: string | null;
  userPrincipalName: string | null;
  mail: string | null;
  jobTitle: string | null;
}

export type IpcError =
  | { kind: "notSignedIn"; message: string }
  | { kind: "uiRequired"; detail: { reason: string; aadsts: number | null; correlationId: string | null }; message: string }
  | { kind: "server"; detail: { error: string; aadsts: number | null; correlationId: string | null }; message: string }
  | { kind: "graph"; detail: { code: string; status: number; requestId: string | null }; message: string }
  | { kind: "network"; message: string }
  | { kind: "cancelled"; message: string }
  | { kind: "signInRefused"; error: string; aadsts: number | null; message: string }
  | { kind: "cache"; message: string }
  | { kind: "config"; field: string; message: string }
  | { kind: "keyring"; detail: KeyringError; message: string }
  | { kind: "redirect"; detail: RedirectError; message: string }
  | { kind: "internal"; message: string };

/** graphdesk_core::engine::Account */
export interface Account {
  homeAccountId: string;
  environment: string;
  realm: string;
  username: string;
  name: string | null;
  localAccountId: string;
  tenantProfiles: TenantProfile[];
}

/** graphdesk_core::engine::TenantProfile */
export interface TenantProfile {
  tenantId: string;
  localAccountId: string;
  name: string | null;
  isHomeTenant: boolean;
}

/** graphdesk_core::session::TokenSummary: what the window learns of a token (never the token itself). */
export interface TokenSummary {
  account: Account;
  expiresOn: number;
  scopes: string;
  source: TokenSource;
  cacheWarning: string | null;
  /** The access token's header and claims when it is a JWT. */
  decoded: { header: Record<string, unknown>; claims: Record<string, unknown> } | null;
}

export type TokenSource = "cache" | "refresh" | "interactive" | "deviceCode" | "usernamePassword";

/** graphdesk_core::flows::device_code::DeviceCodeFlow (without the device code itself). */
export interface DeviceCodeFlow {
  userCode: string;
  verificationUri: string;
  message: string;
  expiresOn: number;
  interval: number;
}

/** graphdesk_core::flows::device_code::DeviceCodeProgress */
export type DeviceCodeProgress = { kind: "waiting"; secondsLeft: number } | { kind: "slowedDown"; interval: number };

/** graphdesk_core::session::ApiResult */
export interface ApiResult {
  status: number;
  headers: [string, string][];
  elapsedMs: number;
  attempts: number;
  requestId: string | null;
  clientRequestId: string;
  json: unknown;
  text: string | null;
  bodyBytes: number;
  nextLink: string | null;
}

/** src-tauri commands::GraphRequest */
export interface GraphRequest {
  account: string | null;
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  path: string;
  body: string;
  scopes: string[];
}

/** graphdesk_core::session::SessionMode */
export type SessionMode =
  | { kind: "demo"; tenantUrl: string }
  | { kind: "configured"; authority: string; clientId: string };

/** Rust's Result<(), RedirectError> as serde writes it. */
export type RedirectResult = { Ok: null } | { Err: RedirectError & { message?: string } };

/** graphdesk_core::service::RedirectReceipt */
export interface RedirectReceipt {
  sequence: number;
  fingerprint: string;
  result: RedirectResult;
}

/** src-tauri events::QuickRefreshDone */
export type QuickRefreshDone =
  | { outcome: "refreshed"; result: TokenSummary }
  | { outcome: "failed"; error: IpcError };

/** graphdesk_core::settings::Settings */
export interface Settings {
  clientId: string;
  tenant: string;
  cloud: "global" | "usGovernment" | "china";
  redirectUri: string;
  defaultScopes: string[];
  extraRootCaFile: string;
  logLevel: string;
}
