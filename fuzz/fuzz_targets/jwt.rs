//! Fuzzes the JWT decoders: the token panel's viewer and the ID token reader.
#![no_main]

use graphdesk_core::secret::IdToken;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(view) = graphdesk_core::jwt_view::decode(&text) {
        assert!(view.header.is_object() && view.claims.is_object());
    }
    let _ = graphdesk_core::id_token::decode(&IdToken::new(text.into_owned()));
});
