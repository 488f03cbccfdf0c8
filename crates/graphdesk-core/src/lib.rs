//! GraphDesk's core: everything the desktop app does that needs no window — where its files live, the sign-in redirect
//! parser, the OS keyring, and the one service object the Tauri shell, the tray and the CLI all call.
//!
//! Nothing here depends on Tauri, so every behaviour is testable with `cargo test` and no display. The token engine and the
//! Graph client land here too (see the project's issues); their vocabulary is MSAL's (authority, environment, realm,
//! `home_account_id`).

pub mod account;
pub mod authority;
pub mod broker;
pub mod cache;
pub mod cache_status;
pub mod clock;
pub mod cloud;
pub mod config;
pub mod encoding;
pub mod engine;
pub mod error;
pub mod flows;
pub mod graph;
pub mod http;
pub mod id_token;
pub mod jwt_view;
pub mod keystore;
pub mod loopback;
pub mod paths;
pub mod protocol;
pub mod redirect;
pub mod scopes;
pub mod secret;
pub mod service;
pub mod session;
pub mod settings;

pub use error::CoreError;
pub use service::{AppStatus, GraphDesk};

/// The product name shown to users and used for the keyring service and the data directory.
pub const APP_NAME: &str = "GraphDesk";

/// The version of this build, from the workspace manifest.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");
