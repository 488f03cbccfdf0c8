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

/// The standalone emulated tenant: `GRAPHDESK_TENANT_BIN`, or the workspace's debug build.
pub fn tenant_binary() -> PathBuf {
    let binary = std::env::var_os("GRAPHDESK_TENANT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug/graphdesk-tenant"));
    assert!(
        binary.is_file(),
        "no tenant binary at {}: build it first (`cargo build -p graphdesk-tenant`; the README's test command does this)",
        binary.display()
    );
    binary
}

/// The Debian package the Tauri bundler built (`target/release/bundle/deb/*.deb`; `GRAPHDESK_DEB` overrides).
pub fn deb_package() -> PathBuf {
    if let Some(deb) = std::env::var_os("GRAPHDESK_DEB") {
        return PathBuf::from(deb);
    }
    let dir = target_dir().join("release/bundle/deb");
    let mut debs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "deb"))
        .collect();
    debs.sort();
    debs.pop().unwrap_or_else(|| {
        panic!(
            "no .deb in {}: build it first (`cd src-tauri && npx @tauri-apps/cli build --bundles deb`; the README's test \
             command does this)",
            dir.display()
        )
    })
}

/// `target/e2e-artifacts/<test>/`, created.
pub fn artifacts_dir(test: &str) -> PathBuf {
    let dir = target_dir().join("e2e-artifacts").join(test);
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}
