//! The MSAL unified token cache schema (shared by MSAL Python, msal-node, MSAL.NET): sections `AccessToken`,
//! `RefreshToken`, `IdToken`, `Account`, `AppMetadata`, each a map from key to entry. Unknown sections and fields are kept
//! on every entry (`other`), so a cache another library wrote survives a round trip through GraphDesk. Times are strings
//! of epoch seconds when written, and accepted as numbers too when read. `Debug` never shows a `secret`.
//!
//! Reading is as lenient as the MSAL libraries together (issue 13): a UTF-8 BOM, an empty file, trailing commas (MSAL
//! .NET's reader allows them), `null` where a string belongs (MSAL Python writes `local_account_id: null`), a missing
//! `realm` (MSAL .NET's ADFS and generic entries), float times (MSAL Python 0.x) are all read. An entry that still does
//! not fit the schema (`{"foo": "bar"}`, a `target` list) is kept verbatim, written back unchanged and never used, with a
//! warning naming its section and why — one odd entry never refuses the file.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Epoch seconds, written as a string (MSAL's format), read from a string or a number (MSAL Python 0.x wrote floats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Epoch(pub u64);

impl Serialize for Epoch {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for Epoch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let whole = |f: f64| (f.is_finite() && f >= 0.0).then_some(f as u64);
        let seconds = match Value::deserialize(deserializer)? {
            Value::Number(n) => n.as_u64().or_else(|| n.as_f64().and_then(whole)),
            Value::String(s) => {
                let s = s.trim();
                s.parse().ok().or_else(|| s.parse().ok().and_then(whole))
            }
            _ => None,
        };
        seconds
            .map(Epoch)
            .ok_or_else(|| serde::de::Error::custom("a time that is not epoch seconds"))
    }
}

/// `null` (or absent, with `#[serde(default)]`) read as the empty string, as MSAL .NET does.
fn null_as_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}

/// An access token entry.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessTokenEntry {
    pub home_account_id: String,
    pub environment: String,
    pub credential_type: String,
    pub client_id: String,
    pub secret: String,
    /// Empty when the writer had no tenant (MSAL .NET's ADFS entries); not written then.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "String::is_empty"
    )]
    pub realm: String,
    pub target: String,
    /// Missing reads as 0, like msal-node and MSAL .NET.
    #[serde(default)]
    pub cached_at: Epoch,
    /// Missing reads as 0: expired (msal-node, MSAL .NET).
    #[serde(default)]
    pub expires_on: Epoch,
    // `extended_expires_on` stays in `other`, verbatim: no MSAL decides anything on it, and MSAL .NET writes negative
    // values (`-62135596800`) that must survive a round trip.
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
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "String::is_empty"
    )]
    pub realm: String,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// An account entry (no secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountEntry {
    pub home_account_id: String,
    pub environment: String,
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "String::is_empty"
    )]
    pub realm: String,
    /// `null` when the writer had no ID token (MSAL Python); read as empty.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub local_account_id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub username: String,
    #[serde(default, deserialize_with = "null_as_empty")]
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

/// A whole cache document. Read with [`parse_document`] (entry by entry, leniently); written with `Serialize`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CacheDocument {
    pub access_tokens: BTreeMap<String, AccessTokenEntry>,
    pub refresh_tokens: BTreeMap<String, RefreshTokenEntry>,
    pub id_tokens: BTreeMap<String, IdTokenEntry>,
    pub accounts: BTreeMap<String, AccountEntry>,
    pub app_metadata: BTreeMap<String, AppMetadataEntry>,
    /// Sections this version does not know, kept verbatim.
    pub other: BTreeMap<String, Value>,
    /// Entries of the known sections that do not fit the schema, by section and key: written back as they were,
    /// never used.
    pub unparsed: BTreeMap<String, BTreeMap<String, Value>>,
    /// Why each unparsed entry was set aside (no values: a reason and where).
    pub warnings: Vec<EntryWarning>,
}

/// An entry read but set aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct EntryWarning {
    pub section: String,
    /// The entry's position in its section (keys can hold account ids, which are not logged).
    pub index: usize,
    pub reason: String,
}

const SECTIONS: [&str; 5] = [
    "AccessToken",
    "RefreshToken",
    "IdToken",
    "Account",
    "AppMetadata",
];

