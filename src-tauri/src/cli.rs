//! The CLI companion: `graphdesk token` prints an access token from the same cache the window uses, `graphdesk
//! accounts` lists who is signed in — without opening a window, silently only — and `graphdesk cache import|export`
//! moves sign-ins between GraphDesk and MSAL Python, msal-node or MSAL .NET caches. When the user is needed, it says so
//! and exits with its own code, so scripts can tell "sign in first" from a failure.

use std::io::Write as _;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
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

/// GraphDesk — tokens for the Microsoft identity platform, from the desktop app's cache. Without a command, the window
/// opens.
#[derive(Debug, Parser)]
#[command(
    name = "graphdesk",
    version,
    after_help = "Exit codes: 0 ok · 1 failure (network, server, cache, keyring) · 2 usage · 3 sign-in needed · 4 no such account"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Print an access token, silently: from the cache or by refreshing.
    Token {
        /// A scope of the web API (repeatable, or space-separated); default: the app's default scopes.
        #[arg(
            long = "scope",
            short = 's',
            visible_alias = "scopes",
            value_name = "S"
        )]
        scopes: Vec<String>,
        /// Username or home account id; default: the active account.
        #[arg(long, short = 'a', value_name = "A")]
        account: Option<String>,
        /// Print JSON (accessToken, expiresOn, scopes, account) instead of the bare token.
        #[arg(long)]
        json: bool,
    },
    /// List the signed-in accounts (* marks the active one).
    Accounts {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sign in without a window: `--windows` signs the Windows session's user in (Integrated Windows Authentication, for
    /// federated domains; Windows only). The browser and device-code sign-ins are in the app's window.
    SignIn {
        /// Integrated Windows Authentication.
        #[arg(long, required = true)]
        windows: bool,
        /// The account's username (user@contoso.com), when it is not the UPN Windows reports.
        #[arg(long, short = 'u', value_name = "U")]
        username: Option<String>,
        /// Print JSON (account, homeAccountId, expiresOn, scopes, source).
        #[arg(long)]
        json: bool,
    },
    /// Move sign-ins between GraphDesk and MSAL Python, msal-node or MSAL .NET caches.
    Cache {
        #[command(subcommand)]
        action: CacheCommand,
    },
}

/// `graphdesk cache …`
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum CacheCommand {
    /// Merge a token cache MSAL Python, msal-node or MSAL .NET wrote.
    Import {
        /// The cache file.
        file: PathBuf,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the cache for MSAL; the file is created readable by you only; without one, to standard output.
    Export {
        /// Whose conventions to write.
        #[arg(long, short = 'f', value_enum)]
        format: Format,
        /// The file to write.
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
        /// The file to write (as --out).
        #[arg(conflicts_with = "out")]
        file: Option<PathBuf>,
    },
}

/// A cache format `graphdesk cache export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// MSAL Python's (`SerializableTokenCache`).
    #[value(alias = "python")]
    MsalPython,
    /// msal-node's (`TokenCache.serialize`).
    #[value(alias = "node")]
    MsalNode,
}

impl Format {
    fn dialect(self) -> Dialect {
        match self {
            Self::MsalPython => Dialect::MsalPython,
            Self::MsalNode => Dialect::MsalNode,
        }
    }
}

/// The words that make a command line the CLI's rather than the window's.
const CLI_WORDS: [&str; 9] = [
    "token",
    "accounts",
    "sign-in",
    "cache",
    "help",
    "--help",
    "-h",
    "--version",
    "-V",
];

