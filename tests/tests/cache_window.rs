//! The token cache from the window: export the sign-in for MSAL Python to a file (readable by the user only), sign out,
//! import the file back — the account returns and its token comes from the cache, with no request to the tenant. The
//! file is read and written by the app; no token passes through the window.
// The desktop these tests drive (Xvfb, WebKitWebDriver, D-Bus) is Linux's; on Windows they only have to compile away.
#![cfg(target_os = "linux")]

use graphdesk_e2e::{App, Desktop, StandaloneTenant};

#[test]
fn the_window_exports_the_cache_for_msal_and_imports_it_back() {
    let mut desktop = Desktop::start();
    desktop.start_secret_service();
    let tenant = StandaloneTenant::start();
    tenant.configure(&desktop);
    let app = App::launch_with_env(
        "cache-window",
        desktop,
        &[],
        &App::scripted_browser("adele@contoso.example"),
    );
    app.click("#sign-in");
    app.wait_for("the token", "#token-source[data-source='interactive']");

    let file = app.desktop().home().join("for-msal-python.json");
    let path = file.to_str().expect("utf-8 path");
    app.click("#open-settings");
    app.wait_for("the panel", "#settings:not([hidden]) #cache-title");
    app.type_into("#cache-export-path", path);
    app.click("#cache-export");
    let result = app.wait_for("the export", "#cache-result:not([hidden])");
    assert!(result.starts_with("Written to"), "{result}");
    let text = std::fs::read_to_string(&file).expect("exported");
    let json: serde_json::Value = serde_json::from_str(&text).expect("MSAL JSON");
    assert!(
        json["RefreshToken"]
            .as_object()
            .is_some_and(|rt| !rt.is_empty()),
        "{json}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    app.save_screenshot("cache-exported");
    app.click("#settings-close");

    app.click("#accounts li[data-username='adele@contoso.example'] .sign-out");
    app.wait_for("no accounts", "#accounts-empty:not([hidden])");

    tenant.clear_requests();
    app.click("#open-settings");
    app.type_into("#cache-import-path", path);
    app.click("#cache-import");
    wait_for_text(&app, "Imported 1 account(s)");
    app.click("#settings-close");
    assert_eq!(
        app.wait_for(
            "the account again",
            "#accounts li[data-username='adele@contoso.example'] .name"
        ),
        "Adele Vance"
    );
    assert_eq!(
        app.wait_for("the cached token", "#token-source[data-source='cache']"),
        "token cache"
    );
    assert!(
        tenant.token_requests().is_empty(),
        "{:?}",
        tenant.requests()
    );

    // A file that is not there is refused in words, naming it.
    app.click("#open-settings");
    app.type_into("#cache-import-path", "/nonexistent/cache.json");
    app.click("#cache-import");
    wait_for_text(&app, "cannot read /nonexistent/cache.json");
}

fn wait_for_text(app: &App, text: &str) {
    graphdesk_e2e::wait_until(text, std::time::Duration::from_secs(30), || {
        app.session()
            .text_of("#cache-result")
            .filter(|t| t.contains(text))
    });
}
