//! The CLI companion: `graphdesk token` prints an access token from the same cache the window uses, `graphdesk
//! accounts` lists who is signed in — without opening a window, silently only — and `graphdesk cache import|export`
//! moves sign-ins between GraphDesk and MSAL Python, msal-node or MSAL .NET caches. When the user is needed, it says so
//! and exits with its own code, so scripts can tell "sign in first" from a failure.

use std::io::Write as _;

use std::path::PathBuf;

use graphdesk_core::CoreError;
use graphdesk_core::cache::interop::{Dialect, ImportSummary};
use graphdesk_core::paths::AppPaths;

/// Exit codes.
pub mod exit {
    pub const OK: i32 = 0;
    /// Network, server, cache or keyring failure.
    pub const FAILED: i32 = 1;
    /// The command line is wrong.
    pub const USAGE: i32 = 2;
    /// Signing in is needed (nothing cached, refresh refused, consent or MFA needed): run GraphDesk and sign in.
    pub const UI_REQUIRED: i32 = 3;
    /// No such account is signed in.
    pub const NO_ACCOUNT: i32 = 4;
}

const HELP: &str = "\
GraphDesk — tokens for the Microsoft identity platform, from the desktop app's cache.

Usage:
  graphdesk                               open the window
  graphdesk token [--scope S]... [--account A] [--json]
                                          print an access token (silently: from the cache or by refreshing)
  graphdesk accounts [--json]             list the signed-in accounts
  graphdesk cache import FILE [--json]    merge a token cache MSAL Python, msal-node or MSAL .NET wrote
  graphdesk cache export --format F [FILE]
                                          write the cache for MSAL (F: msal-python or msal-node); FILE is
                                          created readable by you only; without FILE, to standard output
  graphdesk --help | --version

  --scope S     a scope of the web API (repeatable, or space-separated); default: the app's default scopes
  --account A   username or home account id; default: the active account
  --json        print JSON (accessToken, expiresOn, scopes, account) instead of the bare token

Exit codes: 0 ok · 1 failure (network, server, cache, keyring) · 2 usage · 3 sign-in needed · 4 no such account
";

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Token {
        scopes: Vec<String>,
        account: Option<String>,
        json: bool,
    },
    Accounts {
        json: bool,
    },
    CacheImport {
        file: PathBuf,
        json: bool,
    },
    CacheExport {
        dialect: Dialect,
        out: Option<PathBuf>,
    },
    Help,
    Version,
}

/// Why the command line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    #[error("unknown option {0}")]
    UnknownOption(String),
    #[error("{0} needs a value")]
    MissingValue(String),
    #[error("unexpected argument {0}")]
    Unexpected(String),
    #[error("{0} is not a cache format: use msal-python or msal-node")]
    UnknownFormat(String),
    #[error("cache needs import FILE or export --format F")]
    CacheUsage,
}

/// The CLI command in `args` (without the program name), or `None` when the window should open (no arguments, or a
/// `graphdesk://` link the OS passes).
pub fn parse(args: &[String]) -> Option<Result<Command, UsageError>> {
    let (first, rest) = args.split_first()?;
    Some(match first.as_str() {
        "token" => parse_token(rest),
        "accounts" => match rest {
            [] => Ok(Command::Accounts { json: false }),
            [flag] if flag == "--json" => Ok(Command::Accounts { json: true }),
            [other, ..] => Err(unknown(other)),
        },
        "cache" => parse_cache(rest),
        "help" | "--help" | "-h" => Ok(Command::Help),
        "--version" | "-V" => Ok(Command::Version),
        _ => return None,
    })
}

fn unknown(arg: &str) -> UsageError {
    if arg.starts_with('-') {
        UsageError::UnknownOption(arg.to_owned())
    } else {
        UsageError::Unexpected(arg.to_owned())
    }
}

