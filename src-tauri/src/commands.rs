//! Tauri commands: one-liners over the core service, so their behaviour is tested in `graphdesk-core` and here without a
//! window. Errors cross as [`IpcError`].

use graphdesk_core::cache::interop::{Dialect, ImportSummary};
use graphdesk_core::engine::Account;
use graphdesk_core::error::RequestField;
use graphdesk_core::flows::device_code::DeviceCodeFlow;
use graphdesk_core::graph::{ApiRequest, UserProfile};
use graphdesk_core::http::Method;
use graphdesk_core::secret::Password;
use graphdesk_core::service::RedirectReceipt;
use graphdesk_core::session::{ApiResult, TokenSummary};
use graphdesk_core::settings::Settings;
use graphdesk_core::{AppStatus, CoreError};
use tauri::{AppHandle, State};

use crate::{events, ipc};

use crate::opener::AppOpener;

use crate::ipc_error::IpcError;
use crate::state::{AppState, Work};

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

/// The signed-in accounts, and with the Windows broker chosen the accounts Windows holds for this app.
#[tauri::command]
pub async fn accounts(state: State<'_, AppState>) -> Result<Vec<Account>, IpcError> {
    Ok(match state.service().session() {
        Some(session) => session.accounts_everywhere().await,
        None => Vec::new(),
    })
}

/// Interactive sign-in in the browser; the deep link brings the answer back.
#[tauri::command]
pub async fn sign_in<R: tauri::Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<TokenSummary, IpcError> {
    let cancel = state.start(Work::SignIn);
    let session = state.service().require_session()?;
    crate::opener::parent_broker_prompts(&app, &session);
    let summary = session
        .sign_in(&AppOpener::new(app.clone()), &cancel)
        .await?;
    events::token_changed(&app, &summary);
    Ok(summary)
}

