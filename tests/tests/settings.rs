//! The settings panel: an invalid app registration is refused with the field named and marked, and nothing changes; a
//! valid one is confirmed in a native dialog (dismissed: nothing changes), then switches the window from the demo tenant
//! to it; clearing the client id goes back to demo mode.
// The desktop these tests drive (Xvfb, WebKitWebDriver, D-Bus) is Linux's; on Windows they only have to compile away.
#![cfg(target_os = "linux")]

use graphdesk_e2e::{App, Desktop};

/// The title of the native dialog that confirms settings which repoint sign-in (`src-tauri/src/confirm.rs`).
const CONFIRM_TITLE: &str = "GraphDesk — confirm where you sign in";

#[test]
fn settings_are_validated_then_switch_between_configured_and_demo_mode() {
    let mut desktop = Desktop::start();
    desktop.start_secret_service();
    let app = App::launch("settings", desktop, &[]);
    assert_eq!(
        app.wait_for("the demo badge", "#mode.demo"),
        "Demo tenant — not Microsoft"
    );

    app.click("#open-settings");
    app.wait_for("the panel", "#settings:not([hidden]) #settings-title");
    assert_eq!(
        app.attribute_of("#settings-redirect-uri", "value")
            .as_deref(),
        Some("graphdesk://auth")
    );
    app.type_into("#settings-client-id", "not a client id");
    app.click("#settings-save");
    let error = app.wait_for("the field error", "#settings-error:not([hidden])");
    assert!(error.to_lowercase().contains("client id"), "{error}");
    assert_eq!(
        app.attribute_of("#settings-error", "data-field").as_deref(),
        Some("clientId"),
        "the error names the field the form marks"
    );
    assert!(app.session().find("#settings-client-id.invalid").is_some());
    assert_eq!(
        app.wait_for("still demo", "#mode.demo"),
        "Demo tenant — not Microsoft"
    );
    app.save_screenshot("settings-invalid");

    app.type_into(
        "#settings-client-id",
        "11111111-2222-3333-4444-555555555555",
    );
    app.type_into("#settings-tenant", "contoso.onmicrosoft.com");
    // A new authority repoints sign-in: a native dialog asks first. Dismissed, nothing changes.
    app.click("#settings-save");
    app.answer_native_dialog(CONFIRM_TITLE, &["Escape"]);
    let refused = app.wait_for("the refusal", "#settings-error:not([hidden])");
    assert!(refused.contains("confirmation"), "{refused}");
    assert!(!app.desktop().data_dir().join("settings.json").exists());
    // Confirmed, it applies.
    app.click("#settings-save");
    app.save_screenshot("settings-confirm");
    app.answer_native_dialog(CONFIRM_TITLE, &["Return"]);
    assert_eq!(
        app.wait_for("the configured authority", "#mode:not(.demo):not([hidden])"),
        "https://login.microsoftonline.com/contoso.onmicrosoft.com"
    );
    assert!(
        app.session().find("#settings:not([hidden])").is_none(),
        "the panel closes"
    );
    let saved =
        std::fs::read_to_string(app.desktop().data_dir().join("settings.json")).expect("saved");
    assert!(
        saved.contains("11111111-2222-3333-4444-555555555555"),
        "{saved}"
    );

    app.click("#open-settings");
    app.type_into("#settings-client-id", "");
    app.click("#settings-save");
    assert_eq!(
        app.wait_for("demo again", "#mode.demo"),
        "Demo tenant — not Microsoft"
    );
}
