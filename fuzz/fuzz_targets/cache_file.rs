//! Fuzzes the token cache's readers: the JSON document (plain, as MSAL libraries write it) and the encrypted file
//! (whatever bytes sit on disk, in either format), which must load, or be moved aside with a typed error — never panic.
#![no_main]

use std::sync::{Arc, OnceLock};

use graphdesk_core::cache::persist::CacheFile;
use graphdesk_core::cache::{CacheScope, NewTokens, TokenCache};
use graphdesk_core::keystore::InMemoryKeyStore;
use libfuzzer_sys::fuzz_target;

fn file() -> &'static (tempfile_dir::Dir, CacheFile) {
    static FILE: OnceLock<(tempfile_dir::Dir, CacheFile)> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = tempfile_dir::Dir::new();
        let file = CacheFile::new(
            dir.path().join("cache.bin"),
            Arc::new(InMemoryKeyStore::default()),
        );
        // The first save of a cache that holds something creates the key, so encrypted inputs reach the decryption
        // (an empty, unchanged cache is not written, and without a key every encrypted input stops at the keyring).
        let mut cache = TokenCache::new();
        cache.save(
            &CacheScope {
                environment: "login.microsoftonline.com".into(),
                realm: "organizations".into(),
                client_id: "fuzz".into(),
            },
            &NewTokens {
                home_account_id: "uid.utid",
                access_token: "at",
                target: "User.Read",
                expires_on: 2,
                extended_expires_on: None,
                refresh_on: None,
                refresh_token: Some("rt"),
                family_id: None,
                id_token: None,
                account: None,
                now: 1,
            },
        );
        assert!(file.save(&mut cache).expect("first save"), "the key exists");
        (dir, file)
    })
}

/// A scratch directory removed at exit (no extra dependency).
mod tempfile_dir {
    pub struct Dir(std::path::PathBuf);

    impl Dir {
        pub fn new() -> Self {
            let path = std::env::temp_dir().join(format!("graphdesk-fuzz-{}", std::process::id()));
            std::fs::create_dir_all(&path).expect("scratch dir");
            Self(path)
        }

        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(cache) = TokenCache::from_json(data) {
        // What parses must serialise and parse again.
        TokenCache::from_json(&cache.to_json()).expect("a parsed cache round-trips");
    }
    let (dir, file) = file();
    std::fs::write(file.path(), data).expect("write");
    let _ = file.load();
    // A damaged file is moved aside: keep the scratch directory from filling up.
    for entry in std::fs::read_dir(dir.path())
        .into_iter()
        .flatten()
        .flatten()
    {
        if entry.path() != file.path() && !entry.file_name().to_string_lossy().ends_with(".lock") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
});
