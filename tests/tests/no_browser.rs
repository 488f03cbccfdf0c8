//! A machine where no browser can be opened, tried as a new user would: Sign in says so in words, and the sign-in's
//! secrets — `state`, `nonce`, the PKCE challenge, the authorize URL that carries them — appear nowhere: not in the
//! notice, not in the activity list, not anywhere in the window, not in the app's log.
// The desktop these tests drive (Xvfb, WebKitWebDriver, D-Bus) is Linux's; on Windows they only have to compile away.
#![cfg(target_os = "linux")]

use graphdesk_e2e::{App, Desktop};

/// A desktop whose every URL launcher fails, as on a server without a browser: the opener's own error then quotes the
/// launcher's command line, sign-in URL and all.
fn failing_launchers() -> (tempfile::TempDir, String) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    for launcher in [
        "xdg-open",
        "gio",
        "gnome-open",
        "kde-open",
        "wslview",
        "x-www-browser",
    ] {
        let path = dir.path().join(launcher);
        std::fs::write(&path, "#!/bin/sh\nexit 3\n").expect("launcher");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (dir, path)
}

#[test]
fn a_browser_that_cannot_start_is_reported_without_the_sign_in_url() {
    let (_launchers, path) = failing_launchers();
    let app = App::launch_with_env("no-browser", Desktop::start(), &[], &[("PATH", path)]);
    app.wait_for("the demo badge", "#mode.demo");
    app.click("#sign-in");
    let notice = app.wait_for("the notice", "#notice:not([hidden])");
    assert!(
        notice.to_lowercase().contains("no browser could be opened"),
        "{notice}"
    );
    app.wait_for(
        "the activity entry",
        "li[data-outcome='browserUnavailable'] .what",
    );
    app.save_screenshot("no-browser");

    let window = app.session().page_source();
    let log = app.app_log();
    assert!(window.contains("browser"), "the page source was read");
    for needle in [
        "state=",
        "nonce=",
        "code_challenge",
        "/authorize",
        "client_id=",
    ] {
        assert!(!window.contains(needle), "the window shows {needle:?}");
        assert!(!log.contains(needle), "the log holds {needle:?}:\n{log}");
    }
}