fn parse_token(args: &[String]) -> Result<Command, UsageError> {
    let (mut scopes, mut account, mut json) = (Vec::new(), None, false);
    options(args, |name, value| {
        match name {
            "--scope" | "--scopes" | "-s" => {
                scopes.extend(value()?.split_whitespace().map(str::to_owned))
            }
            "--account" | "-a" => account = Some(value()?),
            "--json" => json = true,
            other => return Err(unknown(other)),
        }
        Ok(())
    })?;
    Ok(Command::Token {
        scopes,
        account,
        json,
    })
}

/// Splits `--name=value` and `--name value` forms: the option's name, and a closure taking its value.
fn options(
    args: &[String],
    mut each: impl FnMut(&str, &mut dyn FnMut() -> Result<String, UsageError>) -> Result<(), UsageError>,
) -> Result<(), UsageError> {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| UsageError::MissingValue(name.to_owned()))
        };
        each(name, &mut value)?;
    }
    Ok(())
}

fn parse_cache(args: &[String]) -> Result<Command, UsageError> {
    match args.split_first() {
        Some((verb, rest)) if verb == "import" => {
            let (mut file, mut json) = (None, false);
            options(rest, |name, _| {
                match name {
                    "--json" => json = true,
                    other if other.starts_with('-') && other != "-" => return Err(unknown(other)),
                    path if file.is_none() => file = Some(PathBuf::from(path)),
                    extra => return Err(unknown(extra)),
                }
                Ok(())
            })?;
            let file = file.ok_or_else(|| UsageError::MissingValue("import".into()))?;
            Ok(Command::CacheImport { file, json })
        }
        Some((verb, rest)) if verb == "export" => {
            let (mut dialect, mut out) = (None, None);
            options(rest, |name, value| {
                match name {
                    "--format" | "-f" => {
                        dialect = Some(match value()?.as_str() {
                            "msal-python" | "python" => Dialect::MsalPython,
                            "msal-node" | "node" => Dialect::MsalNode,
                            other => return Err(UsageError::UnknownFormat(other.to_owned())),
                        })
                    }
                    "--out" | "-o" => out = Some(PathBuf::from(value()?)),
                    other if other.starts_with('-') => return Err(unknown(other)),
                    path if out.is_none() => out = Some(PathBuf::from(path)),
                    extra => return Err(unknown(extra)),
                }
                Ok(())
            })?;
            let dialect = dialect.ok_or_else(|| UsageError::MissingValue("--format".into()))?;
            Ok(Command::CacheExport { dialect, out })
        }
        _ => Err(UsageError::CacheUsage),
    }
}

/// What an import did, in words: counts, then each entry set aside (by section and position, never by content).
fn describe_import(file: &std::path::Path, summary: &ImportSummary) -> String {
    let mut text = format!(
        "Imported {}: {} account(s), {} access token(s), {} refresh token(s); {} entr{} of other apps or clouds kept as {}.",
        file.display(),
        summary.accounts,
        summary.access_tokens,
        summary.refresh_tokens,
        summary.kept_foreign,
        if summary.kept_foreign == 1 {
            "y"
        } else {
            "ies"
        },
        if summary.kept_foreign == 1 {
            "it was"
        } else {
            "they were"
        },
    );
    for warning in &summary.warnings {
        text.push_str(&format!(
            "\nKept as it was, not used: {} entry #{} ({}).",
            warning.section,
            warning.index + 1,
            warning.reason
        ));
    }
    text
}

/// Writes `bytes` to `path`, readable and writable by the user only (it holds refresh tokens).
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}

/// The exit code for an error.
pub fn exit_code(error: &CoreError) -> i32 {
    match error {
        CoreError::UiRequired(_) => exit::UI_REQUIRED,
        CoreError::NotSignedIn => exit::NO_ACCOUNT,
        _ => exit::FAILED,
    }
}

