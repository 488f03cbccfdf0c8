//! The encrypted token cache on disk with the real OS keyring (gnome-keyring's Secret Service on a private session bus):
//! round trip, `kill -9` during writes in a loop (the file always decrypts, to the old or the new state), a damaged file
//! moved aside, and no keyring at all. Each test runs its body in a child process inside its own desktop, because the
//! keyring crate binds to the session bus once per process.
// The desktop these tests drive (Xvfb, WebKitWebDriver, D-Bus) is Linux's; on Windows they only have to compile away.
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use graphdesk_core::cache::persist::CacheFile;
use graphdesk_core::cache::{CacheScope, NewAccount, NewTokens, TokenCache};
use graphdesk_core::error::CoreError;
use graphdesk_core::keystore::OsKeyring;
use graphdesk_e2e::{Desktop, inside_desktop, rerun_inside};

const WRITER: &str = "GRAPHDESK_E2E_CACHE_WRITER";
const FULL_DISK_WRITER: &str = "GRAPHDESK_E2E_FULL_DISK_WRITER";
const CACHE_DIR: &str = "GRAPHDESK_E2E_CACHE_DIR";
/// Accounts in the caches the writer alternates between (~150 KB each, so a kill often lands mid-write).
const ACCOUNTS: usize = 150;

fn store(dir: &Path) -> CacheFile {
    CacheFile::new(
        dir.join("token_cache.bin"),
        Arc::new(OsKeyring::new("GraphDesk e2e persistence")),
    )
}

/// A cache of `accounts` accounts whose access tokens all read `marker`.
fn cache(accounts: usize, marker: &str) -> TokenCache {
    let scope = CacheScope {
        environment: "login.example".into(),
        realm: "organizations".into(),
        client_id: "client".into(),
    };
    let mut cache = TokenCache::new();
    for i in 0..accounts {
        let home = format!("user{i}.tenant");
        let secret = format!("{marker}-{i}-{}", "x".repeat(1_000));
        cache.save(
            &scope,
            &NewTokens {
                home_account_id: &home,
                access_token: &secret,
                target: "User.Read",
                expires_on: 10_000,
                extended_expires_on: None,
                refresh_on: None,
                refresh_token: Some("rt"),
                family_id: None,
                id_token: None,
                account: Some(NewAccount {
                    local_account_id: &home,
                    username: &home,
                    name: None,
                }),
                now: 1,
            },
        );
    }
    cache
}

fn marker_of(cache: &TokenCache) -> String {
    let at = cache
        .document()
        .access_tokens
        .values()
        .next()
        .expect("an access token");
    at.secret.split('-').next().unwrap_or_default().to_owned()
}

#[test]
fn round_trip_and_damaged_file_with_the_real_keyring() {
    if !inside_desktop() {
        let mut desktop = Desktop::start();
        desktop.start_secret_service();
        return rerun_inside(
            &desktop,
            "round_trip_and_damaged_file_with_the_real_keyring",
            &[],
        );
    }
    let dir = tempfile::tempdir().expect("dir");
    let mut written = cache(3, "A");
    assert!(store(dir.path()).save(&mut written).expect("saved"));
    let loaded = store(dir.path()).load().expect("loaded");
    assert!(loaded.recovered.is_none());
    assert_eq!(loaded.cache.document(), written.document());

    let path = dir.path().join("token_cache.bin");
    let mut bytes = std::fs::read(&path).expect("file");
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&path, &bytes).expect("damaged");
    let recovered = store(dir.path()).load().expect("carries on");
    let note = recovered.recovered.expect("reported");
    assert_eq!(std::fs::read(&note.moved_to).expect("kept"), bytes);
    assert!(recovered.cache.document().accounts.is_empty());
    // And the next save works with the same key.
    assert!(store(dir.path()).save(&mut cache(1, "B")).expect("saved"));
    assert_eq!(
        marker_of(&store(dir.path()).load().expect("loaded").cache),
        "B"
    );
}

