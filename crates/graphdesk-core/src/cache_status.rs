//! What the user can be told about the token cache before the engine has loaded it: where it is, whether it exists, how big
//! it is and when it last changed. Reading metadata only, so it is cheap and never touches a secret.

use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::Serialize;

/// The state of the token cache file on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum CacheStatus {
    /// No cache file yet: nobody has signed in on this machine (or the data directory moved).
    Absent { path: String },
    /// A cache file exists.
    #[serde(rename_all = "camelCase")]
    Present {
        path: String,
        bytes: u64,
        /// Last modification, seconds since the Unix epoch; `None` where the file system does not say.
        modified_epoch: Option<u64>,
    },
    /// The path exists but cannot be read as a file (a directory, or no permission): the user must fix it.
    Unreadable { path: String, reason: String },
}

impl CacheStatus {
    /// Inspects the cache file at `path`.
    pub fn inspect(path: &Path) -> Self {
        let shown = path.display().to_string();
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::Absent { path: shown },
            Err(e) => Self::Unreadable {
                path: shown,
                reason: e.to_string(),
            },
            Ok(meta) if !meta.is_file() => Self::Unreadable {
                path: shown,
                reason: "not a regular file".into(),
            },
            Ok(meta) => Self::Present {
                path: shown,
                bytes: meta.len(),
                modified_epoch: meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map(|d| d.as_secs()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_absent_present_and_unreadable() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("cache.bin");
        assert!(matches!(
            CacheStatus::inspect(&file),
            CacheStatus::Absent { .. }
        ));

        std::fs::write(&file, [1u8; 42]).expect("write");
        match CacheStatus::inspect(&file) {
            CacheStatus::Present {
                bytes,
                modified_epoch,
                ..
            } => {
                assert_eq!(bytes, 42);
                assert!(modified_epoch.is_some_and(|t| t > 1_600_000_000));
            }
            other => panic!("expected present, got {other:?}"),
        }

        assert!(matches!(
            CacheStatus::inspect(dir.path()),
            CacheStatus::Unreadable { .. }
        ));
    }

    #[test]
    fn serialises_with_a_state_tag() {
        let json = serde_json::to_value(CacheStatus::Absent { path: "/x".into() }).expect("json");
        assert_eq!(json, serde_json::json!({"state": "absent", "path": "/x"}));
    }
}
