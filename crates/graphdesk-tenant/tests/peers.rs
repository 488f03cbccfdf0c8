//! The real MSAL libraries accept the emulated tenant: MSAL Python and msal-node, installed from their registries (PyPI,
//! npm) on first run, each run device code -> silent cache hit -> refresh after expiry, and authorization code + PKCE ->
//! Graph `/me`, over https with the tenant's CA. The tenant's request log proves what they sent.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use graphdesk_tenant::{DEMO_CLIENT_ID, Directory, RunningTenant, TenantConfig};

const MSAL_PYTHON: &str = "1.39.0";

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A Python with MSAL Python installed in `target/peers/python` (created from PyPI on first use).
fn python_with_msal() -> PathBuf {
    let venv = target_dir().join("peers/python");
    let python = venv.join("bin/python");
    let ready = Command::new(&python)
        .args([
            "-c",
            &format!("import msal, requests; assert msal.__version__ == '{MSAL_PYTHON}'"),
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        run(
            Command::new("python3")
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
            "python3 -m venv",
        );
        run(
            Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("msal=={MSAL_PYTHON}"),
            ]),
            "pip install msal",
        );
    }
    python
}

/// `tests/peers` with msal-node installed from its lockfile.
fn msal_node() -> PathBuf {
    let dir = peers_dir();
    if !dir
        .join("node_modules/@azure/msal-node/package.json")
        .is_file()
    {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir),
            "npm ci (msal-node)",
        );
    }
    dir
}

async fn tenant() -> (RunningTenant, tempfile::NamedTempFile) {
    // Tokens that live 303 s: both libraries treat fewer than 300 s left as expired, so a 4 s wait forces a refresh.
    let config = TenantConfig {
        access_token_lifetime: 303,
        device_code_interval: 1,
        ..TenantConfig::default()
    };
    let tenant = common::start_with(Directory::demo(), config).await;
    let ca = tempfile::NamedTempFile::new().expect("CA file");
    std::fs::write(ca.path(), tenant.ca_pem()).expect("CA written");
    (tenant, ca)
}

fn peer_env(tenant: &RunningTenant) -> Vec<(&'static str, String)> {
    vec![
        ("AUTHORITY", tenant.authority("organizations")),
        ("CLIENT_ID", DEMO_CLIENT_ID.to_owned()),
        ("ADMIN_URL", tenant.http_url()),
        ("GRAPH_URL", tenant.https_url()),
        ("UPN", "adele@contoso.example".to_owned()),
    ]
}

async fn output_of(mut command: tokio::process::Command, what: &str) -> String {
    let output = command
        .output()
        .await
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn grant_count(tenant: &RunningTenant, grant: &str) -> usize {
    tenant
        .requests()
        .iter()
        .filter(|r| r.grant_type.as_deref() == Some(grant) && r.status == 200)
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn msal_python_device_code_silent_refresh_and_auth_code() {
    let python = tokio::task::spawn_blocking(python_with_msal)
        .await
        .expect("setup");
    let (tenant, ca) = tenant().await;
    let mut command = tokio::process::Command::new(python);
    command
        .arg(peers_dir().join("msal_python_flow.py"))
        .envs(peer_env(&tenant))
        // `requests` ignores `verify=` while these are set: point them at the tenant's CA.
        .env("REQUESTS_CA_BUNDLE", ca.path())
        .env("CURL_CA_BUNDLE", ca.path())
        .env("SSL_CERT_FILE", ca.path());
    let stdout = output_of(command, "MSAL Python").await;
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(result["msal"], MSAL_PYTHON);
    assert_eq!(result["upn"], "adele@contoso.example");
    assert_eq!(
        grant_count(&tenant, "refresh_token"),
        1,
        "one refresh after expiry, none for the cache hit"
    );
    assert_eq!(
        grant_count(&tenant, "urn:ietf:params:oauth:grant-type:device_code"),
        1
    );
    assert_eq!(grant_count(&tenant, "authorization_code"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn msal_node_device_code_silent_refresh_and_auth_code() {
    let dir = tokio::task::spawn_blocking(msal_node).await.expect("setup");
    let (tenant, ca) = tenant().await;
    let known = tenant.https_url().trim_start_matches("https://").to_owned();
    let mut command = tokio::process::Command::new("node");
    command
        .arg(dir.join("msal_node_flow.mjs"))
        .current_dir(&dir)
        .envs(peer_env(&tenant))
        .env("KNOWN_AUTHORITY", known)
        .env("NODE_EXTRA_CA_CERTS", ca.path());
    let stdout = output_of(command, "msal-node").await;
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(result["upn"], "adele@contoso.example");
    assert_eq!(
        grant_count(&tenant, "refresh_token"),
        1,
        "one refresh after expiry, none for the cache hit"
    );
    // msal-node sends the short `device_code` grant type (Entra accepts both); MSAL Python the RFC 8628 URN.
    assert_eq!(grant_count(&tenant, "device_code"), 1);
    assert_eq!(grant_count(&tenant, "authorization_code"), 1);
}
