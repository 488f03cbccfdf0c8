//! The CLI companion: `graphdesk token` prints an access token from the same cache the window uses, and `graphdesk
//! accounts` lists who is signed in — without opening a window, silently only. When the user is needed, it says so and
//! exits with its own code, so scripts can tell "sign in first" from a failure.

use std::io::Write as _;

use graphdesk_core::CoreError;
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
        match name {
            "--scope" | "--scopes" | "-s" => {
                scopes.extend(value()?.split_whitespace().map(str::to_owned))
            }
            "--account" | "-a" => account = Some(value()?),
            "--json" => json = true,
            other => return Err(unknown(other)),
        }
    }
    Ok(Command::Token {
        scopes,
        account,
        json,
    })
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
        Command::Token { .. } | Command::Accounts { .. } => {
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
