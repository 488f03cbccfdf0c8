//! The app under test: GraphDesk launched by WebKitWebDriver inside a [`Desktop`], plus the ways the OS talks to it
//! (running the binary again with a link, as the desktop does for `graphdesk://` URLs).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::{Desktop, Session, app_binary, artifacts_dir, poll_until, wait_until};

/// How long a window may take to start and render (debug build, first WebKit start on a loaded machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The D-Bus name the running instance holds (`tauri-plugin-single-instance`: the identifier + `.SingleInstance`).
const SINGLE_INSTANCE_NAME: &str = "dev.graphdesk.desktop.SingleInstance";

/// A running GraphDesk with a WebDriver session on its window.
#[derive(Debug)]
pub struct App {
    test: String,
    desktop: Desktop,
    args: Vec<String>,
    env: Vec<(String, String)>,
    driver: Option<Child>,
    driver_log: PathBuf,
    session: Option<Session>,
    /// How many times the app was started (each start logs to its own file).
    starts: u32,
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
        let driver_log = desktop.home().join("webdriver-and-app-1.log");
        let mut app = Self {
            test: test.to_owned(),
            desktop,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            driver: None,
            driver_log,
            session: None,
            starts: 0,
        };
        app.start();
        app
    }

    /// Starts WebKitWebDriver and, through it, the app; waits until the window has rendered its first answer.
    fn start(&mut self) {
        self.starts += 1;
        self.driver_log = self
            .desktop
            .home()
            .join(format!("webdriver-and-app-{}.log", self.starts));
        let port = free_port();
        let log = std::fs::File::create(&self.driver_log).expect("driver log");
        let driver = self
            .desktop
            .command("WebKitWebDriver")
            .args([format!("--port={port}"), "--host=127.0.0.1".into()])
            // Without it, wry never enables automation and the session hangs (see PLATFORM.md).
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .expect("WebKitWebDriver runs (apt-get install webkit2gtk-driver)");
        self.driver = Some(driver);
        let base = format!("http://127.0.0.1:{port}");
        let binary = app_binary();
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let session = wait_until("WebKitWebDriver to accept a session", START_TIMEOUT, || {
            Session::create(&base, &binary, &args).ok()
        });
        self.session = Some(session);
        self.wait_for("the window to be ready", "body[data-ready='true']");
    }

    /// Quits the app (the driver closes it) and starts it again in the same desktop: same data directory, same keyring.
    pub fn restart(&mut self) {
        self.quit();
        self.start();
    }

    /// Quits the app and waits until its process is gone; the desktop (bus, keyring, data) stays.
    pub fn quit(&mut self) {
        // Deleting the session makes WebKitWebDriver end the app it launched, but it may answer the request before it
        // has done so: killing the driver at once can leave the app running, holding the single-instance name, and the
        // next start would hand over to it. So the driver goes only once the app is gone; an app still there after a
        // grace period gets SIGTERM, as at logout.
        assert!(
            self.desktop.name_has_owner(SINGLE_INSTANCE_NAME),
            "the running app holds {SINGLE_INSTANCE_NAME}"
        );
        if let Some(session) = self.session.take() {
            session.delete();
        }
        let binary = app_binary();
        let home = format!("HOME={}", self.desktop.home().display());
        let gone = || (!process_running(&binary, &home)).then_some(());
        if poll_until(Duration::from_secs(10), gone).is_none() {
            eprintln!("the app outlived its WebDriver session by 10 s: sending it SIGTERM");
            for pid in app_processes(&binary, &home) {
                let _ = std::process::Command::new("kill")
                    .args(["-TERM", &pid.to_string()])
                    .status();
            }
        }
        wait_until("the app to exit", Duration::from_secs(30), gone);
        // The process leaves /proc's view (its memory is gone) a moment before its sockets close: a start in that moment
        // finds the single-instance name still owned and fails handing over to a process that no longer answers.
        wait_until(
            "the app's single-instance name to be released",
            Duration::from_secs(10),
            || (!self.desktop.name_has_owner(SINGLE_INSTANCE_NAME)).then_some(()),
        );
        self.stop();
    }

    /// The app's process id (the process running the app binary in this desktop), once it runs.
    pub fn pid(&self) -> Option<u32> {
        let home = format!("HOME={}", self.desktop.home().display());
        app_processes(&app_binary(), &home).into_iter().next()
    }

    /// Runs the GraphDesk binary in this desktop with `args` (the CLI), and returns its exit code, stdout and stderr.
    pub fn run_cli(&self, args: &[&str]) -> (i32, String, String) {
        let output = self
            .desktop
            .command(app_binary())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("the CLI runs");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    fn stop(&mut self) {
        if let Some(session) = self.session.take() {
            session.delete();
        }
        if let Some(mut driver) = self.driver.take() {
            let _ = driver.kill();
            let _ = driver.wait();
        }
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

    /// Answers the app's native dialog titled `title` (a GTK window outside the webview, which WebDriver cannot reach)
    /// as a user would: the dialog is found on the display, focused, and `key` is pressed (`Return` takes its default
    /// button, `Escape` dismisses it).
    pub fn answer_native_dialog(&self, title: &str, keys: &[&str]) {
        let xdotool = |args: &[&str]| {
            self.desktop
                .command("xdotool")
                .args(args)
                .stderr(Stdio::null())
                .output()
                .expect("xdotool runs (apt-get install xdotool)")
        };
        // Found once it is mapped (no --sync: a search that never matches must not hang the test).
        let window = poll_until(Duration::from_secs(30), || {
            let found = xdotool(&["search", "--onlyvisible", "--name", title]);
            String::from_utf8_lossy(&found.stdout)
                .lines()
                .next()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("no dialog {title:?} appeared"));
        // No window manager runs here: focus the dialog directly, let it take the focus, then type (XTEST events go to
        // the focused window, as a user's keyboard would).
        xdotool(&["windowfocus", &window]);
        std::thread::sleep(Duration::from_millis(300));
        let mut args = vec!["key", "--clearmodifiers"];
        args.extend_from_slice(keys);
        assert!(xdotool(&args).status.success(), "keys sent to {title:?}");
        // The dialog goes away once answered.
        let gone = poll_until(Duration::from_secs(10), || {
            let found = xdotool(&["search", "--onlyvisible", "--name", title]);
            (!String::from_utf8_lossy(&found.stdout)
                .lines()
                .any(|w| w == window))
            .then_some(())
        });
        assert!(gone.is_some(), "the dialog {title:?} was answered");
    }

    /// Types `text` into the input matching `css` (replacing what was there).
    pub fn type_into(&self, css: &str, text: &str) {
        let element = wait_until(css, START_TIMEOUT, || self.session().find(css));
        self.session().type_into(&element, text);
    }

    /// An attribute of the first element matching `css` (waiting for the element).
    pub fn attribute_of(&self, css: &str, name: &str) -> Option<String> {
        let element = wait_until(css, START_TIMEOUT, || self.session().find(css));
        self.session().attribute(&element, name)
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
        for start in 1..=self.starts {
            let log = self
                .desktop
                .home()
                .join(format!("webdriver-and-app-{start}.log"));
            let _ = std::fs::copy(&log, dir.join(format!("webdriver-and-app-{start}.log")));
        }
        let _ = std::fs::write(dir.join("graphdesk.log"), self.app_log());
        eprintln!("e2e artifacts saved in {}", dir.display());
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.save_failure_artifacts();
        }
        self.stop();
    }
}

/// Whether a process runs `binary` with `home_entry` (`HOME=…`) in its environment: the app under test in this desktop.
fn process_running(binary: &std::path::Path, home_entry: &str) -> bool {
    !app_processes(binary, home_entry).is_empty()
}

/// The processes running `binary` with `home_entry` in their environment.
fn app_processes(binary: &std::path::Path, home_entry: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| {
            std::fs::read_link(entry.path().join("exe")).is_ok_and(|exe| exe == binary)
                && std::fs::read(entry.path().join("environ")).is_ok_and(|environ| {
                    environ
                        .split(|b| *b == 0)
                        .any(|var| var == home_entry.as_bytes())
                })
        })
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .collect()
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("local addr").port()
}
