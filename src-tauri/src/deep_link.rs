//! Deep links (`graphdesk://auth?…`): registered with the OS at start on Linux and Windows (bundles also register the
//! scheme themselves),
//! taken from the command line on a cold start and from the single-instance hand-over while running. Every link goes to
//! the core service, which refuses anything that is not an awaited sign-in redirect; the window shows the verdict.

use tauri::{AppHandle, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::{events, state};

/// Registers the scheme and starts listening for links.
pub fn setup<R: Runtime>(app: &AppHandle<R>) {
    // Bundled installs register the scheme in their desktop entry (Linux) or registry keys (the NSIS and MSI
    // installers); a binary run from a build tree, an AppImage or a copied `graphdesk.exe` must register itself, or the
    // browser's redirect has nowhere to go. On Windows that is `HKCU\Software\Classes\graphdesk` (this user, no
    // administrator), pointing at the running executable — the same one an installer registered.
    // On Linux that writes a desktop entry and runs `xdg-mime` (a shell script, ~100 ms): off the main thread, which
    // would otherwise hold the window's first paint.
    #[cfg(any(target_os = "linux", windows))]
    {
        let handle = app.clone();
        std::thread::spawn(move || {
            if let Err(error) = handle.deep_link().register_all() {
                tracing::warn!(%error, "could not register the graphdesk:// scheme with the desktop");
            }
        });
    }

    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        let urls: Vec<String> = event.urls().into_iter().map(String::from).collect();
        receive(&handle, &urls);
    });

    // Cold start: the OS launched GraphDesk with the link as its argument, before any listener existed.
    match app.deep_link().get_current() {
        Ok(Some(urls)) => {
            let urls: Vec<String> = urls.into_iter().map(String::from).collect();
            receive(app, &urls);
        }
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "could not read the launch deep link"),
    }
}

/// Hands each link to the service, tells the window, and brings the window forward so the user sees the outcome.
fn receive<R: Runtime>(app: &AppHandle<R>, urls: &[String]) {
    for url in urls {
        let receipt = state::service(app).receive_redirect(url);
        events::deep_link_received(app, &receipt);
    }
    state::show_main_window(app);
}
