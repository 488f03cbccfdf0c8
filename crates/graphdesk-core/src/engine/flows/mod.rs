//! The ways to get a token with the user: authorization code + PKCE (system browser, deep link or loopback redirect),
//! device code, username/password and Integrated Windows Authentication; plus the registry that matches redirects to the sign-ins waiting for them.

pub mod auth_code;
pub mod device_code;
mod federated;
pub mod iwa;
pub mod loopback;
pub mod pending;
pub mod ropc;
