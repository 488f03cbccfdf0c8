//! Secret newtypes: authorization codes, CSRF `state`, keys. Their `Debug` prints `[redacted]`, they have no `Display`, and
//! the raw value is reached only through `.secret()`, so a secret cannot slip into a log line or an error message by accident.

use std::fmt;

/// Defines a secret newtype over `String` with a redacted `Debug` and no `Display`.
macro_rules! secret_string {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps a raw value.
            pub fn new(raw: impl Into<String>) -> Self {
                Self(raw.into())
            }

            /// The raw value. Call sites are the only places a secret is ever read: keep them few.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_string!(
    /// An OAuth 2.0 authorization code (RFC 6749 §4.1.2): single-use, short-lived, redeemed with the PKCE verifier.
    AuthorizationCode
);

secret_string!(
    /// The CSRF `state` of an authorization request (RFC 6749 §10.12); compared in constant time.
    OAuthState
);

secret_string!(
    /// A password typed by the user (username/password flow), or any other short-lived secret text.
    Password
);

secret_string!(
    /// A bearer access token for a web API.
    AccessToken
);

secret_string!(
    /// A refresh token: long-lived, the most sensitive thing GraphDesk holds.
    RefreshToken
);

secret_string!(
    /// A raw ID token (a JWT about the user; personal data).
    IdToken
);

secret_string!(
    /// A PKCE code verifier (RFC 7636): proves the redeemer started the sign-in.
    PkceVerifier
);

secret_string!(
    /// A device code (RFC 8628): polled for tokens while the user signs in elsewhere.
    DeviceCode
);

impl OAuthState {
    /// Constant-time equality, so a guessing attacker learns nothing from response timing.
    pub fn matches(&self, other: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), other.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// Secret bytes (an encryption key read from the keyring); redacted `Debug`, zeroed when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Wraps raw bytes.
    pub fn new(raw: Vec<u8>) -> Self {
        Self(raw)
    }

    /// The raw bytes.
    pub fn secret(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes([redacted; {} bytes])", self.0.len())
    }
}

impl Drop for SecretBytes {
    fn drop(&mut self) {
        // Best effort: the allocator may have copied the bytes before; this clears the last copy we own.
        self.0.iter_mut().for_each(|b| *b = 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let code = AuthorizationCode::new("0.AVYA-super-secret-code");
        let state = OAuthState::new("state-value-123");
        let bytes = SecretBytes::new(b"key-material".to_vec());
        let printed = format!("{code:?} {state:?} {bytes:?}");
        assert!(!printed.contains("super-secret"), "{printed}");
        assert!(!printed.contains("state-value"), "{printed}");
        assert!(!printed.contains("key-material"), "{printed}");
        assert!(printed.contains("AuthorizationCode([redacted])"));
        assert!(printed.contains("12 bytes"));
    }

    #[test]
    fn state_matches_only_the_same_value() {
        let state = OAuthState::new("abc123");
        assert!(state.matches("abc123"));
        assert!(!state.matches("abc124"));
        assert!(!state.matches("abc12"));
        assert!(!state.matches(""));
    }
}
