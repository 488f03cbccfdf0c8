//! The Tauri shell: builds the app from its parts — plugins in the order they must run, the service in managed state, the
//! commands, the tray and the deep-link handler. Behaviour lives in `graphdesk-core`; this file only wires it.

mod background;
mod commands;
mod deep_link;
mod demo;
mod events;
mod ipc_error;
mod logging;
mod notify;
mod opener;
mod state;
mod tray;

use tauri::WindowEvent;

/// Label of the one window (`tauri.conf.json`, `capabilities/main.json`).
pub const MAIN_WINDOW: &str = "main";

/// Opens the session before links or clicks can need it: demo mode (no app registration is configured yet).
fn open_session<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    use tauri::Manager;
    let state = app.state::<state::AppState>();
    let data_dir = state.service().paths().data_dir().to_path_buf();
    match tauri::async_runtime::block_on(demo::open_demo(&data_dir)) {
        Ok((tenant, session, warning)) => {
            if let Some(warning) = warning {
                tracing::warn!(%warning, "token cache");
            }
            state.keep_demo(tenant);
            state.service().attach(session);
        }
        Err(error) => {
            tracing::error!(%error, "the demo tenant could not start; sign-in is unavailable")
        }
    }
}

/// Builds and runs the app; returns when the user quits.
pub fn run() {
    let service = match state::AppState::for_current_user() {
        Ok(state) => state,
        Err(error) => {
            eprintln!("GraphDesk cannot start: {error}");
            std::process::exit(2);
        }
    };
    let _log_guard = logging::init(service.service().paths().log_dir());

    let result = tauri::Builder::default()
        // First: a second launch (how the OS delivers a deep link on Linux and Windows) hands its arguments to this
        // instance and exits. With feature `deep-link` the plugin forwards the URL to the deep-link plugin itself.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            state::show_main_window(app);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .manage(service)
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::quick_refresh,
            commands::recent_redirects,
            commands::accounts,
            commands::sign_in,
            commands::cancel_sign_in,
            commands::profile,
            commands::sign_out,
            commands::acquire_token,
            commands::token,
            commands::copy_access_token,
            commands::sign_in_with_device_code,
            commands::sign_in_with_password,
            commands::graph_request,
            commands::photo,
            commands::choose_account,
            commands::active_account,
            commands::open_device_page
        ])
        .setup(|app| {
            open_session(app.handle());
            tray::build(app.handle())?;
            deep_link::setup(app.handle());
            background::start(app.handle());
            tracing::info!(version = graphdesk_core::APP_VERSION, "GraphDesk started");
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps GraphDesk in the tray; Quit in the tray menu ends it.
            if let WindowEvent::CloseRequested { api, .. } = event
                && window.label() == MAIN_WINDOW
            {
                api.prevent_close();
                if let Err(error) = window.hide() {
                    tracing::warn!(%error, "could not hide the window");
                }
            }
        })
        .run(tauri::generate_context!());
    if let Err(error) = result {
        tracing::error!(%error, "GraphDesk stopped with an error");
        eprintln!("GraphDesk stopped with an error: {error}");
        std::process::exit(1);
    }
}
