//! The black-box harness for GraphDesk: it starts the real app binary in a private desktop (Xvfb display, D-Bus session
//! bus, throw-away home) and drives its window through WebKitWebDriver, the way a user would. Nothing here links the app.
//!
//! On failure an [`App`] saves a screenshot and the app's logs under `target/e2e-artifacts/<test>/`.

mod app;
mod desktop;
pub mod layers;
mod paths;
mod rerun;
mod tenant;
mod wait;
mod webdriver;

pub use app::App;
pub use desktop::Desktop;
pub use paths::{app_binary, artifacts_dir, deb_package, tenant_binary};
pub use rerun::{inside_desktop, rerun_inside};
pub use tenant::{DemoTenant, StandaloneTenant};
pub use wait::{poll_until, wait_until};
pub use webdriver::{Element, Session};
