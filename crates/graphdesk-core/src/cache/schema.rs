//! The MSAL unified token cache schema (shared by MSAL Python, msal-node, MSAL.NET): sections `AccessToken`,
//! `RefreshToken`, `IdToken`, `Account`, `AppMetadata`, each a map from key to entry. Unknown sections and fields are kept
//! on every entry (`other`), so a cache another library wrote survives a round trip through GraphDesk. Times are strings
//! of epoch seconds when written, and accepted as numbers too when read. `Debug` never shows a `secret`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Epoch seconds, written as a string (MSAL's format), read from a string or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Epoch(pub u64);

impl Serialize for Epoch {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for Epoch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Number(n) => n
                .as_u64()
                .map(Epoch)
                .ok_or_else(|| serde::de::Error::custom("negative time")),
            Value::String(s) => s
                .trim()
                .parse()
                .map(Epoch)
                .map_err(serde::de::Error::custom),
            _ => Err(serde::de::Error::custom(
                "time must be a number or a string of digits",
            )),
        }
    }
}

/// An access token entry.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessTokenEntry {
    pub home_account_id: String,
    pub environment: String,
    pub credential_type: String,
    pub client_id: String,
    pub secret: String,
    pub realm: String,
    pub target: String,
    pub cached_at: Epoch,
    pub expires_on: Epoch,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_expires_on: Option<Epoch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_on: Option<Epoch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A refresh token entry. `realm` and `target` are optional: refresh tokens work across tenants and scopes.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshTokenEntry {
    pub home_account_id: String,
    pub environment: String,
    pub credential_type: String,
    pub client_id: String,
    pub secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_id: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// An ID token entry.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct IdTokenEntry {
    pub home_account_id: String,
    pub environment: String,
    pub credential_type: String,
    pub client_id: String,
    pub secret: String,
    pub realm: String,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// An account entry (no secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountEntry {
    pub home_account_id: String,
    pub environment: String,
    pub realm: String,
    pub local_account_id: String,
    pub username: String,
    pub authority_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// App metadata (family membership).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppMetadataEntry {
    pub client_id: String,
    pub environment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_id: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A whole cache document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CacheDocument {
    #[serde(rename = "AccessToken", default)]
    pub access_tokens: BTreeMap<String, AccessTokenEntry>,
    #[serde(rename = "RefreshToken", default)]
    pub refresh_tokens: BTreeMap<String, RefreshTokenEntry>,
    #[serde(rename = "IdToken", default)]
    pub id_tokens: BTreeMap<String, IdTokenEntry>,
    #[serde(rename = "Account", default)]
    pub accounts: BTreeMap<String, AccountEntry>,
    #[serde(rename = "AppMetadata", default)]
    pub app_metadata: BTreeMap<String, AppMetadataEntry>,
    /// Sections this version does not know, kept verbatim.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A credential key: `home_account_id-environment-credential_type-client_id-realm-target`, lower-cased.
pub fn credential_key(
    home: &str,
    environment: &str,
    kind: &str,
    client_id: &str,
    realm: &str,
    target: &str,
) -> String {
    [home, environment, kind, client_id, realm, target]
        .join("-")
        .to_lowercase()
}

/// An account key: `home_account_id-environment-realm`, lower-cased.
pub fn account_key(home: &str, environment: &str, realm: &str) -> String {
    [home, environment, realm].join("-").to_lowercase()
}

/// An app metadata key: `appmetadata-environment-client_id`, lower-cased.
pub fn app_metadata_key(environment: &str, client_id: &str) -> String {
    format!("appmetadata-{environment}-{client_id}").to_lowercase()
}

macro_rules! redacted_debug {
    ($type:ty, $($field:ident),+) => {
        impl fmt::Debug for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($type))
                    $(.field(stringify!($field), &self.$field))+
                    .field("secret", &"[redacted]")
                    .finish_non_exhaustive()
            }
        }
    };
}

redacted_debug!(
    AccessTokenEntry,
    environment,
    client_id,
    realm,
    target,
    expires_on
);
redacted_debug!(RefreshTokenEntry, environment, client_id, family_id);
redacted_debug!(IdTokenEntry, environment, client_id, realm);

#[cfg(test)]
mod tests {
    use super::*;

    const MSAL_STYLE: &str = r#"{
      "AccessToken": {"u.t-login.example-accesstoken-c-t-user.read": {
        "home_account_id": "u.t", "environment": "login.example", "credential_type": "AccessToken", "client_id": "c",
        "secret": "AT-SECRET", "realm": "t", "target": "User.Read", "cached_at": "100", "expires_on": 3700,
        "extended_expires_on": "3700", "token_type": "Bearer", "key_id": "kept"}},
      "RefreshToken": {"u.t-login.example-refreshtoken-c--": {
        "home_account_id": "u.t", "environment": "login.example", "credential_type": "RefreshToken", "client_id": "c",
        "secret": "RT-SECRET", "last_modification_time": "123"}},
      "Account": {}, "IdToken": {}, "AppMetadata": {},
      "SomethingNew": {"x": 1}
    }"#;

    #[test]
    fn unknown_sections_and_fields_survive_a_round_trip() {
        let doc: CacheDocument = serde_json::from_str(MSAL_STYLE).expect("parsed");
        let at = doc.access_tokens.values().next().expect("at");
        assert_eq!((at.cached_at, at.expires_on), (Epoch(100), Epoch(3700)));
        assert_eq!(at.other["key_id"], "kept");
        let written = serde_json::to_value(&doc).expect("json");
        assert_eq!(written["SomethingNew"]["x"], 1);
        let rt = written["RefreshToken"]
            .as_object()
            .and_then(|m| m.values().next())
            .expect("rt");
        assert_eq!(rt["last_modification_time"], "123");
        assert_eq!(
            written["AccessToken"]
                .as_object()
                .and_then(|m| m.values().next())
                .expect("at")["expires_on"],
            "3700"
        );
        let again: CacheDocument = serde_json::from_value(written).expect("reparsed");
        assert_eq!(again, doc);
    }

    #[test]
    fn debug_hides_secrets_and_keys_are_msal_shaped() {
        let doc: CacheDocument = serde_json::from_str(MSAL_STYLE).expect("parsed");
        let printed = format!("{doc:?}");
        assert!(
            !printed.contains("AT-SECRET") && !printed.contains("RT-SECRET"),
            "{printed}"
        );
        assert_eq!(
            credential_key("U.T", "login.example", "AccessToken", "C", "T", "User.Read"),
            "u.t-login.example-accesstoken-c-t-user.read"
        );
        assert_eq!(
            account_key("u.t", "login.example", "T"),
            "u.t-login.example-t"
        );
        assert_eq!(
            app_metadata_key("login.example", "C"),
            "appmetadata-login.example-c"
        );
    }
}
