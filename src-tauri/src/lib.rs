//! The Tauri shell: builds the app from its parts — plugins in the order they must run, the service in managed state, the
//! commands, the tray and the deep-link handler. Behaviour lives in `graphdesk-core`; this file only wires it.

mod background;
mod cli;
mod commands;
mod deep_link;
mod demo;
mod events;
mod ipc_error;
mod logging;
mod notify;
mod opener;
mod session;
mod state;
mod tray;

use tauri::WindowEvent;

/// When the process started (for the first-paint measurement).
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Label of the one window (`tauri.conf.json`, `capabilities/main.json`).
pub const MAIN_WINDOW: &str = "main";

/// Opens the session (the configured app registration, or demo mode) in the background, so the window paints without
/// waiting for the demo tenant's certificates or the keyring; the window learns of it through an event.
fn open_session<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        use tauri::Manager;
        let state = app.state::<state::AppState>();
        let settings = state.settings();
        let outcome = state.reopen(&settings).await;
        if let Err(error) = &outcome {
            tracing::error!(%error, "no session could be opened; sign-in is unavailable");
        }
        events::session_opened(&app, outcome.err().map(ipc_error::IpcError::from));
    });
}

/// Runs the CLI when the command line asks for it; otherwise builds and runs the app, returning when the user quits.
pub fn run() {
    STARTED.get_or_init(std::time::Instant::now);
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cli::parse(&args) {
        Some(Ok(command)) => std::process::exit(cli::run(command)),
        Some(Err(error)) => {
            eprintln!("graphdesk: {error}\nRun `graphdesk --help` for usage.");
            std::process::exit(cli::exit::USAGE);
        }
        None => run_app(),
    }
}

fn run_app() {
    let service = match state::AppState::for_current_user() {
        Ok(state) => state,
        Err(error) => {
            eprintln!("GraphDesk cannot start: {error}");
            std::process::exit(2);
        }
    };
    let level = service.settings().log_level;
    let _log_guard = logging::init(service.service().paths().log_dir(), &level, true);

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
            commands::open_device_page,
            commands::settings_get,
            commands::settings_set,
            commands::first_paint
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
