//! Where GraphDesk keeps its files: the data directory (token cache, settings) and the log directory.
//!
//! The OS conventions come from `directories` (XDG on Linux, `Application Support` on macOS, `%APPDATA%` on Windows);
//! `GRAPHDESK_DATA_DIR` overrides the data directory for portable installs and for tests that must not touch a user's home.

use std::path::{Path, PathBuf};

use crate::error::CoreError;

/// Environment variable that moves the data directory (and the logs with it) somewhere else.
pub const DATA_DIR_ENV: &str = "GRAPHDESK_DATA_DIR";

/// File name of the encrypted token cache inside the data directory.
pub const CACHE_FILE_NAME: &str = "token_cache.bin";

/// The directories GraphDesk reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    data_dir: PathBuf,
    log_dir: PathBuf,
}

impl AppPaths {
    /// Paths rooted at `data_dir`, logs in `data_dir/logs`.
    pub fn rooted_at(data_dir: impl Into<PathBuf>) -> Self {
        let data_dir = data_dir.into();
        let log_dir = data_dir.join("logs");
        Self { data_dir, log_dir }
    }

    /// Makes the data and log directories exist and private to the user (directories 0700 and their files 0600, even
    /// if an earlier version made them 0755 and 0644), and removes the temporary files a crash mid-save left in the
    /// data directory. Called at start.
    pub fn prepare(&self) -> std::io::Result<()> {
        for dir in [&self.data_dir, &self.log_dir] {
            crate::files::private_dir(dir)?;
            crate::files::private_files_in(dir)?;
        }
        let removed =
            crate::files::remove_orphaned_temporaries(&self.data_dir, crate::files::ORPHAN_AGE);
        if removed > 0 {
            tracing::info!(removed, "left-over temporary files removed");
        }
        Ok(())
    }

    /// The paths for this user: `GRAPHDESK_DATA_DIR` when set, the OS convention otherwise.
    pub fn for_current_user() -> Result<Self, CoreError> {
        if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
            let dir = PathBuf::from(dir);
            if !dir.is_absolute() {
                return Err(CoreError::Config {
                    field: crate::error::ConfigField::DataDir,
                    reason: format!("{DATA_DIR_ENV} must be an absolute path"),
                });
            }
            return Ok(Self::rooted_at(dir));
        }
        let dirs =
            directories::ProjectDirs::from("dev", "GraphDesk", "GraphDesk").ok_or_else(|| {
                CoreError::Config {
                    field: crate::error::ConfigField::DataDir,
                    reason: format!(
                        "no home directory found; set {DATA_DIR_ENV} to an absolute path"
                    ),
                }
            })?;
        // The local (non-roaming) data directory: on Windows `%LOCALAPPDATA%\GraphDesk\GraphDesk\data` — a token cache
        // bound to this machine's keyring must not roam to another; on Linux and macOS the same as the data directory.
        let data_dir = dirs.data_local_dir().to_path_buf();
        // Logs belong in the state directory where the OS has one (XDG_STATE_HOME), else beside the data.
        let log_dir = dirs
            .state_dir()
            .map(|d| d.join("logs"))
            .unwrap_or_else(|| data_dir.join("logs"));
        Ok(Self { data_dir, log_dir })
    }

    /// The data directory (token cache, settings).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The log directory.
    pub fn log_dir(&self) -> &Path {
        &self.log_dir
    }

    /// The encrypted token cache file.
    pub fn cache_file(&self) -> PathBuf {
        self.data_dir.join(CACHE_FILE_NAME)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooted_paths_hang_off_the_data_dir() {
        let paths = AppPaths::rooted_at("/tmp/gd");
        assert_eq!(paths.data_dir(), Path::new("/tmp/gd"));
        assert_eq!(paths.log_dir(), Path::new("/tmp/gd/logs"));
        assert_eq!(paths.cache_file(), PathBuf::from("/tmp/gd/token_cache.bin"));
    }
}
