//! Build script: generates Tauri's context and the permissions for GraphDesk's own commands, so the capability file can
//! allow exactly the commands the window uses (an app manifest makes every other command denied by default).

fn main() {
    let commands = tauri_build::AppManifest::new().commands(&[
        "app_status",
        "quick_refresh",
        "recent_redirects",
        "accounts",
        "sign_in",
        "cancel_sign_in",
        "profile",
        "sign_out",
        "acquire_token",
        "token",
        "copy_access_token",
        "sign_in_with_device_code",
        "sign_in_with_password",
        "sign_in_with_windows",
        "graph_request",
        "photo",
        "choose_account",
        "active_account",
        "open_device_page",
        "settings_get",
        "settings_set",
        "first_paint",
        "cache_import",
        "cache_export",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(commands))
        .expect("tauri-build failed: check tauri.conf.json, capabilities/ and that ui/dist exists (npm --prefix ui run build)");
}
