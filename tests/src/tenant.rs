//! The tenants an end-to-end test signs in against. [`DemoTenant`] is the one inside the app under test (demo mode): it
//! has no admin API, so a test reaches it as a user does — its ports and CA come from the state file the app keeps,
//! and a device code is entered on its device login page. [`StandaloneTenant`] is the `graphdesk-tenant` binary,
//! started by the test, with its admin API (request log) behind the token it prints; the app is configured for it as a
//! user with an app registration configures GraphDesk (client id, authority URL, CA file, web API).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::Desktop;
use crate::paths::tenant_binary;

/// The running app's demo tenant.
#[derive(Debug)]
pub struct DemoTenant {
    https_url: String,
}

impl DemoTenant {
    /// The tenant of the app running in `desktop` (it has written its state file by the time the window is ready).
    pub fn of(desktop: &Desktop) -> Self {
        let path = desktop.data_dir().join("demo_tenant_state.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("the demo tenant's state at {}: {e}", path.display()));
        let state: Value = serde_json::from_str(&text).expect("state is JSON");
        let port = state["https_port"].as_u64().expect("https_port");
        Self {
            https_url: format!("https://127.0.0.1:{port}"),
        }
    }

    /// Enters the device code `user_code` as `upn` on the tenant's device login page, as the user would.
    pub fn approve_device_code(&self, user_code: &str, upn: &str) {
        approve_device_code(&self.https_url, user_code, upn);
    }
}

fn approve_device_code(https_url: &str, user_code: &str, upn: &str) {
    let helper = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("helpers/device_login.py");
    let status = std::process::Command::new("python3")
        .arg(helper)
        .args([https_url, user_code, upn])
        .status()
        .expect("python3 runs the device login helper");
    assert!(status.success(), "the device login page took the code");
}

/// The standalone emulated tenant, for as long as the test holds it.
#[derive(Debug)]
pub struct StandaloneTenant {
    child: Child,
    https_url: String,
    admin: String,
    token: String,
    client_id: String,
    ca_file: PathBuf,
    agent: ureq::Agent,
    _dir: tempfile::TempDir,
}

impl StandaloneTenant {
    /// Starts `graphdesk-tenant` on free ports and waits for the line it prints when it listens.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let ca_file = dir.path().join("tenant-ca.pem");
        let mut child = std::process::Command::new(tenant_binary())
            .args(["--json", "--ca-out"])
            .arg(&ca_file)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the tenant binary starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the tenant says where it listens");
        let started: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the tenant's first line is JSON ({e}): {line}"));
        let field = |name: &str| {
            started[name]
                .as_str()
                .unwrap_or_else(|| panic!("`{name}` in {started}"))
                .to_owned()
        };
        Self {
            https_url: field("https"),
            admin: format!("{}/_admin", field("http")),
            token: field("admin_token"),
            client_id: field("client_id"),
            ca_file,
            agent: ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(30)))
                .build()
                .into(),
            child,
            _dir: dir,
        }
    }

    /// Writes GraphDesk's settings in `desktop` (before the app starts) for this tenant: the demo app registration,
    /// the `organizations` authority on the tenant's host, its CA as the extra trusted root, and its Graph slice as the
    /// web API.
    pub fn configure(&self, desktop: &Desktop) {
        let settings = json!({
            "clientId": self.client_id,
            "tenant": self.authority(),
            "cloud": "global",
            "redirectUri": "graphdesk://auth",
            "defaultScopes": ["User.Read"],
            "extraRootCaFile": self.ca_file.display().to_string(),
            "apiBaseUrl": format!("{}/v1.0", self.https_url),
            "logLevel": "info",
        });
        let dir = desktop.data_dir();
        std::fs::create_dir_all(&dir).expect("data dir");
        std::fs::write(
            dir.join("settings.json"),
            serde_json::to_vec_pretty(&settings).expect("json"),
        )
        .expect("settings written");
    }

    /// The authority the app is configured with.
    pub fn authority(&self) -> String {
        format!("{}/organizations", self.https_url)
    }

    /// Every request the tenant answered (admin calls excluded), oldest first.
    pub fn requests(&self) -> Vec<Value> {
        let mut response = self
            .agent
            .get(format!("{}/requests", self.admin))
            .header("authorization", format!("Bearer {}", self.token))
            .call()
            .expect("request log");
        let log: Value = response.body_mut().read_json().expect("log is JSON");
        log.as_array().cloned().unwrap_or_default()
    }

    /// The token-endpoint requests, as `grant_type`s.
    pub fn token_requests(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with("/token")))
            .map(|r| r["grant_type"].as_str().unwrap_or("?").to_owned())
            .collect()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.agent
            .delete(format!("{}/requests", self.admin))
            .header("authorization", format!("Bearer {}", self.token))
            .call()
            .expect("clear the request log");
    }

    /// Enters a device code on the tenant's device login page.
    pub fn approve_device_code(&self, user_code: &str, upn: &str) {
        approve_device_code(&self.https_url, user_code, upn);
    }
}

impl Drop for StandaloneTenant {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
