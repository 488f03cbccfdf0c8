//! The OS keyring GraphDesk will keep its cache key in, against a real Secret Service: gnome-keyring, unlocked, on a
//! private session bus. Each test runs its body in a child process inside its own desktop, because the keyring crate
//! binds to the session bus once per process.
// The desktop these tests drive (Xvfb, WebKitWebDriver, D-Bus) is Linux's; on Windows they only have to compile away.
#![cfg(target_os = "linux")]

use graphdesk_core::keystore::{KeyStore, KeyringError, OsKeyring};
use graphdesk_core::secret::SecretBytes;
use graphdesk_e2e::{Desktop, inside_desktop, rerun_inside};

#[test]
fn secret_service_stores_reads_and_deletes_a_secret() {
    if !inside_desktop() {
        let mut desktop = Desktop::start();
        desktop.start_secret_service();
        return rerun_inside(
            &desktop,
            "secret_service_stores_reads_and_deletes_a_secret",
            &[],
        );
    }
    let store = OsKeyring::new("GraphDesk e2e");
    let key = SecretBytes::new((0u8..32).collect());
    assert_eq!(store.get("cache-key").expect("read before"), None);
    store.set("cache-key", &key).expect("store");
    assert_eq!(store.get("cache-key").expect("read"), Some(key.clone()));
    let replaced = SecretBytes::new(vec![7; 32]);
    store.set("cache-key", &replaced).expect("replace");
    assert_eq!(store.get("cache-key").expect("read again"), Some(replaced));
    assert_eq!(store.delete("cache-key"), Ok(true));
    assert_eq!(store.get("cache-key").expect("read after delete"), None);
    assert_eq!(store.delete("cache-key"), Ok(false));
}

/// Stores through a keyring that must refuse, returning the store's error.
fn refused_store() -> KeyringError {
    OsKeyring::new("GraphDesk e2e")
        .set("cache-key", &SecretBytes::new(vec![1; 32]))
        .expect_err("nothing may be stored")
}

#[test]
fn no_secret_service_is_a_typed_error_not_a_fallback() {
    if !inside_desktop() {
        // A session bus that serves and activates nothing: no org.freedesktop.secrets at all.
        let desktop = Desktop::start_without_services();
        return rerun_inside(
            &desktop,
            "no_secret_service_is_a_typed_error_not_a_fallback",
            &[],
        );
    }
    let error = refused_store();
    assert!(
        matches!(
            error,
            KeyringError::Unavailable { .. } | KeyringError::Platform { .. }
        ),
        "{error:?}"
    );
    assert!(
        OsKeyring::new("GraphDesk e2e").get("cache-key").is_err(),
        "a read must fail, not say 'nothing stored'"
    );
    assert!(error.to_string().contains("keyring"), "{error}");
}

#[test]
fn a_locked_keyring_is_a_typed_error_saying_unlock_it() {
    if !inside_desktop() {
        // A standard bus: gnome-keyring starts on demand, but nobody unlocks it and no prompt can be shown.
        return rerun_inside(
            &Desktop::start(),
            "a_locked_keyring_is_a_typed_error_saying_unlock_it",
            &[],
        );
    }
    let error = refused_store();
    assert!(matches!(error, KeyringError::Locked { .. }), "{error:?}");
    // A locked Secret Service hides its items: a read finds nothing rather than failing. The cache-key logic must
    // therefore never take "no key" as leave to make a new one over an existing cache (see keystore.rs).
    assert!(matches!(
        OsKeyring::new("GraphDesk e2e").get("cache-key"),
        Ok(None) | Err(_)
    ));
    assert!(error.to_string().contains("unlock it"), "{error}");
}
