//! WS-Trust: the Issue request a Windows-integrated endpoint takes (no credentials in the message: the HTTP layer
//! carries the Negotiate/Kerberos token) and its answer, a SAML assertion to redeem at the token endpoint, or a SOAP
//! fault. The request's text is MSAL .NET's `BuildTokenRequestMessageWindowsIntegratedAuth`, element for element.

use base64::Engine as _;

use super::{ns, xml_escape};
use crate::secret::SecretBytes;

/// The WS-Trust dialect of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsTrustVersion {
    /// WS-Trust 1.3 (OASIS, 2005/12).
    Trust13,
    /// WS-Trust February 2005.
    Trust2005,
}

impl WsTrustVersion {
    const ACTION_13: &str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue";
    const ACTION_2005: &str = "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue";

    /// The version a binding's `soapAction` names (case-insensitive, as MSAL .NET compares it).
    pub fn from_action(action: &str) -> Option<Self> {
        if action.eq_ignore_ascii_case(Self::ACTION_13) {
            Some(Self::Trust13)
        } else if action.eq_ignore_ascii_case(Self::ACTION_2005) {
            Some(Self::Trust2005)
        } else {
            None
        }
    }

    /// The SOAP action of an Issue request.
    pub fn action(self) -> &'static str {
        match self {
            Self::Trust13 => Self::ACTION_13,
            Self::Trust2005 => Self::ACTION_2005,
        }
    }

    fn namespace(self) -> &'static str {
        match self {
            Self::Trust13 => ns::WST13,
            Self::Trust2005 => ns::WST2005,
        }
    }

    fn key_type(self) -> &'static str {
        match self {
            Self::Trust13 => "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer",
            Self::Trust2005 => "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey",
        }
    }

    fn request_type(self) -> &'static str {
        match self {
            Self::Trust13 => "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
            Self::Trust2005 => "http://schemas.xmlsoap.org/ws/2005/02/trust/Issue",
        }
    }
}

/// The Issue request for a Windows-integrated endpoint: a bearer token for `cloud_audience_urn`, no credentials in the
/// message (the HTTP layer carries the Negotiate token).
pub fn windows_integrated_request(
    endpoint: &url::Url,
    version: WsTrustVersion,
    cloud_audience_urn: &str,
    message_id: uuid::Uuid,
) -> String {
    envelope(endpoint, version, cloud_audience_urn, message_id, "")
}

/// The Issue request for a username/password (`usernamemixed`) endpoint: the credentials in a WS-Security
/// `UsernameToken`, valid for 10 minutes from `now` (epoch seconds), as MSAL .NET and MSAL Python send it. The password is
/// XML-escaped; the message carries a secret and is never logged.
pub fn username_password_request(
    endpoint: &url::Url,
    version: WsTrustVersion,
    cloud_audience_urn: &str,
    username: &str,
    password: &crate::secret::Password,
    message_id: uuid::Uuid,
    now: u64,
) -> crate::secret::Password {
    let security = format!(
        concat!(
            r#"<wsse:Security s:mustUnderstand="1" xmlns:wsse="{wsse}">"#,
            r#"<wsu:Timestamp wsu:Id="MSATimeStamp"><wsu:Created>{created}</wsu:Created><wsu:Expires>{expires}</wsu:Expires></wsu:Timestamp>"#,
            r#"<wsse:UsernameToken wsu:Id="UnPwSecTok-{id}"><wsse:Username>{username}</wsse:Username>"#,
            r#"<wsse:Password>{password}</wsse:Password></wsse:UsernameToken></wsse:Security>"#
        ),
        wsse = ns::WSSE,
        created = utc_timestamp(now),
        expires = utc_timestamp(now.saturating_add(600)),
        id = message_id,
        username = xml_escape(username),
        password = xml_escape(password.secret()),
    );
    crate::secret::Password::new(envelope(
        endpoint,
        version,
        cloud_audience_urn,
        message_id,
        &security,
    ))
}

/// MSAL .NET's Issue envelope, element for element, with `security` (a `wsse:Security` header, or nothing) last in
/// the header.
fn envelope(
    endpoint: &url::Url,
    version: WsTrustVersion,
    cloud_audience_urn: &str,
    message_id: uuid::Uuid,
    security: &str,
) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="utf-8"?>"#,
            r#"<s:Envelope xmlns:wsa="{wsa}" xmlns:wsu="{wsu}" xmlns:s="{s}">"#,
            r#"<s:Header><wsa:Action s:mustUnderstand="1">{action}</wsa:Action>"#,
            r#"<wsa:messageID>urn:uuid:{id}</wsa:messageID>"#,
            r#"<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>"#,
            r#"<wsa:To s:mustUnderstand="1">{to}</wsa:To>{security}</s:Header>"#,
            r#"<s:Body><wst:RequestSecurityToken xmlns:wst="{wst}">"#,
            r#"<wsp:AppliesTo xmlns:wsp="{wsp}"><wsa:EndpointReference><wsa:Address>{audience}</wsa:Address>"#,
            r#"</wsa:EndpointReference></wsp:AppliesTo>"#,
            r#"<wst:KeyType>{key_type}</wst:KeyType><wst:RequestType>{request_type}</wst:RequestType>"#,
            r#"</wst:RequestSecurityToken></s:Body></s:Envelope>"#
        ),
        wsa = ns::WSA10,
        wsu = ns::WSU,
        s = ns::SOAP12,
        action = version.action(),
        id = message_id,
        to = xml_escape(endpoint.as_str()),
        security = security,
        wst = version.namespace(),
        wsp = ns::WSP,
        audience = xml_escape(cloud_audience_urn),
        key_type = version.key_type(),
        request_type = version.request_type(),
    )
}