#[test]
fn kill_during_writes_always_leaves_a_readable_cache() {
    if let Some(dir) = std::env::var_os(WRITER) {
        // The writer: saves state A and state B alternately until killed.
        // One cache file for the life of the process, as the app holds it.
        let file = store(&PathBuf::from(dir));
        loop {
            file.save(&mut cache(ACCOUNTS, "A")).expect("save A");
            file.save(&mut cache(ACCOUNTS, "B")).expect("save B");
        }
    }
    if !inside_desktop() {
        let mut desktop = Desktop::start();
        desktop.start_secret_service();
        let dir = tempfile::tempdir().expect("dir");
        return rerun_inside(
            &desktop,
            "kill_during_writes_always_leaves_a_readable_cache",
            &[(CACHE_DIR, dir.path().display().to_string())],
        );
    }
    let dir = PathBuf::from(std::env::var_os(CACHE_DIR).expect("cache dir"));
    store(&dir)
        .save(&mut cache(ACCOUNTS, "A"))
        .expect("first state");
    let mut seed = std::process::id() as u64;
    let mut seen = std::collections::BTreeSet::new();
    for round in 0..12 {
        let mut writer = Command::new(std::env::current_exe().expect("test binary"))
            .env(WRITER, &dir)
            .args([
                "--exact",
                "kill_during_writes_always_leaves_a_readable_cache",
                "--test-threads=1",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("writer starts");
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        std::thread::sleep(Duration::from_millis(200 + (seed >> 33) % 1_000));
        assert!(
            writer.try_wait().expect("status").is_none(),
            "round {round}: the writer died on its own"
        );
        writer.kill().expect("kill -9");
        writer.wait().expect("reaped");
        let loaded = store(&dir)
            .load()
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert!(
            loaded.recovered.is_none(),
            "round {round}: the cache had to be recovered: {:?}",
            loaded.recovered
        );
        let marker = marker_of(&loaded.cache);
        assert!(marker == "A" || marker == "B", "round {round}: {marker}");
        assert_eq!(loaded.cache.document().accounts.len(), ACCOUNTS);
        seen.insert(marker);
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("unreadable"))
        .collect();
    assert!(leftovers.is_empty(), "nothing was ever moved aside");
    assert_eq!(
        seen.len(),
        2,
        "both states were written and survived kills: {seen:?}"
    );
}

#[test]
fn a_full_disk_fails_the_save_with_a_typed_error_and_keeps_the_previous_cache() {
    const NAME: &str = "a_full_disk_fails_the_save_with_a_typed_error_and_keeps_the_previous_cache";
    if let Some(dir) = std::env::var_os(FULL_DISK_WRITER) {
        // The writer, whose files may not grow past 64 KiB (the shell's `ulimit -f`, with SIGXFSZ ignored so the write
        // fails with an error instead of killing the process): what a full disk does to a write.
        let error = store(&PathBuf::from(dir))
            .save(&mut cache(ACCOUNTS, "B"))
            .expect_err("the disk is full");
        assert!(matches!(error, CoreError::Cache { .. }), "{error:?}");
        println!("typed error: {error}");
        return;
    }
    if !inside_desktop() {
        let mut desktop = Desktop::start();
        desktop.start_secret_service();
        let dir = tempfile::tempdir().expect("dir");
        return rerun_inside(
            &desktop,
            NAME,
            &[(CACHE_DIR, dir.path().display().to_string())],
        );
    }
    let dir = PathBuf::from(std::env::var_os(CACHE_DIR).expect("cache dir"));
    store(&dir)
        .save(&mut cache(1, "A"))
        .expect("the previous state");
    let before = std::fs::read(dir.join("token_cache.bin")).expect("written");
    assert!(
        before.len() < 64 * 1024,
        "state A fits; state B ({ACCOUNTS} accounts) does not"
    );
    let output = Command::new("bash")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 64; exec \"$0\" --exact \"$1\" --nocapture --test-threads=1",
        ])
        .arg(std::env::current_exe().expect("test binary"))
        .arg(NAME)
        .env(FULL_DISK_WRITER, &dir)
        .output()
        .expect("the writer runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success()
            && stdout.contains("typed error: token cache: cannot write")
            && stdout.contains("File too large"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The previous cache is intact, byte for byte, and no temporary file was left behind.
    assert_eq!(
        std::fs::read(dir.join("token_cache.bin")).expect("still there"),
        before
    );
    assert_eq!(marker_of(&store(&dir).load().expect("loads").cache), "A");
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn no_keyring_is_a_typed_error_and_nothing_is_written() {
    if !inside_desktop() {
        return rerun_inside(
            &Desktop::start_without_services(),
            "no_keyring_is_a_typed_error_and_nothing_is_written",
            &[],
        );
    }
    let dir = tempfile::tempdir().expect("dir");
    let error = store(dir.path())
        .save(&mut cache(1, "A"))
        .expect_err("no keyring");
    assert!(matches!(error, CoreError::Keyring(_)), "{error:?}");
    assert!(
        !dir.path().join("token_cache.bin").exists(),
        "no plaintext fallback"
    );
    std::fs::write(
        dir.path().join("token_cache.bin"),
        b"GDC1 something encrypted",
    )
    .expect("file");
    assert!(matches!(
        store(dir.path()).load(),
        Err(CoreError::Keyring(_))
    ));
    assert!(
        dir.path().join("token_cache.bin").exists(),
        "left alone: the key may come back"
    );
}
