//! Signing in from the window in demo mode: click Sign in → the browser (scripted: it completes the sign-in at the demo
//! tenant and launches the binary with the redirect, exactly as the OS does) → the account and its Graph profile appear;
//! then sign out.

use graphdesk_e2e::{App, Desktop};

#[test]
fn sign_in_shows_the_account_and_profile_then_sign_out() {
    let mut desktop = Desktop::start();
    desktop.start_secret_service();
    let app = App::launch_with_env(
        "sign-in",
        desktop,
        &[],
        &App::scripted_browser("adele@contoso.example"),
    );
    assert_eq!(
        app.wait_for("the demo badge", "#mode:not([hidden])"),
        "Demo tenant — not Microsoft"
    );
    assert!(
        app.session()
            .text_of("#accounts-empty:not([hidden])")
            .is_some()
    );

    app.click("#sign-in");
    let account = app.wait_for(
        "the account",
        "#accounts li[data-username='adele@contoso.example'] .name",
    );
    assert_eq!(account, "Adele Vance");
    let name = app.wait_for("the profile", "#profile:not([hidden]) #profile-name");
    assert_eq!(name, "Adele Vance");
    assert_eq!(
        app.session().text_of("#profile-upn").as_deref(),
        Some("adele@contoso.example")
    );
    assert_eq!(
        app.session().text_of("#profile-title-value").as_deref(),
        Some("Product Manager")
    );
    app.save_screenshot("signed-in");

    // The log tells the story without a secret in it.
    let log = app.app_log();
    assert!(log.contains("sign-in redirect accepted"), "{log}");
    assert!(!log.contains("code=") && !log.contains("eyJ"), "{log}");

    app.click("#accounts li[data-username='adele@contoso.example'] .sign-out");
    app.wait_for("no accounts", "#accounts-empty:not([hidden])");
    assert!(app.session().find("#accounts li").is_none());
}