/// A token for `scopes` (the defaults when empty) as `account` (the active one when absent): silently from the cache or
/// by refreshing, and only when that answers "UI required", in the browser.
#[tauri::command]
pub async fn acquire_token<R: tauri::Runtime>(
    account: Option<String>,
    scopes: Vec<String>,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<TokenSummary, IpcError> {
    let cancel = state.start(Work::SignIn);
    let session = state.service().require_session()?;
    crate::opener::parent_broker_prompts(&app, &session);
    let summary = session
        .acquire_token(
            account.as_deref(),
            &scopes,
            &AppOpener::new(app.clone()),
            &cancel,
        )
        .await?;
    events::token_changed(&app, &summary);
    Ok(summary)
}

/// The active (or named) account's token for the default scopes, silently only: what the token panel shows.
#[tauri::command]
pub async fn token(
    account: Option<String>,
    state: State<'_, AppState>,
) -> Result<TokenSummary, IpcError> {
    let session = state.service().require_session()?;
    Ok(session.token_silent(account.as_deref(), &[]).await?.0)
}

/// Copies the access token the window shows — named by the `tokenId` of its summary — to the clipboard, from Rust: the
/// token never crosses to the window, and no token is acquired here (no scopes to ask for).
#[tauri::command]
pub fn copy_access_token<R: tauri::Runtime>(
    token_id: String,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<(), IpcError> {
    use tauri_plugin_clipboard_manager::ClipboardExt as _;
    let token = state
        .service()
        .require_session()?
        .access_token_by_id(&token_id)?;
    app.clipboard()
        .write_text(token.secret().to_owned())
        .map_err(|e| CoreError::Clipboard {
            detail: e.to_string(),
        })?;
    tracing::info!("access token copied to the clipboard, at the user's request");
    Ok(())
}

/// Starts a device-code sign-in: the window shows the code at once (event), then this answers when the user has entered
/// it elsewhere, declined, or let it expire — or when Cancel is pressed.
#[tauri::command]
pub async fn sign_in_with_device_code<R: tauri::Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<TokenSummary, IpcError> {
    let cancel = state.start(Work::DeviceCode);
    let session = state.service().require_session()?;
    let flow: DeviceCodeFlow = session.start_device_code().await?;
    state.set_device_page(Some(flow.verification_uri.clone()));
    events::emit::<ipc::DeviceCodeShown, _>(&app, flow.clone());
    let progress_app = app.clone();
    let outcome = session
        .complete_device_code(&flow, &cancel, move |progress| {
            events::emit::<ipc::DeviceCodeProgressed, _>(&progress_app, progress);
        })
        .await;
    state.set_device_page(None);
    let summary = outcome?;
    events::token_changed(&app, &summary);
    Ok(summary)
}

/// Opens the device-code sign-in's verification page in the browser (nothing else: the window names no URL).
#[tauri::command]
pub fn open_device_page<R: tauri::Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<(), IpcError> {
    use graphdesk_core::flows::auth_code::Opener as _;
    let page = state.device_page().ok_or(CoreError::InvalidRequest {
        field: RequestField::DeviceCode,
        reason: "no device-code sign-in is in progress".into(),
    })?;
    Ok(AppOpener::new(app).open(&page)?)
}

/// Username and password (ROPC); the password lives only as long as this call.
#[tauri::command]
pub async fn sign_in_with_password<R: tauri::Runtime>(
    username: String,
    password: String,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<TokenSummary, IpcError> {
    let password = Password::new(password);
    let session = state.service().require_session()?;
    let summary = session.sign_in_with_password(&username, &password).await?;
    events::token_changed(&app, &summary);
    Ok(summary)
}

/// Integrated Windows Authentication as the Windows session's user (federated domains; Windows only — elsewhere a typed
/// `unsupported`).
#[tauri::command]
pub async fn sign_in_with_windows<R: tauri::Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<TokenSummary, IpcError> {
    let identity = graphdesk_core::broker::windows_identity()?;
    let session = state.service().require_session()?;
    let summary = session
        .sign_in_integrated_windows(None, identity.as_ref())
        .await?;
    events::token_changed(&app, &summary);
    Ok(summary)
}

/// One request from the request bar. Silent-first; when the token needs the user (consent to new scopes, say), the
/// browser opens once and the request is sent again.
#[tauri::command]
pub async fn graph_request<R: tauri::Runtime>(
    request: GraphRequest,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<ApiResult, IpcError> {
    let session = state.service().require_session()?;
    let api_request = request.to_api_request()?;
    let account = request.account.as_deref();
    let cancel = state.start(Work::Request);
    match session
        .call_api(account, &request.scopes, &api_request, &cancel)
        .await
    {
        Err(CoreError::UiRequired(_)) => {
            crate::opener::parent_broker_prompts(&app, &session);
            let opener = AppOpener::new(app.clone());
            let sign_in = state.start(Work::SignIn);
            let summary = session
                .acquire_token(account, &request.scopes, &opener, &sign_in)
                .await?;
            events::token_changed(&app, &summary);
            Ok(session
                .call_api(account, &request.scopes, &api_request, &cancel)
                .await?)
        }
        other => Ok(other?),
    }
}

/// What the request bar sends.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GraphRequest {
    account: Option<String>,
    method: Method,
    /// `/me`, `/users?$top=5`, or a next link.
    path: String,
    /// JSON text; empty for none.
    #[serde(default)]
    body: String,
    #[serde(default)]
    scopes: Vec<String>,
}

impl GraphRequest {
    fn to_api_request(&self) -> Result<ApiRequest, IpcError> {
        let path = self.path.trim();
        if path.is_empty() {
            return Err(CoreError::InvalidRequest {
                field: RequestField::Path,
                reason: "enter a path such as /me or /users?$top=5".into(),
            }
            .into());
        }
        let body = match self.body.trim() {
            "" => None,
            text => Some(
                serde_json::from_str(text).map_err(|e| CoreError::InvalidRequest {
                    field: RequestField::Body,
                    reason: format!("not JSON ({e})"),
                })?,
            ),
        };
        Ok(ApiRequest {
            method: self.method,
            path: path.to_owned(),
            body,
            headers: Vec::new(),
        })
    }
}

/// The account's photo as a `data:` URL; `None` when it has none.
#[tauri::command]
pub async fn photo(
    account: String,
    state: State<'_, AppState>,
) -> Result<Option<String>, IpcError> {
    let photo = state.service().require_session()?.photo(&account).await?;
    Ok(photo.map(|p| p.data_url()))
}

/// Makes `account` the active one (the tray and quick refresh act on it).
#[tauri::command]
pub async fn choose_account<R: tauri::Runtime>(
    account: String,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Account, IpcError> {
    let session = state.service().require_session()?;
    let chosen = session.choose_everywhere(&account).await?;
    events::accounts_changed(&app);
    Ok(chosen)
}

/// The active account's home account id.
#[tauri::command]
pub fn active_account(state: State<'_, AppState>) -> Option<String> {
    state.service().session().and_then(|s| s.active())
}

/// The window reports its first paint; the log records how long after the process started it came (the benchmark reads it).
#[tauri::command]
pub fn first_paint() {
    let elapsed = crate::STARTED.get().map(std::time::Instant::elapsed);
    tracing::info!(ms = elapsed.map_or(0, |e| e.as_millis()), "first paint");
}

/// The settings.
#[tauri::command]
pub fn settings_get(state: State<'_, AppState>) -> Settings {
    state.settings()
}

/// Validates the settings, asks the user in a native dialog when they repoint sign-in (a new authority, extra root CA
/// or redirect URI), opens the session they describe (the configured app registration, or demo mode without a client
/// id) and saves them; only then does the new session replace the old. Invalid settings, or settings whose
/// session cannot open, are a typed error naming the field, and change nothing.
#[tauri::command]
pub async fn settings_set<R: tauri::Runtime>(
    settings: Settings,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<AppStatus, IpcError> {
    settings.validate()?;
    // Where users sign in, whom GraphDesk trusts and where answers go are not the window's to change alone.
    let changes = crate::confirm::repointing_changes(&state.settings(), &settings);
    if !changes.is_empty() && !state.confirm(crate::confirm::question(&changes)).await {
        return Err(CoreError::NotConfirmed {
            what: changes.join("; "),
        }
        .into());
    }
    let data_dir = state.service().paths().data_dir().to_owned();
    state.reopen(&settings, || settings.save(&data_dir)).await?;
    events::accounts_changed(&app);
    Ok(state.service().status())
}

/// Cancels the sign-in in progress (in the browser or by device code); a request in progress goes on.
#[tauri::command]
pub fn cancel_sign_in(state: State<'_, AppState>) {
    state.cancel(Work::SignIn);
    state.cancel(Work::DeviceCode);
}

/// The account's Graph profile (`/me`).
#[tauri::command]
pub async fn profile(account: String, state: State<'_, AppState>) -> Result<UserProfile, IpcError> {
    Ok(state.service().require_session()?.profile(&account).await?)
}

/// Signs the account out (of Windows' broker too, when it signs in); the answer is a warning when the cache could not
/// be saved or the broker kept the account.
#[tauri::command]
pub async fn sign_out<R: tauri::Runtime>(
    account: String,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Option<String>, IpcError> {
    let session = state.service().require_session()?;
    let warning = session.sign_out_everywhere(&account).await?;
    events::accounts_changed(&app);
    Ok(warning)
}

/// Merges the token cache MSAL Python, msal-node, MSAL .NET or another GraphDesk wrote at `path` (the file is read
/// here: its tokens never pass through the window); the summary names each entry set aside by position only.
#[tauri::command]
pub async fn cache_import<R: tauri::Runtime>(
    path: String,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<ImportSummary, IpcError> {
    let session = state.service().require_session()?;
    let summary = session
        .import_cache_file(std::path::Path::new(path.trim()))
        .await?;
    events::accounts_changed(&app);
    Ok(summary)
}

/// Writes the token cache for MSAL (`dialect`'s conventions) to `path`, readable by the user only.
#[tauri::command]
pub fn cache_export(
    dialect: Dialect,
    path: String,
    state: State<'_, AppState>,
) -> Result<(), IpcError> {
    let session = state.service().require_session()?;
    Ok(session.export_cache_to(dialect, std::path::Path::new(path.trim()))?)
}

/// Silently refreshes the active account's token (the tray's Quick refresh, from the window).
#[tauri::command]
pub async fn quick_refresh<R: tauri::Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<TokenSummary, IpcError> {
    let summary = state.service().quick_refresh().await?;
    events::token_changed(&app, &summary);
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use tauri::test::{
        INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
    };
    use tauri::webview::InvokeRequest;
    use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};

    use super::*;

    fn app_with_window(
        dir: &std::path::Path,
    ) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
        let app = mock_builder()
            .manage(AppState::rooted_at(dir))
            .invoke_handler(tauri::generate_handler![
                app_status,
                quick_refresh,
                recent_redirects,
                accounts,
                graph_request,
                settings_set,
                sign_in_with_device_code,
                sign_in_with_password,
                sign_in_with_windows,
                copy_access_token
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
        invoke_with(window, cmd, serde_json::json!({}))
    }

    fn invoke_with(
        window: &WebviewWindow<MockRuntime>,
        cmd: &str,
        args: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: tauri::ipc::InvokeBody::Json(args),
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

    /// The app in demo mode, its demo tenant running, as at start.
    fn demo_app(dir: &std::path::Path) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
        let (app, window) = app_with_window(dir);
        let state = app.state::<AppState>();
        tauri::async_runtime::block_on(state.reopen(&Settings::default(), || Ok(())))
            .expect("demo mode opens");
        (app, window)
    }

    #[test]
    fn a_settings_change_that_cannot_open_keeps_the_old_session_and_the_old_settings() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (app, window) = demo_app(dir.path());
        // A file that looks like PEM but holds no certificate: the settings validate, the session cannot open.
        let ca = dir.path().join("proxy-ca.pem");
        std::fs::write(
            &ca,
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
        )
        .expect("write");
        let settings = Settings {
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            extra_root_ca_file: ca.display().to_string(),
            ..Settings::default()
        };
        app.state::<AppState>()
            .set_confirmer(crate::confirm::always(true));
        let error = invoke_with(
            &window,
            "settings_set",
            serde_json::json!({ "settings": settings }),
        )
        .expect_err("the session cannot open");
        assert_eq!(error["kind"], "config", "{error}");
        assert!(
            !dir.path().join("settings.json").exists(),
            "settings that do not open were saved: the next start would fail too"
        );
        // The demo session still answers, against its tenant, which still runs.
        let signed_in = invoke_with(
            &window,
            "sign_in_with_password",
            serde_json::json!({ "username": "adele@contoso.example", "password": "demo" }),
        )
        .expect("the old session still signs in");
        assert_eq!(signed_in["account"]["username"], "adele@contoso.example");
        assert!(app.state::<AppState>().demo_tenant().is_some());
    }

    /// Windows' own sign-ins say plainly that they need Windows, and the broker setting is refused with its field.
    #[test]
    #[cfg(not(windows))]
    fn windows_sign_ins_are_typed_unsupported_elsewhere() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (_app, window) = demo_app(dir.path());
        let error = invoke_with(&window, "sign_in_with_windows", serde_json::json!({}))
            .expect_err("not on this platform");
        assert_eq!(error["kind"], "unsupported", "{error}");
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains("Integrated Windows Authentication")),
            "{error}"
        );
        let settings = Settings {
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            use_windows_broker: true,
            ..Settings::default()
        };
        let error = invoke_with(
            &window,
            "settings_set",
            serde_json::json!({ "settings": settings }),
        )
        .expect_err("refused");
        assert_eq!(
            (error["kind"].as_str(), error["field"].as_str()),
            (Some("config"), Some("useWindowsBroker")),
            "{error}"
        );
        let status = invoke_with(&window, "app_status", serde_json::json!({})).expect("status");
        assert_eq!(status["platform"], std::env::consts::OS);
    }

    #[test]
    fn a_request_leaves_a_device_code_sign_in_running() {
        use tauri::Listener;
        let dir = tempfile::tempdir().expect("temp dir");
        let (app, window) = demo_app(dir.path());
        let (code_tx, code_rx) = std::sync::mpsc::channel::<String>();
        window.listen(
            <crate::ipc::DeviceCodeShown as crate::ipc::Event>::NAME,
            move |event| {
                let flow: serde_json::Value = serde_json::from_str(event.payload()).expect("json");
                let _ = code_tx.send(flow["userCode"].as_str().expect("a user code").to_owned());
            },
        );
        let sign_in_window = window.clone();
        let sign_in = std::thread::spawn(move || {
            invoke_with(
                &sign_in_window,
                "sign_in_with_device_code",
                serde_json::json!({}),
            )
        });
        let user_code = code_rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the device code is shown");
        // The request bar sends a request while the sign-in waits for the user.
        let request = serde_json::json!({ "request": { "method": "GET", "path": "/me" } });
        let _ = invoke_with(&window, "graph_request", request);
        app.state::<AppState>()
            .demo_tenant()
            .as_ref()
            .expect("the demo tenant")
            .decide_device_code(&user_code, "alex@contoso.example", true)
            .expect("approved");
        let signed_in = sign_in
            .join()
            .expect("the sign-in thread")
            .expect("the device-code sign-in completes, not cancelled by the request");
        assert_eq!(signed_in["account"]["username"], "alex@contoso.example");
    }

    #[test]
    fn copying_a_token_names_it_by_id_and_never_sends_it_to_the_window() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (app, window) = demo_app(dir.path());
        let summary = invoke_with(
            &window,
            "sign_in_with_password",
            serde_json::json!({ "username": "adele@contoso.example", "password": "demo" }),
        )
        .expect("signed in");
        let token_id = summary["tokenId"].as_str().expect("a token id").to_owned();
        assert_eq!(token_id.len(), 16);
        let session = app
            .state::<AppState>()
            .service()
            .require_session()
            .expect("session");
        let token = session
            .access_token_by_id(&token_id)
            .expect("the shown token");
        assert!(
            !summary.to_string().contains(token.secret()),
            "the summary holds the token itself"
        );
        let refused = invoke_with(
            &window,
            "copy_access_token",
            serde_json::json!({ "tokenId": "0000000000000000" }),
        )
        .expect_err("no such token");
        assert_eq!(
            (refused["kind"].as_str(), refused["field"].as_str()),
            (Some("invalidRequest"), Some("token"))
        );
    }

    #[test]
    fn settings_that_repoint_sign_in_change_nothing_unless_confirmed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (app, window) = demo_app(dir.path());
        let settings = serde_json::json!({ "settings": Settings {
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            tenant: "https://evil.example/organizations".into(),
            ..Settings::default()
        }});
        let state = app.state::<AppState>();
        // No way to ask (the window alone): no.
        let error = invoke_with(&window, "settings_set", settings.clone()).expect_err("refused");
        assert_eq!(error["kind"], "notConfirmed", "{error}");
        state.set_confirmer(crate::confirm::always(false));
        let error = invoke_with(&window, "settings_set", settings.clone()).expect_err("refused");
        assert_eq!(error["kind"], "notConfirmed", "{error}");
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains("evil.example"))
        );
        assert!(!dir.path().join("settings.json").exists());
        assert!(matches!(
            state.service().require_session().expect("session").mode(),
            graphdesk_core::session::SessionMode::Demo { .. }
        ));
        state.set_confirmer(crate::confirm::always(true));
        let status = invoke_with(&window, "settings_set", settings).expect("confirmed");
        assert_eq!(status["mode"]["kind"], "configured", "{status}");
        assert!(dir.path().join("settings.json").exists());
    }
}
