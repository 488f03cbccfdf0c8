//! The app under test: GraphDesk launched by WebKitWebDriver inside a [`Desktop`], plus the ways the OS talks to it
//! (running the binary again with a link, as the desktop does for `graphdesk://` URLs).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::{Desktop, Session, app_binary, artifacts_dir, wait_until};

/// How long a window may take to start and render (debug build, first WebKit start on a loaded machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running GraphDesk with a WebDriver session on its window.
#[derive(Debug)]
pub struct App {
    test: String,
    desktop: Desktop,
    driver: Child,
    driver_log: PathBuf,
    session: Option<Session>,
}

impl App {
    /// Launches GraphDesk in `desktop` with `args` and waits until its window has rendered its first answer.
    pub fn launch(test: &str, desktop: Desktop, args: &[&str]) -> Self {
        Self::launch_with_env(test, desktop, args, &[])
    }

    /// As [`Self::launch`], with extra environment for the app (such as `GRAPHDESK_BROWSER`).
    pub fn launch_with_env(
        test: &str,
        desktop: Desktop,
        args: &[&str],
        env: &[(&str, String)],
    ) -> Self {
        let port = free_port();
        let driver_log = desktop.home().join("webdriver-and-app.log");
        let log = std::fs::File::create(&driver_log).expect("driver log");
        let driver = desktop
            .command("WebKitWebDriver")
            .args([format!("--port={port}"), "--host=127.0.0.1".into()])
            // Without it, wry never enables automation and the session hangs (see PLATFORM.md).
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .expect("WebKitWebDriver runs (apt-get install webkit2gtk-driver)");
        let mut app = Self {
            test: test.to_owned(),
            desktop,
            driver,
            driver_log,
            session: None,
        };
        let base = format!("http://127.0.0.1:{port}");
        let binary = app_binary();
        let session = wait_until("WebKitWebDriver to accept a session", START_TIMEOUT, || {
            Session::create(&base, &binary, args).ok()
        });
        app.session = Some(session);
        app.wait_for("the window to be ready", "body[data-ready='true']");
        app
    }

    /// The WebDriver session.
    pub fn session(&self) -> &Session {
        self.session.as_ref().expect("a session")
    }

    /// The desktop the app runs in.
    pub fn desktop(&self) -> &Desktop {
        &self.desktop
    }

    /// Waits for an element matching `css` and returns its text.
    pub fn wait_for(&self, what: &str, css: &str) -> String {
        wait_until(what, START_TIMEOUT, || self.session().text_of(css))
    }

    /// Opens `url` as the desktop does: runs the binary again with the URL as its only argument. Returns the second
    /// process's exit status and how long it ran.
    pub fn open_link(&self, url: &str) -> (ExitStatus, Duration) {
        let started = Instant::now();
        let mut second = self
            .desktop
            .command(app_binary())
            .arg(url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("second instance starts");
        let status = wait_until(
            "the second instance to exit",
            Duration::from_secs(30),
            || second.try_wait().expect("second instance status"),
        );
        (status, started.elapsed())
    }

    /// The scripted browser for sign-ins: `GRAPHDESK_BROWSER` pointing at `tests/helpers/browser.py`, which completes
    /// the sign-in at the demo tenant as `upn` and hands the redirect back by launching the binary, as the OS does.
    pub fn scripted_browser(upn: &str) -> Vec<(&'static str, String)> {
        let helper = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("helpers/browser.py");
        vec![
            ("GRAPHDESK_BROWSER", helper.display().to_string()),
            ("GRAPHDESK_E2E_BIN", app_binary().display().to_string()),
            ("GRAPHDESK_E2E_UPN", upn.to_owned()),
        ]
    }

    /// Clicks the element matching `css`.
    pub fn click(&self, css: &str) {
        let element = wait_until(css, START_TIMEOUT, || self.session().find(css));
        self.session().click(&element);
    }

    /// Everything the app logged: its log files in the data directory.
    pub fn app_log(&self) -> String {
        let dir = self.desktop.data_dir().join("logs");
        let mut text = String::new();
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
        text
    }

    /// Saves a screenshot of the window as `target/e2e-artifacts/<test>/<name>.png` and returns its path.
    pub fn save_screenshot(&self, name: &str) -> PathBuf {
        let path = artifacts_dir(&self.test).join(format!("{name}.png"));
        let png = self
            .session()
            .screenshot()
            .unwrap_or_else(|e| panic!("screenshot: {e}"));
        std::fs::write(&path, png).expect("screenshot written");
        path
    }

    fn save_failure_artifacts(&self) {
        let dir = artifacts_dir(&self.test);
        if let Some(session) = &self.session
            && let Ok(png) = session.screenshot()
        {
            let _ = std::fs::write(dir.join("failure.png"), png);
        }
        let _ = std::fs::copy(&self.driver_log, dir.join("webdriver-and-app.log"));
        let _ = std::fs::write(dir.join("graphdesk.log"), self.app_log());
        eprintln!("e2e artifacts saved in {}", dir.display());
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.save_failure_artifacts();
        }
        if let Some(session) = &self.session {
            session.delete();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("local addr").port()
}
