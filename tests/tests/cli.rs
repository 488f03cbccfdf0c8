//! The CLI companion against the same cache as the window: `graphdesk token` prints a token for a signed-in account
//! (with the app running, and with it closed), says "sign in" with exit code 3 when the user is needed, exits 4 for an
//! unknown account and 2 for a bad command line; `graphdesk accounts` lists who is signed in.
// The desktop these tests drive (Xvfb, WebKitWebDriver, D-Bus) is Linux's; on Windows they only have to compile away.
#![cfg(target_os = "linux")]

use graphdesk_e2e::{App, Desktop, StandaloneTenant};

#[test]
fn the_cli_prints_tokens_from_the_window_s_cache_and_fails_distinctly() {
    let mut desktop = Desktop::start();
    desktop.start_secret_service();
    let tenant = StandaloneTenant::start();
    tenant.configure(&desktop);
    let mut app = App::launch_with_env(
        "cli",
        desktop,
        &[],
        &App::scripted_browser("adele@contoso.example"),
    );
    app.click("#sign-in");
    app.wait_for("the token", "#token-source[data-source='interactive']");
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
    assert!(
        stderr.contains("unexpected argument '--bogus'") && stderr.contains("Usage:"),
        "{stderr}"
    );

    // Windows' own sign-in says in words that it needs Windows.
    let (code, stdout, stderr) = app.run_cli(&["sign-in", "--windows"]);
    assert_eq!((code, stdout.as_str()), (1, ""), "{stderr}");
    assert!(
        stderr.contains("Integrated Windows Authentication is not available on this platform"),
        "{stderr}"
    );

    // With the window closed the CLI serves the same cache (starting the demo tenant itself when it must).
    app.quit();
    let (code, stdout, stderr) = app.run_cli(&["token", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    assert_eq!(json["accessToken"].as_str(), Some(token));
    assert_eq!(json["account"], "adele@contoso.example");
    assert_eq!(json["source"], "cache");
}

/// `graphdesk cache export` writes the window's sign-in for MSAL (a file only the user can read); after signing out in
/// the window, `graphdesk cache import` brings it back — with an entry MSAL would keep but GraphDesk cannot use set
/// aside in words, not refusing the file — and the token comes from the imported cache without a request. A file that
/// is not a cache is refused and changes nothing.
#[test]
fn cache_export_and_import_carry_a_sign_in_through_an_msal_file() {
    let mut desktop = Desktop::start();
    desktop.start_secret_service();
    let tenant = StandaloneTenant::start();
    tenant.configure(&desktop);
    let app = App::launch_with_env(
        "cli-cache",
        desktop,
        &[],
        &App::scripted_browser("adele@contoso.example"),
    );
    app.click("#sign-in");
    app.wait_for("the token", "#token-source[data-source='interactive']");

    let exported = app.desktop().home().join("msal-node-cache.json");
    let path = exported.to_str().expect("utf-8 path");
    let (code, stdout, stderr) =
        app.run_cli(&["cache", "export", "--format", "msal-node", "--out", path]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&exported)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "refresh tokens are readable by the user only"
        );
    }
    let mut cache: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&exported).expect("read")).expect("JSON");
    assert!(
        cache["Account"].as_object().is_some_and(|accounts| accounts
            .values()
            .any(|a| a["username"] == "adele@contoso.example")),
        "{cache}"
    );
    assert_eq!(cache["RefreshToken"].as_object().map(|m| m.len()), Some(1));

    // As another library might hand it over: a BOM, and an entry without the schema's fields.
    cache["AccessToken"]["written-by-someone-else"] = serde_json::json!({"foo": "bar"});
    let handed_over = app.desktop().home().join("handed-over.json");
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(cache.to_string().into_bytes());
    std::fs::write(&handed_over, bytes).expect("written");

    app.click("#accounts li[data-username='adele@contoso.example'] .sign-out");
    app.wait_for("no accounts", "#accounts-empty:not([hidden])");
    let (_, stdout, _) = app.run_cli(&["accounts"]);
    assert!(!stdout.contains("adele@"), "{stdout}");

    let not_a_cache = app.desktop().home().join("not-a-cache.json");
    std::fs::write(&not_a_cache, "[1, 2, 3]").expect("written");
    let (code, _, stderr) = app.run_cli(&["cache", "import", not_a_cache.to_str().expect("utf-8")]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("was not imported") && stderr.contains("not an MSAL token cache"),
        "{stderr}"
    );
    let (code, _, stderr) = app.run_cli(&["cache", "import", "/nonexistent/cache.json"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot read /nonexistent/cache.json"),
        "{stderr}"
    );

    tenant.clear_requests();
    let (code, stdout, stderr) =
        app.run_cli(&["cache", "import", handed_over.to_str().expect("utf-8 path")]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("1 account(s)") && stdout.contains("1 refresh token(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Kept as it was, not used: AccessToken entry #")
            && stdout.contains("missing field"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("foo") && !stdout.contains("eyJ"),
        "no values in the report: {stdout}"
    );

    let (code, stdout, stderr) =
        app.run_cli(&["token", "--account", "adele@contoso.example", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    assert_eq!(json["source"], "cache", "{json}");
    assert!(
        tenant.token_requests().is_empty(),
        "the imported token answered"
    );
}
