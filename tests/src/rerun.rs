//! Running a test's body inside a private desktop: the test re-executes its own binary, filtered to itself, with the
//! desktop's environment. Needed where a library binds to the session bus once per process (the keyring crate).

use std::process::Command;

use crate::Desktop;

/// Set in the child process that runs the body.
const INSIDE: &str = "GRAPHDESK_E2E_INSIDE_DESKTOP";

/// Whether this process is the child that runs the body.
pub fn inside_desktop() -> bool {
    std::env::var_os(INSIDE).is_some()
}

/// Runs the test named `test` again in a child process inside `desktop` (with `extra` environment) and asserts it passed.
pub fn rerun_inside(desktop: &Desktop, test: &str, extra: &[(&str, String)]) {
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .envs(desktop.env())
        .env(INSIDE, "1")
        .envs(extra.iter().map(|(k, v)| (*k, v.as_str())))
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .output()
        .expect("test binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "inside run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
