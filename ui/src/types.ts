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
}

/** graphdesk_core::redirect::RedirectError */
export type RedirectError = { reason: string; [field: string]: unknown };

/** graphdesk_core::keystore::KeyringError */
export type KeyringError = { reason: string; detail?: string; name?: string };

/** src-tauri ipc_error::IpcError: every command error, tagged by kind. */
export type IpcError =
  | { kind: "notSignedIn"; message: string }
  | { kind: "config"; field: string; message: string }
  | { kind: "keyring"; detail: KeyringError; message: string }
  | { kind: "redirect"; detail: RedirectError; message: string }
  | { kind: "internal"; message: string };

/** graphdesk_core::service::QuickRefresh */
export interface QuickRefresh {
  account: string;
  expiresOn: number;
}

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
  | { outcome: "refreshed"; result: QuickRefresh }
  | { outcome: "failed"; error: IpcError };
