//! The other ways to sign in from the window: a device code (the panel shows the code and a countdown; the user enters
//! it elsewhere — here on the demo tenant's device login page, as a user would: demo mode has no admin API) and
//! username/password, whose refusal for an MFA account says so in words.
// The desktop these tests drive (Xvfb, WebKitWebDriver, D-Bus) is Linux's; on Windows they only have to compile away.
#![cfg(target_os = "linux")]

use graphdesk_e2e::{App, DemoTenant, Desktop};

#[test]
fn device_code_sign_in_through_the_panel() {
    let mut desktop = Desktop::start();
    desktop.start_secret_service();
    let app = App::launch("device-code", desktop, &[]);
    app.click("#sign-in-device-code");
    let code = app.wait_for("the code", "#device-code:not([hidden]) #device-code-value");
    assert!(code.len() >= 8, "{code}");
    assert!(
        app.wait_for("the message", "#device-code-message")
            .contains(&code)
    );
    assert!(
        app.wait_for("the countdown", "#device-code-countdown")
            .contains("min")
    );
    app.save_screenshot("device-code");

    DemoTenant::of(app.desktop()).approve_device_code(&code, "alex@contoso.example");
    assert_eq!(
        app.wait_for(
            "the account",
            "#accounts li[data-username='alex@contoso.example'] .name"
        ),
        "Alex Wilber"
    );
    assert_eq!(
        app.wait_for("the token", "#token-source[data-source='deviceCode']"),
        "device code"
    );
    assert!(
        app.session().find("#device-code:not([hidden])").is_none(),
        "the panel closes"
    );
    // Alex has no photo: initials instead.
    assert_eq!(
        app.wait_for("the initials", "#profile-initials:not([hidden])"),
        "AW"
    );
}

#[test]
fn password_sign_in_refuses_mfa_in_words_and_signs_in_others() {
    let mut desktop = Desktop::start();
    desktop.start_secret_service();
    let app = App::launch("password", desktop, &[]);
    app.click("#sign-in-password");
    app.type_into("#password-username", "megan@contoso.example");
    app.type_into("#password-password", "demo");
    app.click("#password-submit");
    let notice = app.wait_for("the MFA notice", "#notice:not([hidden])");
    assert!(
        notice.contains("multi-factor") && notice.contains("AADSTS50076"),
        "{notice}"
    );
    assert!(app.session().find("#accounts li").is_none());
    assert_eq!(
        app.attribute_of("#password-password", "value")
            .as_deref()
            .unwrap_or(""),
        "",
        "the password is not kept"
    );
    app.save_screenshot("password-mfa");

    app.type_into("#password-username", "lee@contoso.example");
    app.type_into("#password-password", "demo");
    app.click("#password-submit");
    assert_eq!(
        app.wait_for(
            "the account",
            "#accounts li[data-username='lee@contoso.example'] .name"
        ),
        "Lee Gu"
    );
    assert_eq!(
        app.wait_for("the token", "#token-source[data-source='usernamePassword']"),
        "username and password"
    );
}
