//! The OS keyring behind a small trait: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows (all
//! through the `keyring` crate). It holds the key that encrypts the token cache — never the tokens themselves.
//!
//! Failure is always a typed error: GraphDesk never falls back to storing secrets in plaintext on its own.

pub use crate::error::KeyringError;
use crate::secret::SecretBytes;

/// A place to keep small secrets by name.
pub trait KeyStore: Send + Sync + std::fmt::Debug {
    /// The secret stored under `name`, or `None` when none is visible. A locked Secret Service hides its items and
    /// answers `None` (measured with gnome-keyring), so `None` is not proof that nothing was ever stored: never replace
    /// data protected by an existing secret on the strength of it.
    fn get(&self, name: &str) -> Result<Option<SecretBytes>, KeyringError>;
    /// Stores (or replaces) the secret under `name`.
    fn set(&self, name: &str, value: &SecretBytes) -> Result<(), KeyringError>;
    /// Deletes the secret under `name`; `Ok(false)` when there was none.
    fn delete(&self, name: &str) -> Result<bool, KeyringError>;
}

/// The platform keyring, with every item under one service name.
#[derive(Debug, Clone)]
pub struct OsKeyring {
    service: String,
}

impl OsKeyring {
    /// Items are stored under `service` (GraphDesk uses its app name; tests use their own).
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, KeyringError> {
        keyring::Entry::new(&self.service, name).map_err(|e| map_error(e, name))
    }
}

impl KeyStore for OsKeyring {
    fn get(&self, name: &str) -> Result<Option<SecretBytes>, KeyringError> {
        match self.entry(name)?.get_secret() {
            Ok(bytes) => Ok(Some(SecretBytes::new(bytes))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e, name)),
        }
    }

    fn set(&self, name: &str, value: &SecretBytes) -> Result<(), KeyringError> {
        self.entry(name)?
            .set_secret(value.secret())
            .map_err(|e| map_error(e, name))
    }

    fn delete(&self, name: &str) -> Result<bool, KeyringError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_error(e, name)),
        }
    }
}

/// Maps the crate's errors, dropping the payloads that can carry secret bytes (`BadEncoding`, `BadDataFormat`).
fn map_error(error: keyring::Error, name: &str) -> KeyringError {
    use keyring::Error as E;
    match error {
        E::NoDefaultStore => KeyringError::Unavailable {
            detail: "no credential store could be initialised".into(),
        },
        E::NoStorageAccess(platform) => KeyringError::Locked {
            detail: platform.to_string(),
        },
        E::BadEncoding(_) | E::BadDataFormat(..) => KeyringError::Corrupt { name: name.into() },
        E::PlatformFailure(platform) => KeyringError::Platform {
            detail: platform.to_string(),
        },
        E::Ambiguous(entries) => KeyringError::Platform {
            detail: format!(
                "{} items match `{name}`; remove the duplicates",
                entries.len()
            ),
        },
        other => KeyringError::Platform {
            detail: other.to_string(),
        },
    }
}

/// A keyring in memory, for tests of code that needs one. GraphDesk itself never uses it as a fallback.
#[derive(Debug, Default)]
pub struct InMemoryKeyStore {
    items: std::sync::Mutex<std::collections::HashMap<String, SecretBytes>>,
}

impl InMemoryKeyStore {
    fn items(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, SecretBytes>> {
        // A panic while holding the lock cannot leave the map half-written: every operation is one call.
        self.items
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl KeyStore for InMemoryKeyStore {
    fn get(&self, name: &str) -> Result<Option<SecretBytes>, KeyringError> {
        Ok(self.items().get(name).cloned())
    }

    fn set(&self, name: &str, value: &SecretBytes) -> Result<(), KeyringError> {
        self.items().insert(name.to_owned(), value.clone());
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<bool, KeyringError> {
        Ok(self.items().remove(name).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_memory_store_round_trips() {
        let store = InMemoryKeyStore::default();
        assert_eq!(store.get("k"), Ok(None));
        store
            .set("k", &SecretBytes::new(vec![1, 2, 3]))
            .expect("set");
        assert_eq!(
            store.get("k").expect("get").expect("present").secret(),
            &[1, 2, 3]
        );
        assert_eq!(store.delete("k"), Ok(true));
        assert_eq!(store.delete("k"), Ok(false));
    }

    #[test]
    fn secret_payloads_are_dropped_from_errors() {
        let err = map_error(
            keyring::Error::BadEncoding(b"hunter2".to_vec()),
            "cache-key",
        );
        assert_eq!(
            err,
            KeyringError::Corrupt {
                name: "cache-key".into()
            }
        );
        assert!(!format!("{err:?} {err}").contains("hunter2"));
    }
}
