//! The user's settings: the app registration GraphDesk signs in with (client id, tenant or authority, cloud, redirect
//! URI, default scopes), an extra trusted root CA, and the log level. Saved as JSON in the data directory, and only
//! after validation: a setting that is saved is a setting that works. No client id means demo mode.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::api::{Api, GraphVersion};
use crate::config::ClientConfig;
use crate::error::{ConfigField, CoreError};

/// The settings file's name in the data directory.
pub const SETTINGS_FILE: &str = "settings.json";

/// Microsoft's clouds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Cloud {
    #[default]
    Global,
    UsGovernment,
    China,
}

impl Cloud {
    /// The sign-in host.
    pub fn login_host(self) -> &'static str {
        match self {
            Self::Global => "login.microsoftonline.com",
            Self::UsGovernment => "login.microsoftonline.us",
            Self::China => "login.chinacloudapi.cn",
        }
    }

    /// Microsoft Graph's host (from the one cloud table, `cloud.rs`).
    pub fn graph_host(self) -> &'static str {
        crate::cloud::graph_host(self.login_host()).unwrap_or("graph.microsoft.com")
    }
}

/// The settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// The application (client) id of the app registration; empty for demo mode.
    pub client_id: String,
    /// `organizations`, `common`, `consumers`, a tenant id or domain — or a full authority URL (another host).
    pub tenant: String,
    pub cloud: Cloud,
    pub redirect_uri: String,
    pub default_scopes: Vec<String>,
    /// A PEM file of extra trusted root certificates (a corporate proxy's); empty for none.
    pub extra_root_ca_file: String,
    /// The web API the request bar calls: an https base URL such as `https://graph.microsoft.com/beta` or your own
    /// API's; empty for Microsoft Graph v1.0 on the cloud. An authority on a host of its own (AD FS, a test tenant)
    /// names its API here.
    pub api_base_url: String,
    /// `error`, `warn`, `info`, `debug` or `trace` (the `GRAPHDESK_LOG` environment variable wins).
    pub log_level: String,
    /// Sign in through the Windows broker (WAM) instead of the browser: Windows only, and only with an app registration
    /// that lists the broker's redirect URI (`ms-appx-web://Microsoft.AAD.BrokerPlugin/{client id}`).
    pub use_windows_broker: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            client_id: String::new(),
            tenant: "organizations".into(),
            cloud: Cloud::Global,
            redirect_uri: crate::config::DEFAULT_REDIRECT_URI.into(),
            default_scopes: vec!["User.Read".into()],
            extra_root_ca_file: String::new(),
            api_base_url: String::new(),
            log_level: "info".into(),
            use_windows_broker: false,
        }
    }
}

fn invalid(field: ConfigField, reason: impl Into<String>) -> CoreError {
    CoreError::Config {
        field,
        reason: reason.into(),
    }
}

fn settings_file(detail: String) -> CoreError {
    CoreError::SettingsFile { detail }
}

impl Settings {
    /// Whether an app registration is configured (otherwise: demo mode).
    pub fn is_configured(&self) -> bool {
        !self.client_id.trim().is_empty()
    }

