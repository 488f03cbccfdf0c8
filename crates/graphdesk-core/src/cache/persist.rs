//! The token cache on disk: one file in the OS data directory, encrypted with XChaCha20-Poly1305 under a 256-bit key that
//! lives in the OS keyring (never beside the file). Writes are atomic (temp file, fsync, rename, fsync of the directory)
//! and happen under a cross-process lock, only when the cache changed. A file that cannot be decrypted or parsed is moved
//! aside — never deleted — and reported, and the app carries on with an empty cache. Without a keyring the answer is a
//! typed error, never a plaintext file: GraphDesk has no plaintext mode.
//!
//! A save holds the in-memory cache's lock only to merge another process's file into it and to serialise it: the
//! keyring, the file lock, the write and the fsyncs happen outside it, so a silent lookup never waits on a disk or on
//! a keyring's unlock prompt. Saves of one file take turns, and the key is fetched from the keyring once.
//!
//! File format: `GDC2` (magic and version), a 24-byte random nonce, then the AEAD ciphertext of the MSAL JSON cache; the
//! associated data is the magic and the file's absolute path, and the key is the file's own keyring item. The first
//! format, `GDC1` (one key shared by every cache, the magic alone as associated data), is read and rewritten as `GDC2`.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde::Serialize;

use super::TokenCache;
use crate::error::CoreError;
use crate::keystore::KeyStore;
use crate::secret::SecretBytes;

/// The keyring item the first format's caches share (`GDC1`): read for those files, never removed (another data
/// directory's cache may still need it), never written again.
pub const KEY_NAME: &str = "token-cache-key";

/// The current format: its key is this file's own, and the associated data binds the ciphertext to the file's place.
const MAGIC: &[u8; 4] = b"GDC2";
/// The first format: one shared key, the magic alone as associated data. Read, and rewritten as `GDC2` at the next save.
const MAGIC_V1: &[u8; 4] = b"GDC1";
const NONCE_LEN: usize = 24;
/// Poly1305's tag, at the end of the ciphertext.
const TAG_LEN: usize = 16;

/// Why the previous cache was set aside on load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recovered {
    /// Where the unreadable file now is.
    pub moved_to: String,
    pub reason: String,
}

/// The result of a load.
#[derive(Debug)]
pub struct Loaded {
    pub cache: TokenCache,
    /// Set when the file on disk could not be read and was moved aside.
    pub recovered: Option<Recovered>,
}

/// The cache file.
#[derive(Debug)]
pub struct CacheFile {
    path: PathBuf,
    /// Where the key lives: the file is always encrypted, and never written in plaintext without it.
    keys: Arc<dyn KeyStore>,
    /// The fingerprint of the file as this process last read or wrote it: a different one means another process saved.
    synced: std::sync::Mutex<Option<Vec<u8>>>,
    /// Saves take turns (held across one whole save; the cache's own lock is not).
    turn: std::sync::Mutex<()>,
    /// The key, once fetched from (or created in) the keyring: later saves do not ask the keyring again.
    key: std::sync::Mutex<Option<SecretBytes>>,
    /// This file's own keyring item: `token-cache-key:` and a fingerprint of its absolute path, so the real cache, the
    /// demo cache and every data directory each have their own key, and a key is created only for a file none protects.
    key_name: String,
    /// The associated data of every encryption: the magic and the absolute path, so a file copied over another (or
    /// over the demo cache) does not decrypt there: it is moved aside as unreadable.
    aad: Vec<u8>,
}

impl CacheFile {
    pub fn new(path: impl Into<PathBuf>, keys: Arc<dyn KeyStore>) -> Self {
        let path = path.into();
        let place = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
        let place = place.to_string_lossy();
        let mut aad = MAGIC.to_vec();
        aad.extend_from_slice(place.as_bytes());
        Self {
            key_name: format!("{KEY_NAME}:{}", crate::redirect::fingerprint(&place)),
            aad,
            path,
            keys,
            synced: std::sync::Mutex::new(None),
            turn: std::sync::Mutex::new(()),
            key: std::sync::Mutex::new(None),
        }
    }