/// `YYYY-MM-DDThh:mm:ssZ` for epoch seconds (proleptic Gregorian, UTC; Hinnant's `civil_from_days`).
fn utc_timestamp(epoch: u64) -> String {
    let days = (epoch / 86_400) as i64;
    let seconds = epoch % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3_600,
        seconds % 3_600 / 60,
        seconds % 60
    )
}

/// The SAML version of an assertion, which picks the bearer grant it is redeemed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamlTokenType {
    Saml11,
    Saml20,
}

impl SamlTokenType {
    /// RFC 7522's grant for SAML 2.0; Entra's own `saml1_1-bearer` for SAML 1.1.
    pub fn grant_type(self) -> &'static str {
        match self {
            Self::Saml11 => "urn:ietf:params:oauth:grant-type:saml1_1-bearer",
            Self::Saml20 => "urn:ietf:params:oauth:grant-type:saml2-bearer",
        }
    }
}

/// A SAML assertion from the federation server: a bearer credential for the user, so a secret.
#[derive(Debug, Clone)]
pub struct SamlAssertion {
    pub token_type: SamlTokenType,
    /// The assertion's XML, exactly as the server wrote it (its signature covers these bytes).
    pub xml: SecretBytes,
}

impl SamlAssertion {
    /// The `assertion` parameter: the XML in standard base64 with padding (as MSAL .NET and MSAL Python send it).
    pub fn form_value(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.xml.secret())
    }
}

/// Why the federation server gave no assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsTrustFailure {
    /// A SOAP fault: its subcode (`a:FailedAuthentication`, …) and reason text.
    Fault { code: String, reason: String },
    /// Something that is neither an assertion nor a fault.
    Malformed(String),
}

