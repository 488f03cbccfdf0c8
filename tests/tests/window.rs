//! The real window: GraphDesk starts under Xvfb, its first screen asks the shell for the app status over IPC and renders
//! the answer, and a typed error (quick refresh with nobody signed in) comes back to the page as words.
// The desktop these tests drive (Xvfb, WebKitWebDriver, D-Bus) is Linux's; on Windows they only have to compile away.
#![cfg(target_os = "linux")]

use graphdesk_e2e::{App, Desktop};

#[test]
fn first_screen_renders_the_status_command_answer() {
    let desktop = Desktop::start();
    // A cache file of a known size: the page can only show "1.2 KiB" if the command really read it. Nobody unlocks
    // this desktop's keyring, so the cache cannot be opened: the window must say so, and the file must stay untouched.
    let cache = desktop.data_dir().join("demo_token_cache.bin");
    std::fs::write(&cache, vec![0u8; 1234]).expect("cache file");
    let app = App::launch("window", desktop, &[]);
    let session = app.session();

    assert_eq!(session.text_of("#app-name").as_deref(), Some("GraphDesk"));
    assert_eq!(
        session.text_of("#app-version"),
        Some(format!("v{}", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(session.text_of("#cache-state").as_deref(), Some("present"));
    let detail = session.text_of("#cache-detail").unwrap_or_default();
    assert!(detail.starts_with("1.2 KiB"), "cache detail: {detail}");
    assert_eq!(
        session.text_of("#data-dir"),
        Some(app.desktop().data_dir().display().to_string())
    );
    assert_eq!(
        session.text_of("#redirect-uri").as_deref(),
        Some("graphdesk://auth")
    );
    // Windows' own sign-in (IWA) and the broker setting are offered on Windows only.
    assert!(app.attribute_of("#sign-in-windows", "hidden").is_some());
    assert!(app.attribute_of("#sign-in-password", "hidden").is_none());
    let notice = app.wait_for("the keyring notice", "#notice:not([hidden])");
    assert!(
        notice.contains("saved sign-ins could not be opened") && notice.contains("keyring"),
        "{notice}"
    );
    assert_eq!(std::fs::read(&cache).expect("kept"), vec![0u8; 1234]);

    let shot = app.save_screenshot("first-screen");
    assert!(
        std::fs::metadata(&shot)
            .map(|m| m.len() > 5_000)
            .unwrap_or(false),
        "screenshot {}",
        shot.display()
    );
}

#[test]
fn quick_refresh_without_an_account_shows_the_typed_error() {
    let app = App::launch("quick-refresh", Desktop::start(), &[]);
    let session = app.session();
    assert_eq!(session.text_of("#cache-state").as_deref(), Some("empty"));

    let button = session
        .find("#quick-refresh")
        .expect("quick refresh button");
    session.click(&button);
    let what = app.wait_for(
        "the refresh outcome",
        "li[data-outcome='notSignedIn'] .what",
    );
    assert_eq!(what, "Quick refresh failed");
    let notice = app.wait_for("the notice", "#notice");
    assert_eq!(notice, "Not signed in. Sign in first, then refresh.");
}