/// What to tell the user about an error.
fn explain(error: &CoreError, account: Option<&str>) -> String {
    match error {
        CoreError::NotSignedIn => match account {
            Some(account) => format!(
                "{account} is not signed in to GraphDesk. Run `graphdesk accounts` to see who is."
            ),
            None => "Nobody is signed in to GraphDesk. Open GraphDesk and sign in.".to_owned(),
        },
        CoreError::UiRequired(_) => format!("{error}\nOpen GraphDesk and sign in, then try again."),
        other => other.to_string(),
    }
}

/// Runs `command`; returns the process exit code.
pub fn run(command: Command) -> i32 {
    match command {
        Command::Help => {
            print!("{HELP}");
            exit::OK
        }
        Command::Version => {
            println!("graphdesk {}", graphdesk_core::APP_VERSION);
            exit::OK
        }
        Command::Token { .. }
        | Command::Accounts { .. }
        | Command::CacheImport { .. }
        | Command::CacheExport { .. } => {
            let paths = match AppPaths::for_current_user() {
                Ok(paths) => paths,
                Err(error) => {
                    eprintln!("graphdesk: {error}");
                    return exit::FAILED;
                }
            };
            let level = graphdesk_core::settings::Settings::load(paths.data_dir())
                .map(|s| s.log_level)
                .unwrap_or_else(|_| "info".into());
            let _log = crate::logging::init(paths.log_dir(), &level, false);
            tauri::async_runtime::block_on(run_with_cache(command, &paths))
        }
    }
}

