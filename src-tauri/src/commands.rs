//! Tauri commands: one-liners over the core service, so their behaviour is tested in `graphdesk-core` and here without a
//! window. Errors cross as [`IpcError`].

use graphdesk_core::AppStatus;
use graphdesk_core::engine::Account;
use graphdesk_core::graph::UserProfile;
use graphdesk_core::service::RedirectReceipt;
use graphdesk_core::session::TokenSummary;
use tauri::{AppHandle, State};

use crate::opener::AppOpener;

use crate::ipc_error::IpcError;
use crate::state::AppState;

/// Name, version, data directory and the token cache's state.
#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    state.service().status()
}

/// The sign-in links received lately, oldest first (a link that launched the app came before the window listened).
#[tauri::command]
pub fn recent_redirects(state: State<'_, AppState>) -> Vec<RedirectReceipt> {
    state.service().recent_redirects()
}

/// The signed-in accounts.
#[tauri::command]
pub fn accounts(state: State<'_, AppState>) -> Vec<Account> {
    state
        .service()
        .session()
        .map(|s| s.accounts())
        .unwrap_or_default()
}

/// Interactive sign-in in the browser; the deep link brings the answer back.
#[tauri::command]
pub async fn sign_in(app: AppHandle, state: State<'_, AppState>) -> Result<TokenSummary, IpcError> {
    let cancel = state.new_sign_in();
    Ok(state
        .service()
        .require_session()?
        .sign_in(&AppOpener::new(app), &cancel)
        .await?)
}

/// Cancels the sign-in in progress.
#[tauri::command]
pub fn cancel_sign_in(state: State<'_, AppState>) {
    state.cancel_sign_in();
}

/// The account's Graph profile (`/me`).
#[tauri::command]
pub async fn profile(account: String, state: State<'_, AppState>) -> Result<UserProfile, IpcError> {
    Ok(state.service().require_session()?.profile(&account).await?)
}

/// Signs the account out; the answer is a warning when the cache could not be saved.
#[tauri::command]
pub fn sign_out(account: String, state: State<'_, AppState>) -> Result<Option<String>, IpcError> {
    Ok(state.service().require_session()?.sign_out(&account)?)
}

/// Silently refreshes the active account's token (the tray's Quick refresh, from the window).
#[tauri::command]
pub async fn quick_refresh(state: State<'_, AppState>) -> Result<TokenSummary, IpcError> {
    Ok(state.service().quick_refresh().await?)
}

#[cfg(test)]
mod tests {
    use tauri::test::{
        INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
    };
    use tauri::webview::InvokeRequest;
    use tauri::{WebviewWindow, WebviewWindowBuilder};

    use super::*;

    fn app_with_window(
        dir: &std::path::Path,
    ) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
        let app = mock_builder()
            .manage(AppState::rooted_at(dir))
            .invoke_handler(tauri::generate_handler![
                app_status,
                quick_refresh,
                recent_redirects
            ])
            .build(mock_context(noop_assets()))
            .expect("mock app");
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("mock window");
        (app, window)
    }

    fn invoke(
        window: &WebviewWindow<MockRuntime>,
        cmd: &str,
    ) -> Result<serde_json::Value, serde_json::Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: tauri::ipc::InvokeBody::default(),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(window, request)
            .map(|body| body.deserialize::<serde_json::Value>().expect("json body"))
    }

    #[test]
    fn app_status_reports_name_version_and_cache() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("token_cache.bin"), [0u8; 7]).expect("write");
        let (_app, window) = app_with_window(dir.path());
        let status = invoke(&window, "app_status").expect("ok");
        assert_eq!(status["name"], "GraphDesk");
        assert_eq!(status["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(status["cache"]["state"], "present");
        assert_eq!(status["cache"]["bytes"], 7);
    }

    #[test]
    fn quick_refresh_is_a_typed_not_signed_in_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (_app, window) = app_with_window(dir.path());
        let error = invoke(&window, "quick_refresh").expect_err("not signed in");
        assert_eq!(error["kind"], "notSignedIn");
    }
}
