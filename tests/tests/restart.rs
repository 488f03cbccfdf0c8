//! A restart finds the sign-in: the token comes silently from the persisted cache (encrypted, its key in the real
//! keyring) with no interaction — the tenant's log shows no sign-in and no token request after the restart.
// The desktop these tests drive (Xvfb, WebKitWebDriver, D-Bus) is Linux's; on Windows they only have to compile away.
#![cfg(target_os = "linux")]

use graphdesk_e2e::{App, Desktop, StandaloneTenant};

#[test]
fn after_a_restart_the_token_comes_from_the_persisted_cache_without_interaction() {
    let mut desktop = Desktop::start();
    desktop.start_secret_service();
    let tenant = StandaloneTenant::start();
    tenant.configure(&desktop);
    let mut app = App::launch_with_env(
        "restart",
        desktop,
        &[],
        &App::scripted_browser("adele@contoso.example"),
    );
    app.click("#sign-in");
    app.wait_for("the token", "#token-source[data-source='interactive']");
    let expiry = app.attribute_of("#token-expires-in", "data-expires-on");

    tenant.clear_requests();
    app.restart();
    assert_eq!(
        app.wait_for(
            "the account after the restart",
            "#accounts li[data-username='adele@contoso.example'] .name"
        ),
        "Adele Vance"
    );
    assert_eq!(
        app.wait_for("the cached token", "#token-source[data-source='cache']"),
        "token cache"
    );
    assert_eq!(
        app.attribute_of("#token-expires-in", "data-expires-on"),
        expiry,
        "the same token"
    );
    assert_eq!(
        app.wait_for("the profile", "#profile:not([hidden]) #profile-name"),
        "Adele Vance"
    );
    let requests = tenant.requests();
    assert!(
        requests
            .iter()
            .all(|r| !r["path"].as_str().unwrap_or("").contains("/oauth2/")),
        "no sign-in and no token request after the restart: {requests:?}"
    );
    assert!(
        requests
            .iter()
            .any(|r| r["path"] == "/v1.0/me" && r["status"] == 200),
        "the cached token works at Graph: {requests:?}"
    );
    app.save_screenshot("after-restart");

    // Everything GraphDesk keeps is the user's alone: directories 0700, files 0600 — settings, the cache, its lock,
    // the logs — and no temporary file is left behind.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut seen = 0;
        let mut stack = vec![app.desktop().data_dir()];
        while let Some(dir) = stack.pop() {
            let mode = std::fs::metadata(&dir).expect("dir").permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", dir.display());
            for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                seen += 1;
                let mode = entry.metadata().expect("file").permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", path.display());
                assert!(
                    !path.to_string_lossy().ends_with(".tmp"),
                    "{}",
                    path.display()
                );
            }
        }
        assert!(seen >= 4, "settings, cache, lock and a log: {seen} files");
    }
}
