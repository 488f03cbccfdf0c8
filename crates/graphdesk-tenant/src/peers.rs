//! The real MSAL libraries as test peers: MSAL Python (from PyPI, in a virtual environment under `target/peers/python`)
//! and msal-node (from npm, installed from the lockfile in `tests/peers`), plus the scripts that drive them against a
//! running tenant. Installed on first use; used by this crate's and the core crate's tests.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The MSAL Python version the peers pin.
pub const MSAL_PYTHON: &str = "1.39.0";

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// The directory holding the peer scripts (and msal-node's `node_modules`).
pub fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Holds an exclusive lock on `peers/{name}.lock` until dropped: tests in several threads and processes install the
/// same peer, and two installs at once break each other (a `venv --clear` under a running `pip`).
fn install_lock(name: &str) -> Result<std::fs::File, String> {
    let dir = target_dir().join("peers");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{name}.lock"));
    let file = std::fs::File::create(&path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.lock()
        .map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
    Ok(file)
}

/// A Python with MSAL Python installed (created from PyPI on first use).
pub fn python_with_msal() -> Result<PathBuf, String> {
    let venv = target_dir().join("peers/python");
    let python = venv.join("bin/python");
    let _installing = install_lock("python")?;
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
        )?;
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
        )?;
    }
    Ok(python)
}

/// The scripts directory with msal-node installed from its lockfile.
pub fn msal_node() -> Result<PathBuf, String> {
    let dir = scripts_dir();
    let _installing = install_lock("node")?;
    if !dir
        .join("node_modules/@azure/msal-node/package.json")
        .is_file()
    {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir),
            "npm ci (msal-node)",
        )?;
    }
    Ok(dir)
}

/// The environment the peer scripts read, for `upn` against `tenant`, trusting `ca_file`.
pub fn script_env(
    tenant: &crate::RunningTenant,
    upn: &str,
    ca_file: &Path,
) -> Vec<(&'static str, String)> {
    let ca = ca_file.display().to_string();
    vec![
        ("AUTHORITY", tenant.authority("organizations")),
        ("CLIENT_ID", crate::DEMO_CLIENT_ID.to_owned()),
        (
            "ADMIN_URL",
            tenant
                .http_url()
                .expect("the peers' tenant listens on plain http (TenantServer::plain_http)"),
        ),
        (
            "ADMIN_TOKEN",
            tenant
                .admin_token()
                .expect("the peers' tenant serves the admin API (TenantServer::admin_api)")
                .to_owned(),
        ),
        ("GRAPH_URL", tenant.https_url()),
        ("UPN", upn.to_owned()),
        (
            "KNOWN_AUTHORITY",
            tenant.https_url().trim_start_matches("https://").to_owned(),
        ),
        // `requests` ignores `verify=` while these are set: point them at the tenant's CA.
        ("REQUESTS_CA_BUNDLE", ca.clone()),
        ("CURL_CA_BUNDLE", ca.clone()),
        ("SSL_CERT_FILE", ca.clone()),
        ("NODE_EXTRA_CA_CERTS", ca),
    ]
}

/// Runs a peer command to completion and returns its stdout, or its output as the error.
pub async fn output_of(mut command: tokio::process::Command, what: &str) -> Result<String, String> {
    let output = command
        .output()
        .await
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "{what} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// `python msal_python_flow.py` with `env`.
pub fn python_command(python: &Path, env: &[(&'static str, String)]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(python);
    command
        .arg(scripts_dir().join("msal_python_flow.py"))
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    command
}

/// `node msal_node_flow.mjs` with `env`.
pub fn node_command(dir: &Path, env: &[(&'static str, String)]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new("node");
    command
        .arg(dir.join("msal_node_flow.mjs"))
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    command
}
