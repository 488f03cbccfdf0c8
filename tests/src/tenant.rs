//! The demo tenant inside the app under test, reached the way a test may: its ports come from the state file the app
//! keeps in its data directory, and its admin API (request log, device-code decisions) answers on the http port.

use std::time::Duration;

use serde_json::{Value, json};

use crate::Desktop;

/// The running app's demo tenant.
#[derive(Debug)]
pub struct DemoTenant {
    admin: String,
    agent: ureq::Agent,
}

impl DemoTenant {
    /// The tenant of the app running in `desktop` (it has written its state file by the time the window is ready).
    pub fn of(desktop: &Desktop) -> Self {
        let path = desktop.data_dir().join("demo_tenant_state.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("the demo tenant's state at {}: {e}", path.display()));
        let state: Value = serde_json::from_str(&text).expect("state is JSON");
        let port = state["http_port"].as_u64().expect("http_port");
        Self {
            admin: format!("http://127.0.0.1:{port}/_admin"),
            agent: ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(30)))
                .build()
                .into(),
        }
    }

    /// Every request the tenant answered (admin calls excluded), oldest first.
    pub fn requests(&self) -> Vec<Value> {
        let mut response = self
            .agent
            .get(format!("{}/requests", self.admin))
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
            .call()
            .expect("clear the request log");
    }

    /// Approves the device code `user_code` as `upn`, as the user would on the device login page.
    pub fn approve_device_code(&self, user_code: &str, upn: &str) {
        self.agent
            .post(format!("{}/device", self.admin))
            .send_json(json!({ "user_code": user_code, "upn": upn, "approve": true }))
            .expect("device code approved");
    }
}