    /// This file's keyring item (for tests and diagnostics; never its value).
    pub fn key_name(&self) -> &str {
        &self.key_name
    }

    fn set_synced(&self, bytes: Option<&[u8]>) {
        *self.synced.lock().unwrap_or_else(|p| p.into_inner()) = bytes.map(write_fingerprint);
    }

    fn is_synced(&self, bytes: &[u8]) -> bool {
        self.synced
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_deref()
            == Some(write_fingerprint(bytes).as_slice())
    }

    /// The plaintext JSON of file bytes, or why it cannot be had (a keyring error is returned as `Err(Err(..))`).
    fn open(&self, bytes: Vec<u8>) -> Result<Result<Vec<u8>, String>, CoreError> {
        let missing = || {
            CoreError::Cache {
            detail: "the key of the encrypted token cache is not in the OS keyring (it may be locked, or was \
                     reset); unlock the keyring and restart GraphDesk, or sign in again"
                .into(),
        }
        };
        if bytes.starts_with(MAGIC_V1) {
            let key = self.keys.get(KEY_NAME)?.ok_or_else(missing)?;
            return Ok(decrypt(&key, MAGIC_V1, MAGIC_V1, &bytes));
        }
        // The keyring first, whatever the file holds: while it is unavailable nothing is judged unreadable, so no file
        // is moved aside that the key, once back, might open.
        let key = self.known_key()?.ok_or_else(missing)?;
        Ok(decrypt(&key, MAGIC, &self.aad, &bytes))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the cache. No file: an empty cache. Unreadable file: moved aside, an empty cache, and `recovered` says why.
    /// Keyring trouble is an error: the file is left alone, since the key may come back when the keyring is unlocked.
    pub fn load(&self) -> Result<Loaded, CoreError> {
        let _lock = self.lock()?;
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.set_synced(None);
                return Ok(Loaded {
                    cache: TokenCache::new(),
                    recovered: None,
                });
            }
            Err(e) => return Err(io_error("read", &self.path, &e)),
        };
        self.set_synced(Some(&bytes));
        let plaintext = self.open(bytes)?;
        match plaintext.and_then(|p| TokenCache::from_json(&p).map_err(|e| e.to_string())) {
            Ok(cache) => Ok(Loaded {
                cache,
                recovered: None,
            }),
            Err(reason) => {
                self.set_synced(None);
                let moved_to = self.move_aside()?;
                tracing::warn!(path = %moved_to.display(), %reason, "unreadable token cache moved aside");
                Ok(Loaded {
                    cache: TokenCache::new(),
                    recovered: Some(Recovered {
                        moved_to: moved_to.display().to_string(),
                        reason,
                    }),
                })
            }
        }
    }

    /// Writes the cache if it changed, atomically, and marks it saved.
    pub fn save(&self, cache: &mut TokenCache) -> Result<bool, CoreError> {
        let shared = std::sync::RwLock::new(std::mem::take(cache));
        let saved = self.save_shared(&shared);
        *cache = shared.into_inner().unwrap_or_else(|p| p.into_inner());
        saved
    }

    /// Writes the cache behind `shared` if it changed, holding its lock only to merge and serialise (module docs). A
    /// blocking call: async callers run it on a blocking thread.
    pub fn save_shared(&self, shared: &std::sync::RwLock<TokenCache>) -> Result<bool, CoreError> {
        let read = |s: &std::sync::RwLock<TokenCache>| {
            s.read().unwrap_or_else(|p| p.into_inner()).has_changed()
        };
        if !read(shared) {
            return Ok(false);
        }
        let _turn = self.turn.lock().unwrap_or_else(|p| p.into_inner());
        // The save before this one may have written these changes already.
        if !read(shared) {
            return Ok(false);
        }
        let _lock = self.lock()?;
        // Another process (the CLI, a second window) may have saved since: merge our changes onto its file.
        let mut disk = None;
        if let Ok(on_disk) = fs::read(&self.path)
            && !self.is_synced(&on_disk)
        {
            match self
                .open(on_disk)?
                .and_then(|p| super::schema::parse_document(&p).map_err(|e| e.to_string()))
            {
                Ok(document) => disk = Some(document),
                Err(reason) => {
                    let moved_to = self.move_aside()?;
                    tracing::warn!(path = %moved_to.display(), %reason, "unreadable token cache moved aside before saving");
                }
            }
        }
        // The key before the cache's lock: a keyring prompt must not hold up lookups.
        let key = self.key_for_writing()?;
        let (plaintext, changes) = {
            let mut cache = shared.write().unwrap_or_else(|p| p.into_inner());
            let changes = cache.take_changes();
            if let Some(disk) = disk {
                let mut merged = TokenCache::from_document(cache.merged_onto_with(disk, &changes));
                std::mem::swap(&mut *cache, &mut merged);
            }
            (cache.to_json(), changes)
        };
        let written = encrypt(&key, &self.aad, &plaintext)
            .and_then(|bytes| self.write_atomically(&bytes).map(|()| bytes));
        match written {
            Ok(bytes) => {
                self.set_synced(Some(&bytes));
                Ok(true)
            }
            Err(error) => {
                shared
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .restore_changes(changes);
                Err(error)
            }
        }
    }

    /// The key this process already holds, else the keyring's (then held); `None` when the keyring has none.
    fn known_key(&self) -> Result<Option<SecretBytes>, CoreError> {
        let mut known = self.key.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(key) = known.as_ref() {
            return Ok(Some(key.clone()));
        }
        let fetched = self.keys.get(&self.key_name)?;
        known.clone_from(&fetched);
        Ok(fetched)
    }

    /// This file's key, created on first use. A key is created only for a file no key protects yet: a current-format
    /// file whose key the keyring does not show (a locked keyring hides its items) is never overwritten under a new key,
    /// and the first format's shared key is left in place for whatever other file still needs it.
    fn key_for_writing(&self) -> Result<SecretBytes, CoreError> {
        if let Some(key) = self.known_key()? {
            return Ok(key);
        }
        if fs::read(&self.path).is_ok_and(|b| b.starts_with(MAGIC)) {
            return Err(CoreError::Cache {
                detail: "the encrypted token cache's key is missing from the keyring; not overwriting the cache".into(),
            });
        }
        let key = SecretBytes::new(XChaCha20Poly1305::generate_key(&mut OsRng).to_vec());
        self.keys.set(&self.key_name, &key)?;
        *self.key.lock().unwrap_or_else(|p| p.into_inner()) = Some(key.clone());
        Ok(key)
    }

    fn write_atomically(&self, bytes: &[u8]) -> Result<(), CoreError> {
        crate::files::replace_private(&self.path, bytes)
            .map_err(|e| io_error("write", &self.path, &e))
    }

    fn move_aside(&self) -> Result<PathBuf, CoreError> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let aside = self.path.with_extension(format!("unreadable-{stamp}"));
        fs::rename(&self.path, &aside).map_err(|e| io_error("move aside", &self.path, &e))?;
        Ok(aside)
    }

    /// An exclusive lock on `<cache>.lock`, shared with other GraphDesk processes (the app and its CLI).
    fn lock(&self) -> Result<File, CoreError> {
        let lock_path = self.path.with_extension("lock");
        if let Some(dir) = lock_path.parent() {
            fs::create_dir_all(dir).map_err(|e| io_error("create", dir, &e))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io_error("open", &lock_path, &e))?;
        file.lock().map_err(|e| io_error("lock", &lock_path, &e))?;
        Ok(file)
    }
}

