//! The wire formats of federated sign-in, as Integrated Windows Authentication uses them: the identity platform's user
//! realm discovery (is the user's domain managed or federated, and where is its federation server), the federation
//! server's WS-MetadataExchange document (which WS-Trust endpoint takes a Windows/Kerberos sign-in), and the WS-Trust
//! request and response that trade that sign-in for a SAML assertion. Plain functions over text: no I/O here.
//!
//! Behaviour follows MSAL .NET, the one MSAL that implements IWA (MSAL Python and msal-node do WS-Trust only for
//! username/password): WS-Trust 1.3 endpoints are preferred over 2005 ones, only `https` endpoints are used, and the
//! assertion is passed on byte for byte (its XML signature covers the exact text).

pub mod mex;
pub mod realm;
pub mod wstrust;

pub use mex::{WsTrustEndpoint, username_password_endpoint, windows_transport_endpoint};
pub use realm::{AccountType, UserRealm};
pub use wstrust::{SamlAssertion, SamlTokenType, WsTrustVersion};

/// The namespaces these documents use.
pub(crate) mod ns {
    pub const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
    pub const SOAP12_WSDL: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";
    pub const WSP: &str = "http://schemas.xmlsoap.org/ws/2004/09/policy";
    pub const WSU: &str =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    pub const WSA10: &str = "http://www.w3.org/2005/08/addressing";
    pub const WSSE: &str =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    pub const HTTP_POLICY: &str = "http://schemas.microsoft.com/ws/06/2004/policy/http";
    pub const SP: &str = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702";
    pub const SP2005: &str = "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy";
    pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
    pub const WST13: &str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
    pub const WST2005: &str = "http://schemas.xmlsoap.org/ws/2005/02/trust";
    /// The transport a usable SOAP binding names.
    pub const SOAP_HTTP_TRANSPORT: &str = "http://schemas.xmlsoap.org/soap/http";
}

/// Escapes text for an XML element or a quoted attribute.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Parses XML, refusing DTDs (no entity expansion from a hostile server).
pub(crate) fn parse_xml(text: &str) -> Result<roxmltree::Document<'_>, String> {
    roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            ..roxmltree::ParsingOptions::default()
        },
    )
    .map_err(|e| format!("not well-formed XML ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_the_five_xml_specials() {
        assert_eq!(xml_escape(r#"a&b<c>"d'"#), "a&amp;b&lt;c&gt;&quot;d&apos;");
    }

    #[test]
    fn documents_with_a_dtd_are_refused() {
        let billion = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">]><l>&a;</l>"#;
        assert!(parse_xml(billion).is_err());
        assert!(parse_xml("<ok/>").is_ok());
    }
}