async fn run_with_cache(command: Command, paths: &AppPaths) -> i32 {
    let (_tenant, session, warning) = match crate::session::open_for_cli(paths).await {
        Ok(opened) => opened,
        Err(error) => {
            eprintln!("graphdesk: {error}");
            return exit::FAILED;
        }
    };
    if let Some(warning) = warning {
        eprintln!("graphdesk: {warning}");
    }
    let mut out = std::io::stdout().lock();
    let written = match command {
        Command::Token {
            scopes,
            account,
            json,
        } => match session.token_silent(account.as_deref(), &scopes).await {
            Ok((summary, token)) if json => writeln!(
                out,
                "{}",
                serde_json::json!({
                    "accessToken": token.secret(),
                    "expiresOn": summary.expires_on,
                    "scopes": summary.scopes,
                    "account": summary.account.username,
                    "homeAccountId": summary.account.home_account_id,
                    "source": summary.source,
                })
            ),
            Ok((_, token)) => writeln!(out, "{}", token.secret()),
            Err(error) => {
                eprintln!("graphdesk: {}", explain(&error, account.as_deref()));
                return exit_code(&error);
            }
        },
        Command::Accounts { json } => {
            let accounts = session.accounts();
            let active = session.active();
            if json {
                writeln!(out, "{}", serde_json::json!(accounts))
            } else if accounts.is_empty() {
                eprintln!("graphdesk: nobody is signed in");
                Ok(())
            } else {
                accounts.iter().try_for_each(|a| {
                    let mark = if active.as_deref() == Some(a.home_account_id.as_str()) {
                        "*"
                    } else {
                        " "
                    };
                    writeln!(
                        out,
                        "{mark} {}\t{}\t{}",
                        a.username,
                        a.name.as_deref().unwrap_or(""),
                        a.home_account_id
                    )
                })
            }
        }
        Command::CacheImport { file, json } => {
            let bytes = match std::fs::read(&file) {
                Ok(bytes) => bytes,
                Err(error) => {
                    eprintln!("graphdesk: cannot read {}: {error}", file.display());
                    return exit::FAILED;
                }
            };
            match session.import_cache(&bytes).await {
                Ok(summary) if json => writeln!(out, "{}", serde_json::json!(summary)),
                Ok(summary) => writeln!(out, "{}", describe_import(&file, &summary)),
                Err(error) => {
                    eprintln!("graphdesk: {} was not imported: {error}", file.display());
                    return exit_code(&error);
                }
            }
        }
        Command::CacheExport { dialect, out: None } => out
            .write_all(&session.export_cache(dialect))
            .and_then(|()| writeln!(out)),
        Command::CacheExport {
            dialect,
            out: Some(path),
        } => write_private(&path, &session.export_cache(dialect)).map_err(|error| {
            std::io::Error::new(error.kind(), format!("{}: {error}", path.display()))
        }),
        Command::Help | Command::Version => Ok(()),
    };
    match written {
        Ok(()) => exit::OK,
        Err(error) => {
            eprintln!("graphdesk: {error}");
            exit::FAILED
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_window_opens_for_no_arguments_and_for_links() {
        assert_eq!(parse(&[]), None);
        assert_eq!(parse(&args("graphdesk://auth?code=x&state=y")), None);
    }

    #[test]
    fn token_takes_scopes_account_and_json_in_either_spelling() {
        assert_eq!(
            parse(&args(
                "token --scope User.Read --scope=Mail.Read --account ada@contoso.com --json"
            )),
            Some(Ok(Command::Token {
                scopes: vec!["User.Read".into(), "Mail.Read".into()],
                account: Some("ada@contoso.com".into()),
                json: true,
            }))
        );
        assert_eq!(
            parse(&["token".into(), "-s".into(), "User.Read Mail.Read".into()]),
            Some(Ok(Command::Token {
                scopes: vec!["User.Read".into(), "Mail.Read".into()],
                account: None,
                json: false,
            }))
        );
    }

    #[test]
    fn cache_import_and_export_parse_and_refuse_what_they_cannot_do() {
        assert_eq!(
            parse(&args("cache import /tmp/msal.json --json")),
            Some(Ok(Command::CacheImport {
                file: "/tmp/msal.json".into(),
                json: true
            }))
        );
        assert_eq!(
            parse(&args("cache export --format=msal-node -o out.json")),
            Some(Ok(Command::CacheExport {
                dialect: Dialect::MsalNode,
                out: Some("out.json".into())
            }))
        );
        assert_eq!(
            parse(&args("cache export --format msal-python msal.json")),
            Some(Ok(Command::CacheExport {
                dialect: Dialect::MsalPython,
                out: Some("msal.json".into())
            }))
        );
        assert_eq!(
            parse(&args("cache export --format python")),
            Some(Ok(Command::CacheExport {
                dialect: Dialect::MsalPython,
                out: None
            }))
        );
        for (line, error) in [
            ("cache", UsageError::CacheUsage),
            ("cache import", UsageError::MissingValue("import".into())),
            ("cache import a b", UsageError::Unexpected("b".into())),
            ("cache export", UsageError::MissingValue("--format".into())),
            (
                "cache export --format adal",
                UsageError::UnknownFormat("adal".into()),
            ),
            (
                "cache export --format node --bogus",
                UsageError::UnknownOption("--bogus".into()),
            ),
        ] {
            assert_eq!(parse(&args(line)), Some(Err(error)), "{line}");
        }
    }

    #[test]
    fn bad_command_lines_are_usage_errors() {
        assert_eq!(
            parse(&args("token --scope")),
            Some(Err(UsageError::MissingValue("--scope".into())))
        );
        assert_eq!(
            parse(&args("token --scope=")),
            Some(Err(UsageError::MissingValue("--scope".into())))
        );
        assert_eq!(
            parse(&args("token --bogus")),
            Some(Err(UsageError::UnknownOption("--bogus".into())))
        );
        assert_eq!(
            parse(&args("accounts extra")),
            Some(Err(UsageError::Unexpected("extra".into())))
        );
    }

    #[test]
    fn errors_map_to_distinct_exit_codes() {
        use graphdesk_core::error::{UiRequired, UiRequiredReason};
        assert_eq!(exit_code(&CoreError::NotSignedIn), exit::NO_ACCOUNT);
        assert_eq!(
            exit_code(&CoreError::ui_required(UiRequired::local(
                UiRequiredReason::NothingCached
            ))),
            exit::UI_REQUIRED
        );
        assert_eq!(exit_code(&CoreError::Timeout), exit::FAILED);
    }
}
