//! A private desktop for one test: an Xvfb display, a D-Bus session bus, and a temporary home with its own XDG
//! directories, so tests never touch the user's files and parallel tests never see each other's windows, deep links or
//! keyrings (single-instance and the Secret Service both live on the session bus).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

/// One test's display, bus and home.
#[derive(Debug)]
pub struct Desktop {
    home: TempDir,
    display: String,
    bus_address: String,
    children: Vec<Child>,
}

impl Desktop {
    /// Starts Xvfb and a standard session bus (services such as gnome-keyring start on demand, as on a real desktop).
    pub fn start() -> Self {
        Self::start_with_bus(&["--session"])
    }

    /// Starts Xvfb and a session bus that activates no services: a desktop with no Secret Service at all.
    pub fn start_without_services() -> Self {
        let config = std::env::temp_dir().join(format!(
            "graphdesk-e2e-bare-bus-{}.conf",
            std::process::id()
        ));
        std::fs::write(&config, BARE_SESSION_BUS).expect("bus config");
        Self::start_with_bus(&[&format!("--config-file={}", config.display())])
    }

    fn start_with_bus(bus_args: &[&str]) -> Self {
        let home = tempfile::Builder::new()
            .prefix("graphdesk-e2e-")
            .tempdir()
            .expect("temp home");
        for dir in ["data", "config", "cache", "state", "runtime", "graphdesk"] {
            std::fs::create_dir_all(home.path().join(dir)).expect("xdg dir");
        }
        set_private(&home.path().join("runtime"));

        // `-displayfd 1`: Xvfb picks a free display and prints its number, so parallel tests never collide.
        let mut xvfb = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb runs (apt-get install xvfb)");
        let display = format!(":{}", first_line(&mut xvfb, "Xvfb's display number"));

        let mut bus = Command::new("dbus-daemon")
            .args(bus_args)
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon runs (apt-get install dbus)");
        let bus_address = first_line(&mut bus, "the session bus address");

        Self {
            home,
            display,
            bus_address,
            children: vec![xvfb, bus],
        }
    }

    /// The temporary home.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// GraphDesk's data directory in this desktop (`GRAPHDESK_DATA_DIR`).
    pub fn data_dir(&self) -> PathBuf {
        self.home.path().join("graphdesk")
    }

    /// `XDG_DATA_HOME`, where the app registers its deep-link handler.
    pub fn xdg_data_home(&self) -> PathBuf {
        self.home.path().join("data")
    }

    /// The environment a program needs to run in this desktop.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let home = self.home.path();
        let at = |dir: &str| home.join(dir).display().to_string();
        vec![
            ("DISPLAY", self.display.clone()),
            ("DBUS_SESSION_BUS_ADDRESS", self.bus_address.clone()),
            ("HOME", home.display().to_string()),
            ("XDG_DATA_HOME", at("data")),
            ("XDG_CONFIG_HOME", at("config")),
            ("XDG_CACHE_HOME", at("cache")),
            ("XDG_STATE_HOME", at("state")),
            ("XDG_RUNTIME_DIR", at("runtime")),
            ("GRAPHDESK_DATA_DIR", self.data_dir().display().to_string()),
            ("GRAPHDESK_LOG", "debug".into()),
            // No accessibility bus: it would start extra daemons on our private bus and slow every launch.
            ("NO_AT_BRIDGE", "1".into()),
            ("GTK_A11Y", "none".into()),
        ]
    }

    /// A command that runs in this desktop.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.envs(self.env());
        command
    }

    /// Starts gnome-keyring's Secret Service on this desktop's bus, unlocked, as a logged-in user's session has it.
    pub fn start_secret_service(&mut self) {
        let mut daemon = self
            .command("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon runs (apt-get install gnome-keyring)");
        // The login password unlocks (and on first use creates) the login keyring; closing stdin ends it.
        let mut stdin = daemon.stdin.take().expect("stdin piped");
        stdin
            .write_all(b"graphdesk-test-password")
            .expect("password written");
        drop(stdin);
        self.children.push(daemon);
        crate::wait_until(
            "the Secret Service on the session bus",
            Duration::from_secs(10),
            || self.name_has_owner("org.freedesktop.secrets").then_some(()),
        );
    }

    /// Whether a connection on this desktop's session bus owns the well-known `name`.
    pub fn name_has_owner(&self, name: &str) -> bool {
        Command::new("dbus-send")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{name}"),
            ])
            .output()
            .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).contains("boolean true"))
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        for child in self.children.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A session bus configuration without service directories: nothing is activated on demand.
const BARE_SESSION_BUS: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

fn first_line(child: &mut Child, what: &str) -> String {
    let stdout = child.stdout.take().expect("stdout piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("reading {what}: {e}"));
    let line = line.trim().to_owned();
    assert!(!line.is_empty(), "no {what}: did the program start?");
    line
}

/// Owner-only, as XDG wants the runtime directory (the harness runs on Linux; on Windows it only has to compile).
fn set_private(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).expect("chmod 700");
    }
    #[cfg(not(unix))]
    let _ = dir;
}