fn encrypt(key: &SecretBytes, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CoreError> {
    let cipher = cipher(key)?;
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let ciphertext = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| CoreError::Cache {
            detail: "encryption failed".into(),
        })?;
    let mut out = Vec::with_capacity(MAGIC.len() + NONCE_LEN + ciphertext.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// What tells one write of the file from another. An encrypted file: its random 192-bit nonce (fresh on every write)
/// and its Poly1305 tag (which covers every byte), so a 10 MB cache is not hashed on every load and save. A plaintext
/// file (opt-in): a SHA-256 of its bytes.
fn write_fingerprint(bytes: &[u8]) -> Vec<u8> {
    let header = MAGIC.len() + NONCE_LEN;
    if (bytes.starts_with(MAGIC) || bytes.starts_with(MAGIC_V1)) && bytes.len() >= header + TAG_LEN
    {
        let mut fingerprint = bytes[..header].to_vec();
        fingerprint.extend_from_slice(&bytes[bytes.len() - TAG_LEN..]);
        fingerprint.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        fingerprint
    } else {
        use sha2::Digest;
        sha2::Sha256::digest(bytes).to_vec()
    }
}

/// The plaintext of a file in the format `magic` names, with the associated data `aad`.
fn decrypt(key: &SecretBytes, magic: &[u8], aad: &[u8], bytes: &[u8]) -> Result<Vec<u8>, String> {
    let body = bytes
        .strip_prefix(magic)
        .ok_or("the file is not a GraphDesk encrypted cache")?;
    if body.len() < NONCE_LEN {
        return Err("the file is truncated".into());
    }
    let (nonce, ciphertext) = body.split_at(NONCE_LEN);
    let cipher = cipher(key).map_err(|e| e.to_string())?;
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad })
        .map_err(|_| {
            "the file does not decrypt with its key here (damaged, written with another key, or copied from another place)"
                .into()
        })
}

