//! The Linux package: the `.deb` the Tauri bundler built installs with dpkg (into a private root, so the test leaves the
//! machine as it was), puts the binary, icons and desktop entry in place; the desktop entry is valid and registers
//! `x-scheme-handler/graphdesk`, so xdg-mime names GraphDesk as the handler of `graphdesk://` links; and the installed
//! binary runs.
// The desktop these tests drive (Xvfb, WebKitWebDriver, D-Bus) is Linux's; on Windows they only have to compile away.
#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::Command;

use graphdesk_e2e::deb_package;

fn run(command: &mut Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?}: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// An empty dpkg database under `root`.
fn dpkg_root(root: &Path) {
    for dir in [
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/dpkg/triggers",
    ] {
        std::fs::create_dir_all(root.join(dir)).expect("dpkg dirs");
    }
    std::fs::write(root.join("var/lib/dpkg/status"), "").expect("dpkg status");
}

#[test]
fn the_deb_installs_registers_the_graphdesk_scheme_and_runs() {
    let deb = deb_package();
    let control = run(Command::new("dpkg-deb").arg("--field").arg(&deb));
    assert!(
        control.contains("Package: graph-desk") || control.contains("Package: graphdesk"),
        "{control}"
    );
    assert!(
        control.contains("libwebkit2gtk-4.1-0") && control.contains("libayatana-appindicator3-1"),
        "{control}"
    );

    let root = tempfile::tempdir().expect("root");
    dpkg_root(root.path());
    // Only the package's own files go in: its dependencies are the machine's (dpkg's database here is empty).
    run(Command::new("dpkg")
        .arg(format!("--root={}", root.path().display()))
        .args(["--force-depends", "--force-script-chrootless", "--install"])
        .arg(&deb));
    let usr = root.path().join("usr");
    let binary = usr.join("bin/graphdesk");
    assert!(binary.is_file(), "{}", binary.display());
    for size in ["32x32", "128x128"] {
        let icon = usr.join(format!("share/icons/hicolor/{size}/apps/graphdesk.png"));
        assert!(icon.is_file(), "{}", icon.display());
    }

    let applications = usr.join("share/applications");
    let entry = std::fs::read_dir(&applications)
        .expect("applications dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "desktop"))
        .expect("a desktop entry");
    let text = std::fs::read_to_string(&entry).expect("desktop entry");
    assert!(text.lines().any(|l| l == "Exec=graphdesk %u"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("MimeType=") && l.contains("x-scheme-handler/graphdesk;")),
        "{text}"
    );
    run(Command::new("desktop-file-validate").arg(&entry));

    // What a desktop does after installing: index the entries, then ask who opens graphdesk:// links.
    let home = tempfile::tempdir().expect("home");
    run(Command::new("update-desktop-database").arg(&applications));
    let handler = run(Command::new("xdg-mime")
        .args(["query", "default", "x-scheme-handler/graphdesk"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_DIRS", usr.join("share")));
    assert_eq!(
        handler.trim(),
        entry.file_name().expect("name").to_string_lossy()
    );

    // The binary users install carries the demo tenant's identity endpoints and none of its test controls: no admin
    // API, no fault injection, no browserless sign-in (automation), no MSAL peers' installer.
    let bytes = std::fs::read(&binary).expect("the installed binary");
    let count = |needle: &str| {
        bytes
            .windows(needle.len())
            .filter(|w| *w == needle.as_bytes())
            .count()
    };
    assert!(
        count("/devicelogin") > 0,
        "the check reads the tenant's routes"
    );
    for marker in [
        "/_admin",
        "(injected fault)",
        "not an authorize URL of this tenant",
        "npm ci (msal-node)",
    ] {
        assert_eq!(count(marker), 0, "the shipped binary contains {marker:?}");
    }

    let version = run(Command::new(&binary).arg("--version"));
    assert_eq!(
        version.trim(),
        format!("graphdesk {}", env!("CARGO_PKG_VERSION"))
    );
}