    /// The settings in `dir`; the defaults when there is no file. A file that is not settings is a typed error (the
    /// caller shows it and starts with the defaults; the file stays for the user to fix).
    pub fn load(dir: &Path) -> Result<Self, CoreError> {
        let path = dir.join(SETTINGS_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                settings_file(format!("{} is not valid settings ({e})", path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(settings_file(format!(
                "{} cannot be read ({e})",
                path.display()
            ))),
        }
    }

    /// Validates and saves to `dir` (temporary file, then rename). Invalid settings are not written.
    pub fn save(&self, dir: &Path) -> Result<(), CoreError> {
        self.validate()?;
        let text = serde_json::to_vec_pretty(self).map_err(|e| settings_file(e.to_string()))?;
        crate::files::replace_private(&dir.join(SETTINGS_FILE), &text)
            .map_err(|e| settings_file(format!("cannot be written ({e})")))
    }

    /// Every field checked; the first bad one is named.
    pub fn validate(&self) -> Result<(), CoreError> {
        if !["error", "warn", "info", "debug", "trace"].contains(&self.log_level.as_str()) {
            return Err(invalid(
                ConfigField::LogLevel,
                "one of error, warn, info, debug, trace",
            ));
        }
        if self.use_windows_broker && !cfg!(windows) {
            return Err(invalid(
                ConfigField::UseWindowsBroker,
                "the Windows broker (WAM) exists only on Windows",
            ));
        }
        if self.use_windows_broker && !self.is_configured() {
            return Err(invalid(
                ConfigField::UseWindowsBroker,
                "the Windows broker signs in at Microsoft's cloud: configure an app registration (client id) first",
            ));
        }
        if self.is_configured() {
            self.client_config()?;
            self.api()?;
        } else if !self.extra_root_ca_file.trim().is_empty() {
            self.extra_root_ca()?;
        }
        Ok(())
    }

    /// The authority URL: the tenant on the cloud's sign-in host, or the URL given.
    pub fn authority_url(&self) -> String {
        let tenant = self.tenant.trim();
        if tenant.contains("://") {
            tenant.to_owned()
        } else {
            format!("https://{}/{}", self.cloud.login_host(), tenant)
        }
    }

    fn extra_root_ca(&self) -> Result<Option<String>, CoreError> {
        let file = self.extra_root_ca_file.trim();
        if file.is_empty() {
            return Ok(None);
        }
        let pem = std::fs::read_to_string(file).map_err(|e| {
            invalid(
                ConfigField::ExtraRootCaFile,
                format!("{file} cannot be read ({e})"),
            )
        })?;
        Ok(Some(pem))
    }

    /// The client configuration these settings describe.
    pub fn client_config(&self) -> Result<ClientConfig, CoreError> {
        let mut builder = ClientConfig::builder(self.client_id.trim())
            .authority(self.authority_url())
            .redirect_uri(self.redirect_uri.trim())
            .default_scopes(self.default_scopes.iter().map(|s| s.trim().to_owned()));
        if self.default_scopes.is_empty() {
            return Err(invalid(
                ConfigField::DefaultScopes,
                "name at least one scope, such as User.Read",
            ));
        }
        if let Some(pem) = self.extra_root_ca()? {
            builder = builder.extra_root_ca_pem(pem);
        }
        builder.build()
    }

    /// The web API: the configured base URL, else Microsoft Graph v1.0 on the cloud; asked for with the default scopes.
    pub fn api(&self) -> Result<Api, CoreError> {
        let scopes = self.default_scopes.clone();
        match self.api_base_url.trim() {
            "" => Api::graph(self.cloud.graph_host(), GraphVersion::V1, scopes),
            base => Api::custom(base, scopes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<(), CoreError>) -> ConfigField {
        match result {
            Err(CoreError::Config { field, .. }) => field,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn a_web_api_base_url_names_the_api_and_must_be_https() {
        let configured = Settings {
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            ..Settings::default()
        };
        let api = Settings {
            api_base_url: "https://api.contoso.example/v2/".into(),
            ..configured.clone()
        };
        assert!(api.validate().is_ok());
        assert_eq!(
            api.api().expect("api"),
            Api::custom("https://api.contoso.example/v2", vec!["User.Read".into()]).expect("api")
        );
        let clear = Settings {
            api_base_url: "http://api.contoso.example".into(),
            ..configured.clone()
        };
        assert_eq!(field(clear.validate()), ConfigField::ApiBaseUrl);
        // Empty: Microsoft Graph on the cloud.
        assert_eq!(
            configured.api().expect("api"),
            Api::graph(
                "graph.microsoft.com",
                GraphVersion::V1,
                vec!["User.Read".into()]
            )
            .expect("api")
        );
    }

    #[test]
    fn defaults_are_demo_mode_and_valid() {
        let settings = Settings::default();
        assert!(!settings.is_configured());
        settings.validate().expect("valid");
    }

    #[test]
    fn a_configured_app_builds_its_authority_from_tenant_and_cloud() {
        let settings = Settings {
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            tenant: "contoso.onmicrosoft.com".into(),
            cloud: Cloud::UsGovernment,
            ..Settings::default()
        };
        settings.validate().expect("valid");
        assert_eq!(
            settings.authority_url(),
            "https://login.microsoftonline.us/contoso.onmicrosoft.com"
        );
        assert_eq!(
            settings.client_config().expect("config").client_id,
            settings.client_id
        );
        let full = Settings {
            tenant: "https://login.example.com/common".into(),
            ..settings
        };
        assert_eq!(full.authority_url(), "https://login.example.com/common");
    }

    #[test]
    fn every_bad_field_is_named_and_nothing_is_saved() {
        let dir = tempfile::tempdir().expect("dir");
        let configured = Settings {
            client_id: "app".into(),
            ..Settings::default()
        };
        let cases = [
            (
                Settings {
                    client_id: "not a client id".into(),
                    ..Settings::default()
                },
                ConfigField::ClientId,
            ),
            (
                Settings {
                    tenant: "not a tenant!".into(),
                    ..configured.clone()
                },
                ConfigField::Tenant,
            ),
            (
                Settings {
                    redirect_uri: "https://example.com/cb".into(),
                    ..configured.clone()
                },
                ConfigField::RedirectUri,
            ),
            (
                Settings {
                    default_scopes: vec![],
                    ..configured.clone()
                },
                ConfigField::DefaultScopes,
            ),
            (
                Settings {
                    default_scopes: vec!["User Read".into()],
                    ..configured.clone()
                },
                ConfigField::DefaultScopes,
            ),
            (
                Settings {
                    extra_root_ca_file: "/nonexistent.pem".into(),
                    ..configured.clone()
                },
                ConfigField::ExtraRootCaFile,
            ),
            (
                Settings {
                    log_level: "loud".into(),
                    ..configured
                },
                ConfigField::LogLevel,
            ),
        ];
        for (settings, expected) in cases {
            assert_eq!(field(settings.save(dir.path())), expected, "{settings:?}");
        }
        assert!(!dir.path().join(SETTINGS_FILE).exists());
    }

    #[test]
    fn saved_settings_load_back_and_a_damaged_file_is_a_typed_error() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(
            Settings::load(dir.path()).expect("defaults"),
            Settings::default()
        );
        let settings = Settings {
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            default_scopes: vec!["User.Read".into(), "Mail.Read".into()],
            ..Settings::default()
        };
        settings.save(dir.path()).expect("saved");
        assert_eq!(Settings::load(dir.path()).expect("loaded"), settings);
        std::fs::write(dir.path().join(SETTINGS_FILE), b"{ nope").expect("damage");
        assert!(matches!(
            Settings::load(dir.path()),
            Err(CoreError::SettingsFile { .. })
        ));
    }
}