fn cipher(key: &SecretBytes) -> Result<XChaCha20Poly1305, CoreError> {
    if key.secret().len() != 32 {
        return Err(CoreError::Cache {
            detail: "the keyring's cache key is not 256 bits".into(),
        });
    }
    Ok(XChaCha20Poly1305::new(Key::from_slice(key.secret())))
}

fn io_error(action: &str, path: &Path, error: &std::io::Error) -> CoreError {
    CoreError::Cache {
        detail: format!("cannot {action} {}: {error}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{CacheScope, NewTokens};
    use crate::keystore::InMemoryKeyStore;

    fn cache_with(secret: &str) -> TokenCache {
        let mut cache = TokenCache::new();
        let scope = CacheScope {
            environment: "login.example".into(),
            realm: "organizations".into(),
            client_id: "c".into(),
        };
        cache.save(
            &scope,
            &NewTokens {
                home_account_id: "u.t",
                access_token: secret,
                target: "User.Read",
                expires_on: 10,
                extended_expires_on: None,
                refresh_on: None,
                refresh_token: Some("RT-SECRET"),
                family_id: None,
                id_token: None,
                account: None,
                now: 1,
            },
        );
        cache
    }

    fn file(dir: &Path, keys: Arc<InMemoryKeyStore>) -> CacheFile {
        CacheFile::new(dir.join("token_cache.bin"), keys)
    }

    #[test]
    fn round_trip_encrypted_and_only_when_changed() {
        let dir = tempfile::tempdir().expect("dir");
        let keys = Arc::new(InMemoryKeyStore::default());
        let store = file(dir.path(), keys.clone());
        assert!(
            store
                .load()
                .expect("empty")
                .cache
                .document()
                .access_tokens
                .is_empty()
        );
        let mut cache = cache_with("AT-SECRET");
        assert!(store.save(&mut cache).expect("saved"));
        assert!(
            !store.save(&mut cache).expect("unchanged"),
            "nothing changed, nothing written"
        );
        let raw = fs::read(store.path()).expect("file");
        assert!(raw.starts_with(MAGIC));
        assert!(
            !raw.windows(9).any(|w| w == b"AT-SECRET"),
            "the secret is not on disk in clear"
        );
        let loaded = store.load().expect("loaded");
        assert!(loaded.recovered.is_none());
        assert_eq!(loaded.cache.document(), cache.document());
        assert_eq!(
            keys.get(store.key_name())
                .expect("key")
                .expect("present")
                .secret()
                .len(),
            32
        );
    }

    #[test]
    fn corrupt_or_foreign_files_are_moved_aside_not_deleted() {
        let dir = tempfile::tempdir().expect("dir");
        let keys = Arc::new(InMemoryKeyStore::default());
        let store = file(dir.path(), keys.clone());
        store.save(&mut cache_with("AT")).expect("saved");
        let mut raw = fs::read(store.path()).expect("file");
        let last = raw.len() - 1;
        raw[last] ^= 0xff;
        fs::write(store.path(), &raw).expect("corrupted");
        let loaded = store.load().expect("recovered");
        let recovered = loaded.recovered.expect("reported");
        assert!(recovered.reason.contains("does not decrypt"));
        assert_eq!(
            fs::read(&recovered.moved_to).expect("kept"),
            raw,
            "the damaged file is kept, byte for byte"
        );
        assert!(!store.path().exists());
        assert!(loaded.cache.document().access_tokens.is_empty());

        // Written with another key (the keyring was reset, say).
        let other = file(dir.path(), Arc::new(InMemoryKeyStore::default()));
        other.save(&mut cache_with("AT")).expect("saved");
        assert!(store.load().expect("recovered").recovered.is_some());
    }

    #[test]
    fn a_missing_key_is_an_error_and_never_overwrites_the_cache() {
        let dir = tempfile::tempdir().expect("dir");
        let keys = Arc::new(InMemoryKeyStore::default());
        let store = file(dir.path(), keys.clone());
        store.save(&mut cache_with("AT")).expect("saved");
        let before = fs::read(store.path()).expect("file");
        keys.delete(store.key_name()).expect("deleted");
        // The next start (the key is fetched once per process, so this one still holds it).
        let restarted = file(dir.path(), keys.clone());
        assert!(matches!(restarted.load(), Err(CoreError::Cache { .. })));
        assert!(matches!(
            restarted.save(&mut cache_with("AT2")),
            Err(CoreError::Cache { .. })
        ));
        assert_eq!(fs::read(store.path()).expect("file"), before, "untouched");
    }

    fn add_account(cache: &mut TokenCache, home: &str, secret: &str) {
        let scope = CacheScope {
            environment: "login.example".into(),
            realm: "organizations".into(),
            client_id: "c".into(),
        };
        cache.save(
            &scope,
            &NewTokens {
                home_account_id: home,
                access_token: secret,
                target: "User.Read",
                expires_on: 10,
                extended_expires_on: None,
                refresh_on: None,
                refresh_token: Some("RT"),
                family_id: None,
                id_token: None,
                account: Some(crate::cache::NewAccount {
                    local_account_id: home,
                    username: home,
                    name: None,
                }),
                now: 1,
            },
        );
    }

    fn homes(cache: &TokenCache) -> Vec<String> {
        cache
            .accounts("login.example")
            .iter()
            .map(|a| a.home_account_id.clone())
            .collect()
    }

    /// The app and the CLI: two handles on one cache file, sharing the keyring.
    fn two_processes(dir: &Path) -> (Arc<InMemoryKeyStore>, CacheFile, CacheFile) {
        let keys = Arc::new(InMemoryKeyStore::default());
        (keys.clone(), file(dir, keys.clone()), file(dir, keys))
    }

    #[test]
    fn two_processes_saving_merge_instead_of_overwriting() {
        let dir = tempfile::tempdir().expect("dir");
        let (keys, app, cli) = two_processes(dir.path());
        let mut app_cache = app.load().expect("app loads").cache;
        let mut cli_cache = cli.load().expect("cli loads").cache;

        add_account(&mut app_cache, "a.t", "AT-A");
        app.save(&mut app_cache).expect("app saves");
        add_account(&mut cli_cache, "b.t", "AT-B");
        cli.save(&mut cli_cache).expect("cli saves");
        assert_eq!(
            homes(&cli_cache),
            vec!["a.t", "b.t"],
            "the CLI's save kept the app's account"
        );
        assert_eq!(
            homes(&file(dir.path(), keys.clone()).load().expect("disk").cache),
            vec!["a.t", "b.t"]
        );

        // The app signs a.t out: its removal applies, b.t (added elsewhere) stays.
        assert!(app_cache.remove_account("login.example", "a.t"));
        app.save(&mut app_cache).expect("app saves");
        assert_eq!(homes(&app_cache), vec!["b.t"]);
        assert_eq!(
            homes(&file(dir.path(), keys.clone()).load().expect("disk").cache),
            vec!["b.t"]
        );

        // The CLI renews b.t's token; the app, holding the old one, saves a change of its own: the renewal stays.
        add_account(&mut cli_cache, "b.t", "AT-B-RENEWED");
        cli.save(&mut cli_cache).expect("cli saves");
        add_account(&mut app_cache, "c.t", "AT-C");
        app.save(&mut app_cache).expect("app saves");
        let disk = file(dir.path(), keys).load().expect("disk").cache;
        assert_eq!(homes(&disk), vec!["b.t", "c.t"]);
        let secrets: Vec<&str> = disk
            .document()
            .access_tokens
            .values()
            .map(|at| at.secret.as_str())
            .collect();
        assert_eq!(
            secrets,
            vec!["AT-B-RENEWED", "AT-C"],
            "the app's stale token did not overwrite the renewal"
        );
    }

    #[test]
    fn every_write_has_its_own_fingerprint_and_reading_does_not_change_it() {
        let dir = tempfile::tempdir().expect("dir");
        let (_keys, app, cli) = two_processes(dir.path());
        app.save(&mut cache_with("SAME")).expect("saved");
        let first = fs::read(app.path()).expect("file");
        assert!(app.is_synced(&first), "the writer knows its own write");
        // The same tokens written again by another process: a fresh nonce, so the app sees someone else saved.
        cli.save(&mut cache_with("SAME")).expect("saved");
        let second = fs::read(app.path()).expect("file");
        assert_ne!(write_fingerprint(&first), write_fingerprint(&second));
        assert!(!app.is_synced(&second) && cli.is_synced(&second));
        app.load().expect("loads");
        assert!(app.is_synced(&second), "a load syncs");
        // A damaged tag is a different file too; plaintext files are fingerprinted by their whole content.
        let mut damaged = second.clone();
        *damaged.last_mut().expect("bytes") ^= 1;
        assert!(!app.is_synced(&damaged));
        assert_ne!(write_fingerprint(b"{}"), write_fingerprint(b"{ }"));
    }

    #[test]
    fn a_later_save_from_the_same_process_replaces_the_tokens() {
        let dir = tempfile::tempdir().expect("dir");
        let store = file(dir.path(), Arc::new(InMemoryKeyStore::default()));
        store.save(&mut cache_with("FIRST")).expect("saved");
        store.save(&mut cache_with("SECOND")).expect("saved");
        let loaded = store.load().expect("loaded").cache;
        assert_eq!(
            loaded
                .document()
                .access_tokens
                .values()
                .next()
                .expect("at")
                .secret,
            "SECOND"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let store = file(dir.path(), Arc::new(InMemoryKeyStore::default()));
        store.save(&mut cache_with("AT")).expect("saved");
        let mode = fs::metadata(store.path())
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }

    /// A keyring as a locked Secret Service behaves: every item hidden (`get` answers nothing), writes still taken.
    #[derive(Debug, Default)]
    struct Lockable {
        keys: InMemoryKeyStore,
        locked: std::sync::atomic::AtomicBool,
    }

    impl KeyStore for Lockable {
        fn get(&self, name: &str) -> Result<Option<SecretBytes>, crate::error::KeyringError> {
            if self.locked.load(std::sync::atomic::Ordering::SeqCst) {
                return Ok(None);
            }
            self.keys.get(name)
        }
        fn set(&self, name: &str, value: &SecretBytes) -> Result<(), crate::error::KeyringError> {
            self.keys.set(name, value)
        }
        fn delete(&self, name: &str) -> Result<bool, crate::error::KeyringError> {
            self.keys.delete(name)
        }
    }

    #[test]
    fn a_key_per_cache_bound_to_its_place() {
        let dir = tempfile::tempdir().expect("dir");
        let keyring = Arc::new(Lockable::default());
        let real = CacheFile::new(dir.path().join("token_cache.bin"), keyring.clone());
        let demo = CacheFile::new(dir.path().join("demo_token_cache.bin"), keyring.clone());
        assert_ne!(real.key_name(), demo.key_name());
        real.save(&mut cache_with("REAL")).expect("saved");
        let real_key = keyring
            .keys
            .get(real.key_name())
            .expect("get")
            .expect("real key");

        // Locked: a demo save makes the demo its own key; the real cache's key is not replaced, and the real cache
        // is not overwritten while its key is hidden.
        keyring
            .locked
            .store(true, std::sync::atomic::Ordering::SeqCst);
        demo.save(&mut cache_with("DEMO"))
            .expect("the demo's own key");
        let before = fs::read(real.path()).expect("file");
        let restarted = CacheFile::new(real.path(), keyring.clone());
        assert!(matches!(
            restarted.save(&mut cache_with("OTHER")),
            Err(CoreError::Cache { .. })
        ));
        assert_eq!(fs::read(real.path()).expect("file"), before);
        keyring
            .locked
            .store(false, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(
            keyring
                .keys
                .get(real.key_name())
                .expect("get")
                .expect("kept"),
            real_key
        );
        let reopened = CacheFile::new(real.path(), keyring.clone());
        let loaded = reopened.load().expect("opens after the unlock");
        assert!(loaded.recovered.is_none());
        assert_eq!(loaded.cache.document(), cache_with("REAL").document());

        // The demo's file copied over the real one is not decrypted there: it is moved aside.
        fs::copy(demo.path(), real.path()).expect("swap");
        let swapped = CacheFile::new(real.path(), keyring.clone())
            .load()
            .expect("load");
        assert!(swapped.recovered.is_some(), "a swapped file is set aside");
        assert!(swapped.cache.document().access_tokens.is_empty());

        // Another data directory, another key.
        let other = tempfile::tempdir().expect("dir");
        let elsewhere = CacheFile::new(other.path().join("token_cache.bin"), keyring.clone());
        assert_ne!(elsewhere.key_name(), real.key_name());
    }

    #[test]
    fn an_earlier_versions_file_is_read_and_rewritten_in_the_current_format() {
        let dir = tempfile::tempdir().expect("dir");
        let keys = Arc::new(InMemoryKeyStore::default());
        let shared = SecretBytes::new(vec![7u8; 32]);
        keys.set(KEY_NAME, &shared)
            .expect("the first format's shared key");
        let old = cache_with("OLD");
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = cipher(&shared)
            .expect("cipher")
            .encrypt(
                &nonce,
                Payload {
                    msg: &old.to_json(),
                    aad: MAGIC_V1,
                },
            )
            .expect("encrypt");
        let mut bytes = MAGIC_V1.to_vec();
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ciphertext);
        let path = dir.path().join("token_cache.bin");
        fs::write(&path, bytes).expect("a GDC1 file");

        let store = CacheFile::new(&path, keys.clone());
        let loaded = store.load().expect("read").cache;
        assert_eq!(loaded.document(), old.document());
        store.save(&mut cache_with("NEW")).expect("rewritten");
        assert!(fs::read(&path).expect("file").starts_with(MAGIC));
        assert!(
            keys.get(store.key_name()).expect("get").is_some(),
            "its own key"
        );
        assert_eq!(
            keys.get(KEY_NAME).expect("get"),
            Some(shared),
            "the shared key stays for whatever else needs it"
        );
        let again = CacheFile::new(&path, keys).load().expect("read");
        assert!(again.recovered.is_none());
    }
}
