//! Deep links as the OS delivers them: GraphDesk registers `graphdesk://` with the desktop; a link opened while it runs
//! starts a second instance, which hands the URL to the running one over D-Bus and exits; a link that starts the app
//! arrives on the command line. The window shows each link by fingerprint (never its code) with the verdict.
// The desktop these tests drive (Xvfb, WebKitWebDriver, D-Bus) is Linux's; on Windows they only have to compile away.
#![cfg(target_os = "linux")]

use std::time::Duration;

use graphdesk_core::redirect::fingerprint;
use graphdesk_e2e::{App, Desktop, wait_until};

fn verdict_of(app: &App, url: &str) -> String {
    let css = format!("li[data-fingerprint='{}']", fingerprint(url));
    let item = wait_until(
        "the link in the activity list",
        Duration::from_secs(30),
        || app.session().find(&css),
    );
    app.session()
        .attribute(&item, "data-verdict")
        .unwrap_or_default()
}

#[test]
fn a_link_opened_while_running_reaches_the_running_instance() {
    let app = App::launch("deep-link-running", Desktop::start(), &[]);

    // At start the app registers itself as the scheme's handler in XDG_DATA_HOME (off the main thread, so soon after).
    let handler = app
        .desktop()
        .xdg_data_home()
        .join("applications/graphdesk-handler.desktop");
    let entry = wait_until(
        "the scheme handler's desktop entry",
        Duration::from_secs(20),
        || {
            std::fs::read_to_string(&handler)
                .ok()
                .filter(|e| e.contains("x-scheme-handler/graphdesk"))
        },
    );
    assert!(entry.contains("Exec="), "{entry}");

    let url = "graphdesk://auth?code=x&state=y";
    let (status, took) = app.open_link(url);
    assert!(status.success(), "the second instance exited with {status}");
    assert!(
        took < Duration::from_secs(20),
        "the second instance ran for {took:?}"
    );

    // Exactly that URL arrived: the fingerprint is SHA-256 of the exact text, and no sign-in waits for it.
    assert_eq!(verdict_of(&app, url), "noSignInInProgress");
    assert_eq!(app.session().find_all("li[data-fingerprint]").len(), 1);
    let notice = app.wait_for("the notice", "#notice");
    assert!(notice.contains("No sign-in is waiting for it"), "{notice}");

    // A second, hostile link is refused for what it is.
    let hostile = "graphdesk://auth?code=x&state=y&access_token=injected";
    assert!(app.open_link(hostile).0.success());
    assert_eq!(verdict_of(&app, hostile), "forbiddenParameter");

    // The log names the links by fingerprint and never holds their values.
    let log = wait_until("the log lines", Duration::from_secs(10), || {
        let log = app.app_log();
        log.contains(&fingerprint(hostile)).then_some(log)
    });
    assert!(log.contains(&fingerprint(url)), "{log}");
    assert!(
        !log.contains("code=x") && !log.contains("injected"),
        "{log}"
    );
}

#[test]
fn a_link_that_starts_the_app_is_handled_on_cold_start() {
    let url = "graphdesk://auth?code=cold&state=start";
    let app = App::launch("deep-link-cold-start", Desktop::start(), &[url]);
    assert_eq!(verdict_of(&app, url), "noSignInInProgress");
}
