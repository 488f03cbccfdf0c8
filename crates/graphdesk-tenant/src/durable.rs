//! State that outlives the tenant's process, for the app's demo mode: the ports (the issuer and the clients' cache keys
//! contain them), the signing key (cached access tokens stay valid), and the refresh tokens, consents and revocations —
//! so a restarted app finds its demo sign-in still good. One JSON file, owner-only, replaced atomically after every
//! request that may have changed it. It holds the demo tenant's own secrets, as a real tenant's database would.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::store::{RefreshGrant, Store};

const VERSION: u32 = 1;

/// Why the durable state could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DurableError {
    #[error("could not read or write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a tenant state file: {reason}")]
    Invalid { path: String, reason: String },
}

/// What is kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    pub https_port: u16,
    pub http_port: u16,
    /// The RSA signing key, PKCS#8 DER, base64url.
    pub signing_key: String,
    pub refresh_tokens: Vec<KeptRefreshToken>,
    /// (client id, user object id, scopes).
    pub consents: Vec<(String, String, Vec<String>)>,
    pub revoked_before: HashMap<String, u64>,
    /// The CA certificate (public) of the run that wrote the file: how another process (the CLI) trusts the running
    /// tenant. A restart generates a new CA.
    #[serde(default)]
    pub ca_pem: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeptRefreshToken {
    pub token: String,
    pub client_id: String,
    pub user_oid: String,
    pub issued: u64,
    pub last_used: u64,
}

impl Snapshot {
    /// The parts of `store` worth keeping.
    pub fn capture(
        store: &Store,
        https_port: u16,
        http_port: u16,
        signing_key: String,
        ca_pem: Option<String>,
    ) -> Self {
        let mut refresh_tokens: Vec<KeptRefreshToken> = store
            .refresh_tokens
            .iter()
            .map(|(token, g)| KeptRefreshToken {
                token: token.clone(),
                client_id: g.client_id.clone(),
                user_oid: g.user_oid.clone(),
                issued: g.issued,
                last_used: g.last_used,
            })
            .collect();
        refresh_tokens.sort_by(|a, b| a.token.cmp(&b.token));
        let mut consents: Vec<(String, String, Vec<String>)> = store
            .consents
            .iter()
            .map(|((client, oid), scopes)| (client.clone(), oid.clone(), scopes.clone()))
            .collect();
        consents.sort();
        Self {
            version: VERSION,
            https_port,
            http_port,
            signing_key,
            refresh_tokens,
            consents,
            revoked_before: store.revoked_before.clone(),
            ca_pem,
        }
    }

    /// Puts the kept parts back into a fresh store.
    pub fn restore_into(&self, store: &mut Store) {
        for kept in &self.refresh_tokens {
            store.refresh_tokens.insert(
                kept.token.clone(),
                RefreshGrant {
                    client_id: kept.client_id.clone(),
                    user_oid: kept.user_oid.clone(),
                    issued: kept.issued,
                    last_used: kept.last_used,
                },
            );
        }
        for (client, oid, scopes) in &self.consents {
            store.consent(client, oid, scopes);
        }
        store.revoked_before.extend(self.revoked_before.clone());
    }
}

/// Where the state lives.
#[derive(Debug, Clone)]
pub struct DurableFile {
    path: PathBuf,
}

impl DurableFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn shown(&self) -> String {
        self.path.display().to_string()
    }

    /// The kept state, `None` when there is none yet.
    pub fn load(&self) -> Result<Option<Snapshot>, DurableError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(DurableError::Io {
                    path: self.shown(),
                    source,
                });
            }
        };
        let snapshot: Snapshot =
            serde_json::from_slice(&bytes).map_err(|e| DurableError::Invalid {
                path: self.shown(),
                reason: e.to_string(),
            })?;
        if snapshot.version != VERSION {
            return Err(DurableError::Invalid {
                path: self.shown(),
                reason: format!("version {} (this build reads {VERSION})", snapshot.version),
            });
        }
        Ok(Some(snapshot))
    }

    /// Replaces the file: a temporary file beside it, owner-only, synced, then renamed over it.
    pub fn save(&self, snapshot: &Snapshot) -> Result<(), DurableError> {
        let io = |source| DurableError::Io {
            path: self.shown(),
            source,
        };
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        // A new file with a random name (O_EXCL): nothing planted or linked at a guessable name is written through.
        let name = self
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("tenant-state");
        let temp = self
            .path
            .with_file_name(format!(".{name}.{}.tmp", crate::crypto::random_token(12)));
        let bytes = serde_json::to_vec(snapshot).map_err(|e| DurableError::Invalid {
            path: self.shown(),
            reason: e.to_string(),
        })?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let write = || -> std::io::Result<()> {
            use std::io::Write as _;
            let mut file = options.open(&temp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&temp, &self.path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            io(e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_round_trips_through_the_file_and_back_into_a_store() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = DurableFile::new(dir.path().join("state.json"));
        assert!(file.load().expect("no file is fine").is_none());

        let mut store = Store::default();
        store.refresh_tokens.insert(
            "rt-1".into(),
            RefreshGrant {
                client_id: "app".into(),
                user_oid: "oid-1".into(),
                issued: 10,
                last_used: 20,
            },
        );
        store.consent("app", "oid-1", &["User.Read".into()]);
        store.revoked_before.insert("oid-2".into(), 30);
        file.save(&Snapshot::capture(
            &store,
            4431,
            4432,
            "key".into(),
            Some("PEM".into()),
        ))
        .expect("save");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(file.path())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let loaded = file.load().expect("load").expect("present");
        assert_eq!((loaded.https_port, loaded.http_port), (4431, 4432));
        assert_eq!(loaded.ca_pem.as_deref(), Some("PEM"));
        let mut restored = Store::default();
        loaded.restore_into(&mut restored);
        assert_eq!(restored.refresh_tokens["rt-1"].user_oid, "oid-1");
        assert_eq!(
            restored.consents[&("app".into(), "oid-1".into())],
            ["User.Read"]
        );
        assert_eq!(restored.revoked_before["oid-2"], 30);
    }

    #[test]
    fn a_damaged_or_foreign_file_is_a_typed_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.json");
        std::fs::write(&path, b"{not json").expect("write");
        assert!(matches!(
            DurableFile::new(&path).load(),
            Err(DurableError::Invalid { .. })
        ));
        std::fs::write(
            &path,
            br#"{"version":99,"https_port":1,"http_port":2,"signing_key":"","refresh_tokens":[],"consents":[],"revoked_before":{}}"#,
        )
        .expect("write");
        let error = DurableFile::new(&path).load().expect_err("future version");
        assert!(error.to_string().contains("version 99"), "{error}");
    }
}
