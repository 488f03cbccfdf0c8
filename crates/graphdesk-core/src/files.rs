//! GraphDesk's own files, private to the user: directories 0700, files 0600, and every replacement written through a
//! temporary file that is created new (`O_EXCL`, a random name, so no one can plant or pre-link it), synced, then renamed
//! over the old one. Temporary files a crash left behind are removed at start.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

/// How old a leftover temporary file must be before it is removed (a save in progress is younger).
pub const ORPHAN_AGE: Duration = Duration::from_secs(60);

/// Makes new files and directories of this process private to the user (umask 077): log files, lock files and
/// whatever a library creates get 0600 and 0700. A no-op outside Unix.
pub fn restrict_new_files() {
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Creates `dir` (and its parents) and makes it 0700.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Makes every file directly in `dir` 0600 (files an earlier version, or another tool, left readable by others).
pub fn private_files_in(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    for entry in fs::read_dir(dir)?.flatten() {
        use std::os::unix::fs::PermissionsExt as _;
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        if metadata.is_file() && metadata.permissions().mode() & 0o077 != 0 {
            fs::set_permissions(entry.path(), fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A new file at `path`, 0600, failing when anything (a file, a symlink) is already there.
pub fn create_new_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}

/// The temporary file a replacement of `path` writes first: `.{name}.{random}.tmp` in the same directory.
fn temporary_for(path: &Path) -> std::path::PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    path.with_file_name(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()))
}

/// Replaces `path` with `bytes`, atomically and durably: a new private temporary file, fsync, rename, fsync of the
/// directory. On failure the temporary file is removed and `path` is as it was.
pub fn replace_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let temp = temporary_for(path);
    let result = (|| {
        let mut file = create_new_private(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)?;
        // The rename is durable only once the directory entry is.
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Writes `bytes` to `path` (created or replaced) readable and writable by the user only, flushed to disk: for a file
/// the user names (an exported cache), which is not renamed into place.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    // An existing file keeps its mode through `open`: make it private too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}

/// Removes the temporary files ([`replace_private`]'s) in `dir` older than `older_than`, as a crash mid-save leaves
/// them; returns how many went.
pub fn remove_orphaned_temporaries(dir: &Path, older_than: Duration) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with('.') && name.ends_with(".tmp")
        })
        .filter(|entry| {
            entry
                .metadata()
                .ok()
                .filter(|m| m.is_file())
                .and_then(|m| m.modified().ok())
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age >= older_than)
        })
        .filter(|entry| fs::remove_file(entry.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        fs::metadata(path).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn a_replacement_is_private_atomic_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("settings.json");
        replace_private(&path, b"one").expect("written");
        replace_private(&path, b"two").expect("replaced");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
        let left: Vec<_> = fs::read_dir(dir.path()).expect("dir").flatten().collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_file_or_link_is_never_written_through() {
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("victim");
        fs::write(&target, b"keep").expect("victim");
        let link = dir.path().join("planted.tmp");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        assert!(create_new_private(&link).is_err(), "O_EXCL refuses a link");
        assert_eq!(fs::read(&target).expect("read"), b"keep");
    }

    #[test]
    fn old_temporaries_are_removed_and_young_ones_and_other_files_stay() {
        let dir = tempfile::tempdir().expect("dir");
        for name in [".token_cache.bin.abc.tmp", "token_cache.bin", "notes.tmp"] {
            fs::write(dir.path().join(name), b"x").expect("write");
        }
        assert_eq!(
            remove_orphaned_temporaries(dir.path(), ORPHAN_AGE),
            0,
            "young"
        );
        assert_eq!(remove_orphaned_temporaries(dir.path(), Duration::ZERO), 1);
        assert!(!dir.path().join(".token_cache.bin.abc.tmp").exists());
        assert!(dir.path().join("token_cache.bin").exists());
        assert!(dir.path().join("notes.tmp").exists());
    }

    #[cfg(unix)]
    #[test]
    fn files_left_readable_by_others_are_made_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("dir");
        let settings = dir.path().join("settings.json");
        fs::write(&settings, b"{}").expect("write");
        fs::set_permissions(&settings, fs::Permissions::from_mode(0o644)).expect("chmod");
        private_files_in(dir.path()).expect("private");
        assert_eq!(mode(&settings), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn private_directories_are_0700_even_when_they_existed() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("dir");
        let data = dir.path().join("data");
        fs::create_dir(&data).expect("mkdir");
        fs::set_permissions(&data, fs::Permissions::from_mode(0o755)).expect("chmod");
        private_dir(&data.join("logs")).expect("logs");
        private_dir(&data).expect("data");
        assert_eq!((mode(&data), mode(&data.join("logs"))), (0o700, 0o700));
    }
}
