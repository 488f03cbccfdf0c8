//! A small W3C WebDriver client for WebKitWebDriver: sessions, element lookup, text, attributes, clicks, screenshots.
//! Errors panic with WebDriver's own message: this is test code, and the message is what a failing test should show.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

/// The key W3C WebDriver uses for element references.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session: one app window.
#[derive(Debug)]
pub struct Session {
    agent: ureq::Agent,
    base: String,
    id: String,
}

/// A reference to an element in the window.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Session {
    /// Creates a session on the driver at `base` (`http://127.0.0.1:PORT`) that launches `binary` with `args`.
    pub fn create(base: &str, binary: &std::path::Path, args: &[&str]) -> Result<Self, String> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "wry",
                    "webkitgtk:browserOptions": { "binary": binary.display().to_string(), "args": args }
                }
            }
        });
        let value = request(
            &agent,
            "POST",
            &format!("{base}/session"),
            Some(capabilities),
        )?;
        let id = value["sessionId"]
            .as_str()
            .ok_or("no sessionId in the new session")?
            .to_owned();
        Ok(Self {
            agent,
            base: base.to_owned(),
            id,
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        request(
            &self.agent,
            method,
            &format!("{}/session/{}{path}", self.base, self.id),
            body,
        )
    }

    /// The first element matching `css`, if any.
    pub fn find(&self, css: &str) -> Option<Element> {
        let value = self
            .call(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .ok()?;
        value[ELEMENT_KEY].as_str().map(|id| Element(id.to_owned()))
    }

    /// Every element matching `css`.
    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let value = self
            .call(
                "POST",
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .unwrap_or_else(|e| panic!("finding {css}: {e}"));
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item[ELEMENT_KEY].as_str().map(|id| Element(id.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The rendered text of `element`.
    pub fn text(&self, element: &Element) -> String {
        let value = self
            .call("GET", &format!("/element/{}/text", element.0), None)
            .unwrap_or_else(|e| panic!("reading text: {e}"));
        value.as_str().unwrap_or_default().to_owned()
    }

    /// The text of the first element matching `css`, or `None` when there is none (or it was replaced while being
    /// read: the window re-renders lists, and callers wait and ask again).
    pub fn text_of(&self, css: &str) -> Option<String> {
        let element = self.find(css)?;
        let value = self
            .call("GET", &format!("/element/{}/text", element.0), None)
            .ok()?;
        Some(value.as_str().unwrap_or_default().to_owned())
    }

    /// An attribute of `element`.
    pub fn attribute(&self, element: &Element, name: &str) -> Option<String> {
        let value = self
            .call(
                "GET",
                &format!("/element/{}/attribute/{name}", element.0),
                None,
            )
            .unwrap_or_else(|e| panic!("reading attribute {name}: {e}"));
        value.as_str().map(str::to_owned)
    }

    /// Clicks `element`.
    pub fn click(&self, element: &Element) {
        self.call(
            "POST",
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .unwrap_or_else(|e| panic!("clicking: {e}"));
    }

    /// Replaces the text of an input or textarea with `text`, as typing would.
    pub fn type_into(&self, element: &Element, text: &str) {
        self.call(
            "POST",
            &format!("/element/{}/clear", element.0),
            Some(json!({})),
        )
        .unwrap_or_else(|e| panic!("clearing: {e}"));
        if text.is_empty() {
            return;
        }
        self.call(
            "POST",
            &format!("/element/{}/value", element.0),
            Some(json!({ "text": text })),
        )
        .unwrap_or_else(|e| panic!("typing: {e}"));
    }

    /// Runs `script` in the page as an async script (its last argument is the callback) and returns what it passed on.
    pub fn execute_async(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// The page's whole markup, as the window holds it now (every element's text and attributes).
    pub fn page_source(&self) -> String {
        self.call("GET", "/source", None)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Sets the async script timeout.
    pub fn set_script_timeout(&self, timeout: Duration) -> Result<(), String> {
        self.call(
            "POST",
            "/timeouts",
            Some(json!({ "script": timeout.as_millis() as u64 })),
        )
        .map(|_| ())
    }

    /// Waits until the page has painted its current DOM (two animation frames): WebKit's screenshot shows the last
    /// painted frame, which can lag the DOM a test has just read.
    pub fn wait_for_paint(&self) -> Result<(), String> {
        let script = "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        self.call(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
        .map(|_| ())
    }

    /// A PNG of the window, once it has painted.
    pub fn screenshot(&self) -> Result<Vec<u8>, String> {
        self.wait_for_paint()?;
        let value = self.call("GET", "/screenshot", None)?;
        let encoded = value.as_str().ok_or("the screenshot is not a string")?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| format!("screenshot is not base64: {e}"))
    }

    /// Ends the session (the driver closes the app).
    pub fn delete(&self) {
        let _ = request(
            &self.agent,
            "DELETE",
            &format!("{}/session/{}", self.base, self.id),
            None,
        );
    }
}

/// One WebDriver request; returns the response's `value`, or WebDriver's error as text.
fn request(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let response = match (method, body) {
        ("POST", Some(body)) => agent.post(url).send_json(body),
        ("POST", None) => agent.post(url).send_empty(),
        ("DELETE", _) => agent.delete(url).call(),
        _ => agent.get(url).call(),
    };
    let mut response = response.map_err(|e| format!("{method} {url}: {e}"))?;
    let status = response.status();
    let body: Value = response
        .body_mut()
        .read_json()
        .map_err(|e| format!("{method} {url}: HTTP {status}, body is not JSON: {e}"))?;
    if status.is_success() {
        Ok(body["value"].clone())
    } else {
        Err(format!(
            "{method} {url}: HTTP {status}: {} {}",
            body["value"]["error"], body["value"]["message"]
        ))
    }
}
