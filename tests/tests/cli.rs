//! The CLI companion against the same cache as the window: `graphdesk token` prints a token for a signed-in account
//! (with the app running, and with it closed), says "sign in" with exit code 3 when the user is needed, exits 4 for an
//! unknown account and 2 for a bad command line; `graphdesk accounts` lists who is signed in.

use graphdesk_e2e::{App, DemoTenant, Desktop};

#[test]
fn the_cli_prints_tokens_from_the_window_s_cache_and_fails_distinctly() {
    let mut desktop = Desktop::start();
    desktop.start_secret_service();
    let mut app = App::launch_with_env(
        "cli",
        desktop,
        &[],
        &App::scripted_browser("adele@contoso.example"),
    );
    app.click("#sign-in");
    app.wait_for("the token", "#token-source[data-source='interactive']");
    let tenant = DemoTenant::of(app.desktop());
    tenant.clear_requests();

    let (code, stdout, stderr) = app.run_cli(&[
        "token",
        "--scope",
        "User.Read",
        "--account",
        "adele@contoso.example",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let token = stdout.trim();
    assert!(
        token.starts_with("eyJ") && token.split('.').count() == 3 && !token.contains('\n'),
        "{stdout}"
    );
    assert!(
        tenant.token_requests().is_empty(),
        "from the cache, no token request"
    );

    let (code, stdout, stderr) = app.run_cli(&["token", "--account", "nobody@contoso.example"]);
    assert_eq!((code, stdout.as_str()), (4, ""), "{stderr}");
    assert!(
        stderr.contains("nobody@contoso.example is not signed in"),
        "{stderr}"
    );

    // A scope nobody consented to: the refresh is refused, the user is needed.
    let (code, stdout, stderr) = app.run_cli(&["token", "--scope", "Mail.Read"]);
    assert_eq!((code, stdout.as_str()), (3, ""), "{stderr}");
    assert!(stderr.contains("Open GraphDesk and sign in"), "{stderr}");

    let (code, stdout, _) = app.run_cli(&["accounts"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("* adele@contoso.example\tAdele Vance\t"),
        "{stdout}"
    );

    let (code, _, stderr) = app.run_cli(&["token", "--bogus"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown option --bogus"), "{stderr}");

    // With the window closed the CLI serves the same cache (starting the demo tenant itself when it must).
    app.quit();
    let (code, stdout, stderr) = app.run_cli(&["token", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    assert_eq!(json["accessToken"].as_str(), Some(token));
    assert_eq!(json["account"], "adele@contoso.example");
    assert_eq!(json["source"], "cache");
}
