//! The one base64url decoder (RFC 4648 §5) for what arrives from outside — JWT parts, `client_info`, claims — where
//! padding may be present or not (Entra omits it; some proxies and libraries add it), and the one JWT part splitter.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Decodes base64url with or without `=` padding.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

/// The decoded header and payload of a compact JWS (`header.payload.signature`, exactly three parts), unverified.
pub fn jwt_parts(token: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some((base64url_decode(header)?, base64url_decode(payload)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_optional_and_only_three_part_tokens_split() {
        assert_eq!(base64url_decode("eyJ9").as_deref(), Some(&b"{\"}"[..]));
        assert_eq!(base64url_decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64url_decode("YQ").as_deref(), Some(&b"a"[..]));
        assert_eq!(
            base64url_decode("Y+Q"),
            None,
            "standard base64 is not base64url"
        );
        assert_eq!(
            jwt_parts("YQ.Yg.c2ln"),
            Some((b"a".to_vec(), b"b".to_vec()))
        );
        assert_eq!(jwt_parts("YQ.Yg"), None);
        assert_eq!(jwt_parts("YQ.Yg.c2ln.x"), None);
        assert_eq!(jwt_parts("YQ.!!.c2ln"), None);
    }
}