/// What a field error says without any value from the entry (serde's "invalid type: string \"…\"" would quote one).
fn reason_of(error: &serde_json::Error) -> String {
    let text = error.to_string();
    if text.starts_with("missing field") {
        text.split(" at line").next().unwrap_or(&text).to_owned()
    } else if text.contains("epoch seconds") {
        "a time that is not epoch seconds".to_owned()
    } else {
        "a field of an unexpected type".to_owned()
    }
}

impl Serialize for CacheDocument {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        fn section<T: Serialize>(
            entries: &BTreeMap<String, T>,
            unparsed: Option<&BTreeMap<String, Value>>,
        ) -> Result<Value, serde_json::Error> {
            let mut out = serde_json::Map::new();
            for (key, raw) in unparsed.into_iter().flatten() {
                out.insert(key.clone(), raw.clone());
            }
            for (key, entry) in entries {
                out.insert(key.clone(), serde_json::to_value(entry)?);
            }
            Ok(Value::Object(out))
        }
        let unparsed = |name: &str| self.unparsed.get(name);
        let sections = [
            section(&self.access_tokens, unparsed(SECTIONS[0])),
            section(&self.refresh_tokens, unparsed(SECTIONS[1])),
            section(&self.id_tokens, unparsed(SECTIONS[2])),
            section(&self.accounts, unparsed(SECTIONS[3])),
            section(&self.app_metadata, unparsed(SECTIONS[4])),
        ];
        let mut map = serializer.serialize_map(Some(SECTIONS.len() + self.other.len()))?;
        for (name, value) in SECTIONS.iter().zip(sections) {
            map.serialize_entry(name, &value.map_err(S::Error::custom)?)?;
        }
        for (name, value) in &self.other {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Parses a cache file's bytes as leniently as the MSAL libraries together: a UTF-8 BOM is skipped, an empty file is
/// an empty cache, and trailing commas (MSAL .NET's reader allows them) are tolerated.
pub fn parse_document(bytes: &[u8]) -> Result<CacheDocument, serde_json::Error> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(CacheDocument::default());
    }
    // The fast path: a document every entry of which fits the schema (GraphDesk's own file, always) parses straight
    // into its types; anything else takes the entry-by-entry path.
    if let Ok(document) = serde_json::from_slice::<WellFormed>(bytes) {
        return Ok(document.into());
    }
    match parse_raw(bytes) {
        Err(error) if error.is_syntax() => {
            parse_raw(&without_trailing_commas(bytes)).map_err(|_| error)
        }
        other => other,
    }
}

/// A document whose every entry fits the schema, parsed in one pass.
#[derive(Deserialize)]
struct WellFormed {
    #[serde(rename = "AccessToken", default)]
    access_tokens: BTreeMap<String, AccessTokenEntry>,
    #[serde(rename = "RefreshToken", default)]
    refresh_tokens: BTreeMap<String, RefreshTokenEntry>,
    #[serde(rename = "IdToken", default)]
    id_tokens: BTreeMap<String, IdTokenEntry>,
    #[serde(rename = "Account", default)]
    accounts: BTreeMap<String, AccountEntry>,
    #[serde(rename = "AppMetadata", default)]
    app_metadata: BTreeMap<String, AppMetadataEntry>,
    #[serde(flatten)]
    other: BTreeMap<String, Value>,
}

impl From<WellFormed> for CacheDocument {
    fn from(w: WellFormed) -> Self {
        Self {
            access_tokens: w.access_tokens,
            refresh_tokens: w.refresh_tokens,
            id_tokens: w.id_tokens,
            accounts: w.accounts,
            app_metadata: w.app_metadata,
            other: w.other,
            unparsed: BTreeMap::new(),
            warnings: Vec::new(),
        }
    }
}

