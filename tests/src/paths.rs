//! Where the harness finds the app binary and puts its artifacts.

use std::path::PathBuf;

/// The workspace's target directory (`CARGO_TARGET_DIR` when set).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// The app binary under test: `GRAPHDESK_BIN`, or the workspace's debug build.
pub fn app_binary() -> PathBuf {
    let binary = std::env::var_os("GRAPHDESK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug/graphdesk"));
    assert!(
        binary.is_file(),
        "no app binary at {}: build it first (`cargo build -p graphdesk`; the README's test command does this)",
        binary.display()
    );
    binary.canonicalize().expect("the binary path resolves")
}

/// `target/e2e-artifacts/<test>/`, created.
pub fn artifacts_dir(test: &str) -> PathBuf {
    let dir = target_dir().join("e2e-artifacts").join(test);
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}
