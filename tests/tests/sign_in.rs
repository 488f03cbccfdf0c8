//! Signing in from the window with an app registration configured as a user would (client id, authority URL, CA file,
//! web API — here the standalone emulated tenant's, whose request log the test reads): click Sign in → the browser
//! (scripted: it signs in on the tenant's pages and launches the binary with the redirect, exactly as the OS does) → the
//! account, its token and its Graph profile appear; quick refresh moves the expiry on; the request bar calls the API
//! (consenting to a new scope through the browser when needed) and pages; a forged sign-in link is refused with no
//! token request; sign out.
// The desktop these tests drive (Xvfb, WebKitWebDriver, D-Bus) is Linux's; on Windows they only have to compile away.
#![cfg(target_os = "linux")]

use graphdesk_e2e::{App, Desktop, StandaloneTenant, wait_until};
use std::time::Duration;

const ADELE: &str = "#accounts li[data-username='adele@contoso.example']";

fn expires_on(app: &App) -> u64 {
    app.attribute_of("#token-expires-in", "data-expires-on")
        .and_then(|v| v.parse().ok())
        .expect("the token panel shows an expiry")
}

#[test]
fn sign_in_token_quick_refresh_graph_requests_forged_link_and_sign_out() {
    let mut desktop = Desktop::start();
    desktop.start_secret_service();
    let tenant = StandaloneTenant::start();
    tenant.configure(&desktop);
    let app = App::launch_with_env(
        "sign-in",
        desktop,
        &[],
        &App::scripted_browser("adele@contoso.example"),
    );
    assert_eq!(
        app.wait_for("the configured authority", "#mode:not(.demo):not([hidden])"),
        tenant.authority()
    );
    assert!(
        app.session()
            .text_of("#accounts-empty:not([hidden])")
            .is_some()
    );
    assert!(
        app.session()
            .text_of("#token-empty:not([hidden])")
            .is_some()
    );
    app.save_screenshot("first-run");

    app.click("#sign-in");
    assert_eq!(
        app.wait_for("the account", &format!("{ADELE} .name")),
        "Adele Vance"
    );
    assert_eq!(
        app.wait_for("the profile", "#profile:not([hidden]) #profile-name"),
        "Adele Vance"
    );
    assert_eq!(
        app.session().text_of("#profile-upn").as_deref(),
        Some("adele@contoso.example")
    );
    assert_eq!(
        app.session().text_of("#profile-title-value").as_deref(),
        Some("Product Manager")
    );
    let photo = app
        .attribute_of("#profile-photo:not([hidden])", "src")
        .expect("a photo");
    assert!(
        photo.starts_with("data:image/"),
        "{}",
        &photo[..photo.len().min(40)]
    );
    assert_eq!(
        app.wait_for("the token", "#token-source[data-source='interactive']"),
        "browser sign-in"
    );
    assert_eq!(
        app.session().text_of("#token-account").as_deref(),
        Some("adele@contoso.example")
    );
    assert!(
        app.session()
            .text_of("#token-scopes")
            .is_some_and(|s| s.contains("User.Read"))
    );
    let first_expiry = expires_on(&app);
    app.save_screenshot("signed-in");
    // Copy: the shell puts the token on the clipboard; the window only names it.
    app.click("#token-copy");
    app.wait_for("the copy", "li[data-outcome='copied'] .what");

    // Quick refresh redeems the refresh token: a new token, a later expiry.
    tenant.clear_requests();
    std::thread::sleep(Duration::from_millis(1100));
    app.click("#quick-refresh");
    app.wait_for(
        "the refreshed token",
        "#token-source[data-source='refresh']",
    );
    assert!(expires_on(&app) > first_expiry);
    assert_eq!(tenant.token_requests(), ["refresh_token"]);

    // The request bar: listing users needs a scope not yet consented → the browser once → 200, and a next page.
    app.type_into("#graph-path", "/users?$top=2");
    app.type_into("#graph-scopes", "User.ReadBasic.All");
    app.click("#graph-send");
    assert_eq!(
        app.wait_for(
            "the users page",
            "#graph-result:not([hidden]) #graph-status.present"
        ),
        "200"
    );
    let first_page = app.session().text_of("#graph-body-out").expect("body");
    assert!(first_page.contains("\"displayName\""), "{first_page}");
    assert!(
        app.session()
            .text_of("#graph-request-id")
            .is_some_and(|t| t.starts_with("request-id "))
    );
    app.save_screenshot("graph-request");
    app.click("#graph-next:not([hidden])");
    wait_until("the second page", Duration::from_secs(30), || {
        app.session()
            .text_of("#graph-body-out")
            .filter(|body| *body != first_page && body.contains("\"displayName\""))
    });
    // A Graph error is shown with its status and code.
    app.type_into("#graph-path", "/nothing-here");
    app.type_into("#graph-scopes", "");
    app.click("#graph-send");
    assert_eq!(app.wait_for("the error", "#graph-status.unreadable"), "400");
    assert!(
        app.session()
            .text_of("#graph-body-out")
            .is_some_and(|b| b.contains("Resource not found"))
    );

    // A forged sign-in link: refused in words, and no token request reaches the tenant.
    tenant.clear_requests();
    let (status, _) = app.open_link("graphdesk://auth?code=forged&state=forged");
    assert!(status.success());
    let notice = app.wait_for("the notice", "#notice:not([hidden])");
    assert!(notice.contains("No sign-in is waiting for it"), "{notice}");
    assert!(
        tenant.token_requests().is_empty(),
        "{:?}",
        tenant.requests()
    );
    app.save_screenshot("forged-link");

    // The log tells the story without a secret in it.
    let log = app.app_log();
    assert!(log.contains("sign-in redirect accepted"), "{log}");
    assert!(!log.contains("code=") && !log.contains("eyJ"), "{log}");

    app.click(&format!("{ADELE} .sign-out"));
    app.wait_for("no accounts", "#accounts-empty:not([hidden])");
    assert!(app.session().find("#accounts li").is_none());
    app.wait_for("no token", "#token-empty:not([hidden])");
}
