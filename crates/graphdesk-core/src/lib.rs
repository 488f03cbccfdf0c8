//! GraphDesk's core: everything the desktop app does that needs no window — the token engine with its flows, the
//! encrypted MSAL-schema cache, the Graph client, and the one service object the Tauri shell, the tray and the CLI call.
//!
//! Nothing here depends on Tauri, so every behaviour is testable with `cargo test` and no display. The vocabulary is
//! MSAL's (authority, environment, realm, `home_account_id`, tenant profile). The modules are layered (`ARCHITECTURE.md`;
//! `tests/tests/architecture.rs` fails on an upward import or a circle); each imports only from the layers above it here.

// L0: the vocabulary — secrets, clock, cancellation, backoff, encodings, scopes, errors.
pub mod backoff;
pub mod cancel;
pub mod clock;
pub mod encoding;
pub mod error;
pub mod scopes;
pub mod secret;
pub mod text;
// L1: the wire — the HTTP seam, redirects, protocol answers, ID tokens, JWTs, clouds, federation documents, where files
// live and how they are written.
pub mod cloud;
pub mod federation;
pub mod files;
pub mod http;
pub mod id_token;
pub mod jwt_view;
pub mod paths;
pub mod protocol;
pub mod redirect;
// L2: what a configuration is — authority, client configuration, the web API, the user's settings.
pub mod api;
pub mod authority;
pub mod config;
pub mod settings;
// L3: where tokens are kept — the OS keyring and the cache (accounts, persistence, MSAL interop).
pub mod cache;
pub mod cache_status;
pub mod keystore;
// L4: the token engine, with its flows as its own children.
pub mod engine;
// L5: what uses the engine — web APIs, brokers.
pub mod broker;
pub mod graph;
// L6: session and service, which the shell calls.
pub mod service;
pub mod session;

pub use cache::account;
pub use engine::flows;
pub use engine::flows::loopback;
pub use error::CoreError;
pub use service::{AppStatus, GraphDesk};

/// The product name shown to users and used for the keyring service and the data directory.
pub const APP_NAME: &str = "GraphDesk";

/// The version of this build, from the workspace manifest.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");
