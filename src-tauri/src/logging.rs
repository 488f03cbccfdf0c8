//! Logging: `tracing` to stderr and to a daily-rotated file in the OS log directory (a week kept). The level comes from
//! `GRAPHDESK_LOG` (`info` by default; e.g. `GRAPHDESK_LOG=graphdesk=debug`). Nothing secret is ever logged: secrets are
//! types whose `Debug` is redacted, and links are logged by fingerprint.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Environment variable holding the log filter.
pub const LOG_ENV: &str = "GRAPHDESK_LOG";

/// Starts logging at the level of `GRAPHDESK_LOG`, else the settings' level. Keep the returned guard alive until exit
/// so the file gets the last lines. Without a writable log directory GraphDesk still runs and logs to stderr only. The
/// CLI passes `to_stderr: false`: its stderr is for its own messages, its log goes to the file.
pub fn init(log_dir: &Path, level: &str, to_stderr: bool) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new(level));
    let stderr = to_stderr.then(|| tracing_subscriber::fmt::layer().with_writer(std::io::stderr));
    let file = std::fs::create_dir_all(log_dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            RollingFileAppender::builder()
                .rotation(Rotation::DAILY)
                .filename_prefix("graphdesk")
                .filename_suffix("log")
                .max_log_files(7)
                .build(log_dir)
                .map_err(|e| e.to_string())
        });
    match file {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file_layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer);
            tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .with(file_layer)
                .init();
            tracing::info!(dir = %log_dir.display(), "logging to file");
            Some(guard)
        }
        Err(error) => {
            tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .init();
            tracing::warn!(%error, dir = %log_dir.display(), "no log file; logging to stderr only");
            None
        }
    }
}
