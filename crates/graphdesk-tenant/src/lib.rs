//! An emulated Microsoft identity platform (v2.0 endpoints) and a slice of Microsoft Graph, served over https and http on
//! loopback, close enough to Entra that the real MSAL libraries (MSAL Python, msal-node) accept it. GraphDesk's tests,
//! benchmarks and offline demo mode run against it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), graphdesk_tenant::StartError> {
//! let tenant = graphdesk_tenant::TenantServer::new().start().await?;
//! println!("authority: {}", tenant.authority("organizations"));
//! println!("trust this CA: {}", tenant.ca_pem());
//! # Ok(()) }
//! ```

#[cfg(feature = "admin")]
pub mod admin;
pub mod authorize;
#[cfg(feature = "admin")]
pub mod automation;
pub mod clock;
pub mod crypto;
pub mod device;
pub mod directory;
pub mod durable;
pub mod faults;
pub mod federation;
pub mod graph;
pub mod http;
pub mod instance;
pub mod oauth_error;
pub mod oidc;
pub mod pages;
#[cfg(feature = "admin")]
pub mod peers;
pub mod photo;
pub mod scopes;
pub mod server;
pub mod store;
pub mod tenant;
pub mod tls;
pub mod token;

#[cfg(feature = "admin")]
pub use automation::AutomationError;
pub use directory::{
    AppRegistration, DEMO_CLIENT_ID, DEMO_TENANT_DOMAIN, DEMO_TENANT_ID, Directory, User,
};
pub use faults::{Fault, FaultAction, FaultTarget};
pub use server::{RunningTenant, StartError, TenantServer};
pub use store::LoggedRequest;
pub use tenant::{Tenant, TenantConfig};