/// The CLI command in `args` (without the program name), or `None` when the window should open (no arguments, or a
/// `graphdesk://` link the OS passes). A usage error, `--help` and `--version` come back as clap's error, which prints
/// itself and exits with 2 (usage) or 0.
pub fn parse(args: &[String]) -> Option<Result<Command, clap::Error>> {
    let first = args.first()?;
    if !CLI_WORDS.contains(&first.as_str()) {
        return None;
    }
    Some(
        Cli::try_parse_from(std::iter::once("graphdesk".to_owned()).chain(args.iter().cloned()))
            .map(|cli| match cli.command {
                // `--scope "User.Read Mail.Read"` names two scopes, as MSAL's space-separated `scope` does.
                Command::Token {
                    scopes,
                    account,
                    json,
                } => Command::Token {
                    scopes: scopes
                        .iter()
                        .flat_map(|s| s.split_whitespace())
                        .map(str::to_owned)
                        .collect(),
                    account,
                    json,
                },
                other => other,
            }),
    )
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
    let paths = match AppPaths::for_current_user() {
        Ok(paths) => paths,
        Err(error) => {
            eprintln!("graphdesk: {error}");
            return exit::FAILED;
        }
    };
    if let Err(error) = paths.prepare() {
        eprintln!(
            "graphdesk: cannot prepare {}: {error}",
            paths.data_dir().display()
        );
    }
    let level = graphdesk_core::settings::Settings::load(paths.data_dir())
        .map(|s| s.log_level)
        .unwrap_or_else(|_| "info".into());
    let _log = crate::logging::init(paths.log_dir(), &level, false);
    tauri::async_runtime::block_on(run_with_cache(command, &paths))
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
        Command::SignIn {
            windows: _,
            username,
            json,
        } => {
            let signed_in = match graphdesk_core::broker::windows_identity() {
                Ok(identity) => {
                    session
                        .sign_in_integrated_windows(username.as_deref(), identity.as_ref())
                        .await
                }
                Err(error) => Err(error),
            };
            match signed_in {
                Ok(summary) if json => writeln!(
                    out,
                    "{}",
                    serde_json::json!({
                        "account": summary.account.username,
                        "homeAccountId": summary.account.home_account_id,
                        "expiresOn": summary.expires_on,
                        "scopes": summary.scopes,
                        "source": summary.source,
                    })
                ),
                Ok(summary) => {
                    writeln!(out, "Signed in {} with Windows.", summary.account.username)
                }
                Err(error) => {
                    eprintln!("graphdesk: {}", explain(&error, username.as_deref()));
                    return exit_code(&error);
                }
            }
        }
        Command::Cache {
            action: CacheCommand::Import { file, json },
        } => match session.import_cache_file(&file).await {
            Ok(summary) if json => writeln!(out, "{}", serde_json::json!(summary)),
            Ok(summary) => writeln!(out, "{}", describe_import(&file, &summary)),
            Err(error @ CoreError::InvalidRequest { .. }) => {
                eprintln!("graphdesk: {error}");
                return exit::FAILED;
            }
            Err(error) => {
                eprintln!("graphdesk: {} was not imported: {error}", file.display());
                return exit_code(&error);
            }
        },
        Command::Cache {
            action:
                CacheCommand::Export {
                    format,
                    out: to,
                    file,
                },
        } => match to.or(file) {
            None => out
                .write_all(&session.export_cache(format.dialect()))
                .and_then(|()| writeln!(out)),
            Some(path) => match session.export_cache_to(format.dialect(), &path) {
                Ok(()) => Ok(()),
                Err(error) => {
                    eprintln!("graphdesk: {error}");
                    return exit::FAILED;
                }
            },
        },
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

    fn parsed(line: &str) -> Command {
        parse(&args(line))
            .expect("a CLI command")
            .unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    fn refused(line: &str) -> clap::error::ErrorKind {
        parse(&args(line))
            .expect("a CLI command")
            .expect_err(line)
            .kind()
    }

    #[test]
    fn the_window_opens_for_no_arguments_and_for_links() {
        assert!(parse(&[]).is_none());
        assert!(parse(&args("graphdesk://auth?code=x&state=y")).is_none());
    }

    #[test]
    fn token_takes_scopes_account_and_json_in_either_spelling() {
        assert_eq!(
            parsed("token --scope User.Read --scope=Mail.Read --account ada@contoso.com --json"),
            Command::Token {
                scopes: vec!["User.Read".into(), "Mail.Read".into()],
                account: Some("ada@contoso.com".into()),
                json: true,
            }
        );
        let spaced = parse(&["token".into(), "-s".into(), "User.Read Mail.Read".into()])
            .expect("a CLI command")
            .expect("parsed");
        assert_eq!(
            spaced,
            Command::Token {
                scopes: vec!["User.Read".into(), "Mail.Read".into()],
                account: None,
                json: false,
            }
        );
    }

    #[test]
    fn sign_in_needs_its_method_and_takes_a_username() {
        assert_eq!(
            parsed("sign-in --windows -u ann@corp.example --json"),
            Command::SignIn {
                windows: true,
                username: Some("ann@corp.example".into()),
                json: true,
            }
        );
        assert_eq!(
            refused("sign-in"),
            clap::error::ErrorKind::MissingRequiredArgument
        );
    }

    #[test]
    fn cache_import_and_export_parse_and_refuse_what_they_cannot_do() {
        let export = |format, out: Option<&str>, file: Option<&str>| Command::Cache {
            action: CacheCommand::Export {
                format,
                out: out.map(PathBuf::from),
                file: file.map(PathBuf::from),
            },
        };
        assert_eq!(
            parsed("cache import /tmp/msal.json --json"),
            Command::Cache {
                action: CacheCommand::Import {
                    file: "/tmp/msal.json".into(),
                    json: true
                }
            }
        );
        assert_eq!(
            parsed("cache export --format=msal-node -o out.json"),
            export(Format::MsalNode, Some("out.json"), None)
        );
        assert_eq!(
            parsed("cache export --format msal-python msal.json"),
            export(Format::MsalPython, None, Some("msal.json"))
        );
        assert_eq!(
            parsed("cache export --format python"),
            export(Format::MsalPython, None, None)
        );
        use clap::error::ErrorKind;
        for (line, kind) in [
            ("cache", ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand),
            ("cache import", ErrorKind::MissingRequiredArgument),
            ("cache import a b", ErrorKind::UnknownArgument),
            ("cache export", ErrorKind::MissingRequiredArgument),
            ("cache export --format adal", ErrorKind::InvalidValue),
            (
                "cache export --format node --bogus",
                ErrorKind::UnknownArgument,
            ),
            (
                "cache export --format node -o a b",
                ErrorKind::ArgumentConflict,
            ),
        ] {
            assert_eq!(refused(line), kind, "{line}");
        }
    }

    #[test]
    fn bad_command_lines_are_usage_errors_and_help_and_version_are_answers() {
        use clap::error::ErrorKind;
        assert_eq!(refused("token --scope"), ErrorKind::InvalidValue);
        assert_eq!(refused("token --bogus"), ErrorKind::UnknownArgument);
        assert_eq!(refused("accounts extra"), ErrorKind::UnknownArgument);
        assert_eq!(refused("--version"), ErrorKind::DisplayVersion);
        assert_eq!(refused("help"), ErrorKind::DisplayHelp);
        let usage = parse(&args("token --bogus"))
            .expect("a CLI command")
            .expect_err("refused");
        assert_eq!(usage.exit_code(), exit::USAGE);
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
