//! The Tauri shell: builds the app from its parts — plugins in the order they must run, the service in managed state, the
//! commands, the tray and the deep-link handler. Behaviour lives in `graphdesk-core`; this file only wires it.

mod background;
mod cli;
mod commands;
mod confirm;
mod deep_link;
mod demo;
mod events;
mod ipc;
mod ipc_error;
mod logging;
mod notify;
mod opener;
mod session;
mod state;
mod tray;
mod tray_actions;

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
        let outcome = state.reopen(&settings, || Ok(())).await;
        if let Err(error) = &outcome {
            tracing::error!(%error, "no session could be opened; sign-in is unavailable");
        }
        events::session_opened(&app, outcome.err().map(ipc_error::IpcError::from));
    });
}

/// Runs the CLI when the command line asks for it; otherwise builds and runs the app, returning when the user quits.
pub fn run() {
    STARTED.get_or_init(std::time::Instant::now);
    // Everything GraphDesk and its libraries create (logs, locks, settings, the cache) is the user's alone.
    graphdesk_core::files::restrict_new_files();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cli::parse(&args) {
        Some(Ok(command)) => std::process::exit(cli::run(command)),
        // clap's answer: a usage error (to stderr, exit 2) or --help / --version (to stdout, exit 0).
        Some(Err(answer)) => {
            let code = if answer.use_stderr() {
                cli::exit::USAGE
            } else {
                cli::exit::OK
            };
            if let Err(error) = answer.print() {
                eprintln!("graphdesk: {error}");
            }
            std::process::exit(code);
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
    if let Err(error) = service.service().paths().prepare() {
        eprintln!("GraphDesk cannot prepare its directories: {error}");
    }
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
        // Used from Rust only (the token copy): the window has no clipboard permission.
        .plugin(tauri_plugin_clipboard_manager::init())
        // Used from Rust only (confirming settings that repoint sign-in): the window has no dialog permission.
        .plugin(tauri_plugin_dialog::init())
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
            commands::sign_in_with_windows,
            commands::graph_request,
            commands::photo,
            commands::choose_account,
            commands::active_account,
            commands::open_device_page,
            commands::settings_get,
            commands::settings_set,
            commands::first_paint,
            commands::cache_import,
            commands::cache_export
        ])
        .setup(|app| {
            {
                use tauri::Manager as _;
                app.state::<state::AppState>()
                    .set_confirmer(confirm::dialog(app.handle()));
            }
            open_session(app.handle());
            tray::build(app.handle(), tray_actions::perform)?;
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

#[cfg(test)]
mod tests {
    //! The webview's locks, read from the files that set them: the CSP, the capability file against the commands the
    //! app registers, and the UI sources' use of the DOM.

    use std::collections::BTreeSet;

    fn read(path: &str) -> String {
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The words in `text` between `start` and the next `end` that begin with `prefix` (which is stripped).
    fn names_between(text: &str, start: &str, end: &str, prefix: &str) -> BTreeSet<String> {
        let from = text.find(start).expect("start marker") + start.len();
        let block = &text[from..from + text[from..].find(end).expect("end marker")];
        block
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '-'))
            .filter_map(|word| word.strip_prefix(prefix))
            .filter(|word| !word.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_webview_is_locked_down() {
        let config: serde_json::Value =
            serde_json::from_str(&read("tauri.conf.json")).expect("config");
        assert_eq!(config["app"]["withGlobalTauri"], false);
        let csp = config["app"]["security"]["csp"].as_str().expect("a CSP");
        assert!(csp.starts_with("default-src 'self';"), "{csp}");
        for forbidden in ["unsafe-inline", "unsafe-eval", "https:", "http: ", "*"] {
            assert!(!csp.contains(forbidden), "CSP allows {forbidden}: {csp}");
        }
        assert!(csp.contains("object-src 'none'") && csp.contains("frame-ancestors 'none'"));

        // Every command the app registers is allowed, nothing else is: no plugin permissions beyond events.
        let registered =
            names_between(&read("src/lib.rs"), "generate_handler![", "]", "commands::");
        let manifest = names_between(&read("build.rs"), "commands(&[", "]", "");
        assert_eq!(
            registered, manifest,
            "build.rs's app manifest lists exactly the registered commands"
        );
        let capability: serde_json::Value =
            serde_json::from_str(&read("capabilities/main.json")).expect("capability");
        let allowed: BTreeSet<String> = capability["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .map(|p| p.as_str().expect("a name").to_owned())
            .collect();
        let mut expected: BTreeSet<String> = registered
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        expected.extend([
            "core:event:allow-listen".into(),
            "core:event:allow-unlisten".into(),
        ]);
        assert_eq!(allowed, expected);

        // The UI writes text, never markup, and evaluates nothing.
        let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui");
        let mut sources = vec![ui.join("index.html")];
        sources.extend(
            std::fs::read_dir(ui.join("src"))
                .expect("ui/src")
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "ts")),
        );
        assert!(sources.len() > 5, "{sources:?}");
        for source in sources {
            let text = std::fs::read_to_string(&source).expect("source");
            for sink in [
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
                "eval(",
                "new Function",
            ] {
                assert!(!text.contains(sink), "{} uses {sink}", source.display());
            }
            if source.ends_with("index.html") {
                assert!(
                    !text.contains("<script>") && !text.contains("onclick="),
                    "inline script in index.html"
                );
            }
        }
    }
}