/// The document from its bytes, entry by entry without an intermediate `Value` tree: each section and entry is first
/// taken as raw JSON text (a scan, no allocation), then parsed straight into its type — and only an entry that does not
/// fit is parsed into a `Value` to be kept verbatim.
fn parse_raw(bytes: &[u8]) -> Result<CacheDocument, serde_json::Error> {
    use serde::de::Error;
    use serde_json::value::RawValue;
    fn entries<T: serde::de::DeserializeOwned>(
        name: &str,
        section: &RawValue,
        unparsed: &mut BTreeMap<String, BTreeMap<String, Value>>,
        warnings: &mut Vec<EntryWarning>,
    ) -> Result<BTreeMap<String, T>, serde_json::Error> {
        let raw: Option<BTreeMap<String, &RawValue>> = serde_json::from_str(section.get())
            .map_err(|_| {
                serde_json::Error::custom(format!("the {name} section is not an object"))
            })?;
        let mut parsed = BTreeMap::new();
        for (index, (key, entry)) in raw.unwrap_or_default().into_iter().enumerate() {
            match serde_json::from_str::<T>(entry.get()) {
                Ok(value) => {
                    parsed.insert(key, value);
                }
                Err(error) => {
                    warnings.push(EntryWarning {
                        section: name.to_owned(),
                        index,
                        reason: reason_of(&error),
                    });
                    unparsed
                        .entry(name.to_owned())
                        .or_default()
                        .insert(key, serde_json::from_str(entry.get())?);
                }
            }
        }
        Ok(parsed)
    }
    let top: BTreeMap<String, &RawValue> = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            e
        } else {
            serde_json::Error::custom("a token cache is a JSON object")
        }
    })?;
    let mut doc = CacheDocument::default();
    let (unparsed, warnings) = (&mut doc.unparsed, &mut doc.warnings);
    for (name, section) in top {
        match name.as_str() {
            "AccessToken" => doc.access_tokens = entries(&name, section, unparsed, warnings)?,
            "RefreshToken" => doc.refresh_tokens = entries(&name, section, unparsed, warnings)?,
            "IdToken" => doc.id_tokens = entries(&name, section, unparsed, warnings)?,
            "Account" => doc.accounts = entries(&name, section, unparsed, warnings)?,
            "AppMetadata" => doc.app_metadata = entries(&name, section, unparsed, warnings)?,
            _ => {
                doc.other.insert(name, serde_json::from_str(section.get())?);
            }
        }
    }
    Ok(doc)
}

/// `bytes` with every comma that is followed (after whitespace) by `}` or `]` removed, outside strings.
fn without_trailing_commas(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let (mut in_string, mut escaped) = (false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b',' {
            let next = bytes[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
            if matches!(next, Some(b'}' | b']')) {
                continue;
            }
        }
        out.push(b);
    }
    out
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
        let doc = parse_document(MSAL_STYLE.as_bytes()).expect("parsed");
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
        let again = parse_document(written.to_string().as_bytes()).expect("reparsed");
        assert_eq!(again, doc);
    }

    #[test]
    fn the_one_pass_and_the_entry_by_entry_reading_agree() {
        let well_formed = parse_document(MSAL_STYLE.as_bytes()).expect("one pass");
        assert!(well_formed.warnings.is_empty() && well_formed.unparsed.is_empty());
        let mut odd: Value = serde_json::from_str(MSAL_STYLE).expect("json");
        odd["AccessToken"]["zz-odd"] = serde_json::json!({"foo": "bar"});
        let lenient = parse_document(odd.to_string().as_bytes()).expect("entry by entry");
        assert_eq!(lenient.warnings.len(), 1);
        assert_eq!(
            (lenient.access_tokens, lenient.refresh_tokens, lenient.other),
            (
                well_formed.access_tokens,
                well_formed.refresh_tokens,
                well_formed.other
            )
        );
        assert_eq!(lenient.unparsed["AccessToken"]["zz-odd"]["foo"], "bar");
        assert_eq!(
            parse_document(b"").expect("empty"),
            CacheDocument::default()
        );
        assert_eq!(
            parse_document(b"\xef\xbb\xbf {}").expect("BOM"),
            CacheDocument::default()
        );
        assert!(parse_document(b"[1, 2]").is_err());
        assert!(parse_document(br#"{"AccessToken": 5}"#).is_err());
        let commas =
            parse_document(br#"{"AppMetadata": {"a": {"client_id": "c", "environment": "e",},},}"#)
                .expect("trailing commas, as MSAL .NET reads them");
        assert_eq!(commas.app_metadata.len(), 1);
    }

    #[test]
    fn debug_hides_secrets_and_keys_are_msal_shaped() {
        let doc = parse_document(MSAL_STYLE.as_bytes()).expect("parsed");
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