/// Parses the answer to an Issue request.
pub fn parse_response(body: &[u8]) -> Result<SamlAssertion, WsTrustFailure> {
    let text = std::str::from_utf8(body)
        .map_err(|_| WsTrustFailure::Malformed("the answer is not UTF-8".into()))?;
    let doc = super::parse_xml(text).map_err(WsTrustFailure::Malformed)?;
    let named = |node: &roxmltree::Node<'_, '_>, local: &str| {
        node.is_element() && node.tag_name().name() == local
    };
    for rstr in doc
        .descendants()
        .filter(|n| named(n, "RequestSecurityTokenResponse"))
    {
        let token_type = rstr
            .descendants()
            .find(|n| named(n, "TokenType"))
            .and_then(|n| n.text())
            .map(str::trim);
        let token = rstr
            .descendants()
            .find(|n| named(n, "RequestedSecurityToken"))
            .and_then(|n| n.children().find(roxmltree::Node::is_element));
        let (Some(token_type), Some(token)) = (token_type, token) else {
            continue;
        };
        let token_type = match token_type {
            "urn:oasis:names:tc:SAML:1.0:assertion" => SamlTokenType::Saml11,
            "urn:oasis:names:tc:SAML:2.0:assertion"
            | "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0" => {
                SamlTokenType::Saml20
            }
            other => {
                return Err(WsTrustFailure::Malformed(format!(
                    "the federation server issued a token of an unknown type ({})",
                    crate::text::displayable(other)
                )));
            }
        };
        return Ok(SamlAssertion {
            token_type,
            xml: SecretBytes::new(text[token.range()].as_bytes().to_vec()),
        });
    }
    let fault = doc
        .descendants()
        .find(|n| n.has_tag_name((ns::SOAP12, "Fault")));
    match fault {
        Some(fault) => {
            let text_of = |path: &[&str]| {
                let mut node = Some(fault);
                for step in path {
                    node = node
                        .and_then(|n| n.children().find(|c| c.has_tag_name((ns::SOAP12, *step))));
                }
                node.and_then(|n| n.text())
                    .map(str::trim)
                    .unwrap_or("")
                    .to_owned()
            };
            Err(WsTrustFailure::Fault {
                code: crate::text::displayable(&text_of(&["Code", "Subcode", "Value"])),
                reason: crate::text::displayable(&text_of(&["Reason", "Text"])),
            })
        }
        None => Err(WsTrustFailure::Malformed(
            "the answer holds neither a token nor a fault".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_msal_dotnets_message_for_both_versions() {
        let endpoint =
            url::Url::parse("https://sts.corp.example/adfs/services/trust/13/windowstransport")
                .expect("as the test wrote it");
        let id = uuid::Uuid::parse_str("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0")
            .expect("as the test wrote it");
        let message = windows_integrated_request(
            &endpoint,
            WsTrustVersion::Trust13,
            "urn:federation:MicrosoftOnline",
            id,
        );
        assert!(message.starts_with(r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:wsa="http://www.w3.org/2005/08/addressing""#));
        for part in [
            r#"<wsa:Action s:mustUnderstand="1">http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue</wsa:Action>"#,
            "<wsa:messageID>urn:uuid:0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0</wsa:messageID>",
            r#"<wsa:To s:mustUnderstand="1">https://sts.corp.example/adfs/services/trust/13/windowstransport</wsa:To></s:Header>"#,
            r#"<wst:RequestSecurityToken xmlns:wst="http://docs.oasis-open.org/ws-sx/ws-trust/200512">"#,
            "<wsa:Address>urn:federation:MicrosoftOnline</wsa:Address>",
            "<wst:KeyType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer</wst:KeyType>",
            "<wst:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</wst:RequestType>",
        ] {
            assert!(message.contains(part), "missing {part}");
        }
        assert!(
            !message.contains("UsernameToken"),
            "no credentials in the message"
        );
        assert!(super::super::parse_xml(&message).is_ok(), "well-formed");
        let old = windows_integrated_request(&endpoint, WsTrustVersion::Trust2005, "urn:a&b", id);
        assert!(old.contains("http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue"));
        assert!(old.contains("http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey"));
        assert!(old.contains("<wsa:Address>urn:a&amp;b</wsa:Address>"));
    }

    #[test]
    fn the_username_password_request_carries_an_escaped_username_token_for_ten_minutes() {
        let endpoint =
            url::Url::parse("https://sts.corp.example/adfs/services/trust/13/usernamemixed")
                .expect("url");
        let id = uuid::Uuid::parse_str("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0").expect("uuid");
        let message = username_password_request(
            &endpoint,
            WsTrustVersion::Trust13,
            "urn:federation:MicrosoftOnline",
            "ann@corp.example",
            &crate::secret::Password::new("p<&>'\"w"),
            id,
            1_538_475_330, // 2018-10-02T10:15:30Z
        );
        let text = message.secret();
        for part in [
            "<wsu:Created>2018-10-02T10:15:30Z</wsu:Created><wsu:Expires>2018-10-02T10:25:30Z</wsu:Expires>",
            "<wsse:Username>ann@corp.example</wsse:Username>",
            "<wsse:Password>p&lt;&amp;&gt;&apos;&quot;w</wsse:Password>",
            "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue",
        ] {
            assert!(text.contains(part), "missing {part}");
        }
        assert!(super::super::parse_xml(text).is_ok(), "well-formed");
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert!(!format!("{message:?}").contains("p<&"), "a secret's Debug");
    }

    const ASSERTION: &str = r#"<saml:Assertion MajorVersion="1" MinorVersion="1" AssertionID="_a1" xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion"><saml:Conditions  NotOnOrAfter="2026-12-06T04:00:00Z"/><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">sig</ds:Signature></saml:Assertion>"#;

    #[test]
    fn the_assertion_is_taken_byte_for_byte() {
        let body = format!(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><trust:RequestSecurityTokenResponseCollection xmlns:trust="http://docs.oasis-open.org/ws-sx/ws-trust/200512"><trust:RequestSecurityTokenResponse><trust:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</trust:TokenType><trust:RequestedSecurityToken>{ASSERTION}</trust:RequestedSecurityToken></trust:RequestSecurityTokenResponse></trust:RequestSecurityTokenResponseCollection></s:Body></s:Envelope>"#
        );
        let assertion = parse_response(body.as_bytes()).expect("as the test wrote it");
        assert_eq!(assertion.token_type, SamlTokenType::Saml11);
        assert_eq!(
            assertion.xml.secret(),
            ASSERTION.as_bytes(),
            "the double space survives"
        );
        assert_eq!(
            assertion.token_type.grant_type(),
            "urn:ietf:params:oauth:grant-type:saml1_1-bearer"
        );
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(assertion.form_value())
                .expect("as the test wrote it"),
            ASSERTION.as_bytes()
        );
        assert!(
            !format!("{assertion:?}").contains("Signature"),
            "Debug is redacted"
        );
    }

    #[test]
    fn a_soap_fault_is_its_code_and_reason() {
        let fault = br#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://docs.oasis-open.org/ws-sx/ws-trust/200512"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>a:FailedAuthentication</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">MSIS3127: The specified request failed.</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"#;
        assert_eq!(
            parse_response(fault).expect_err("a fault"),
            WsTrustFailure::Fault {
                code: "a:FailedAuthentication".into(),
                reason: "MSIS3127: The specified request failed.".into()
            }
        );
        assert!(matches!(
            parse_response(b"<html/>"),
            Err(WsTrustFailure::Malformed(_))
        ));
        assert!(matches!(
            parse_response(&[0xff, 0xfe]),
            Err(WsTrustFailure::Malformed(_))
        ));
    }
}
