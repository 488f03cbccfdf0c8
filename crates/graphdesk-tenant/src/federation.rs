//! Federated sign-in as Entra and AD FS do it, for Integrated Windows Authentication and for username/password:
//! user realm discovery
//! (`/common/userrealm/{user}?api-version=1.0`: federated, managed or unknown), the federation server's metadata
//! (`/adfs/services/trust/mex`) and its Windows-integrated WS-Trust endpoints (`/adfs/services/trust/{13,2005}/
//! windowstransport`), which take a Negotiate token over HTTP, and username/password ones (`…/usernamemixed`), which take
//! a WS-Security UsernameToken in the message; both answer with a SAML 1.1 assertion. The token endpoint
//! redeems the assertion with the `saml1_1-bearer` grant ([`redeem_assertion`]).
//!
//! Strict where Entra and AD FS are: no `Authorization: Negotiate` (or an unknown ticket) is a `401` with
//! `WWW-Authenticate: Negotiate`; a SOAP body must be `application/soap+xml`, carry the endpoint's WS-Trust action and
//! ask for Entra's audience; an assertion is redeemable only byte for byte as issued (standing in for its XML
//! signature) and only until it expires. The one convenience, the test ticket that stands in for Kerberos, lives in the
//! directory ([`crate::directory::User::with_windows_ticket`]).

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;

use crate::clock::iso8601;
use crate::directory::User;
use crate::http::Origin;
use crate::oauth_error::OAuthError;
use crate::tenant::Tenant;

/// The audience Entra's relying-party trust has at AD FS.
pub const ENTRA_AUDIENCE: &str = "urn:federation:MicrosoftOnline";
/// The federation server's issuer name in its assertions.
pub const FEDERATION_ISSUER: &str = "http://corp.contoso.example/adfs/services/trust";
/// How long an issued assertion can be redeemed (AD FS: 1 hour by default).
const ASSERTION_LIFETIME: u64 = 3_600;
const ACTION_13: &str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue";
const ACTION_2005: &str = "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue";
const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
const WSA: &str = "http://www.w3.org/2005/08/addressing";
const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

/// An assertion the federation server issued, as the token endpoint checks it.
#[derive(Debug, Clone)]
pub struct IssuedAssertion {
    pub xml: Vec<u8>,
    pub user_oid: String,
    pub expires: u64,
}

/// `GET /common/userrealm/{username}?api-version=1.0`
pub async fn user_realm(
    State(tenant): State<Arc<Tenant>>,
    Extension(Origin(origin)): Extension<Origin>,
    Path(username): Path<String>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if query.get("api-version").map(String::as_str) != Some("1.0") {
        return OAuthError::new(
            "invalid_request",
            90_014,
            "The required field 'api-version' is missing or not supported.",
        )
        .response(tenant.clock.now(), "");
    }
    let directory = tenant.directory();
    let domain = username.rsplit_once('@').map_or("", |(_, d)| d);
    let body = if let Some(federated) = directory.federated_domain_of(&username) {
        json!({
            "ver": "1.0",
            "account_type": "Federated",
            "domain_name": federated.domain,
            "federation_protocol": "WSTrust",
            "federation_metadata_url": format!("{origin}/adfs/services/trust/mex"),
            "federation_active_auth_url": format!("{origin}/adfs/services/trust/2005/usernamemixed"),
            "cloud_instance_name": "microsoftonline.com",
            "cloud_audience_urn": ENTRA_AUDIENCE,
        })
    } else if let Some(managed) = directory
        .tenants
        .iter()
        .find(|t| !domain.is_empty() && t.domain.eq_ignore_ascii_case(domain))
    {
        json!({
            "ver": "1.0",
            "account_type": "Managed",
            "domain_name": managed.domain,
            "cloud_instance_name": "microsoftonline.com",
            "cloud_audience_urn": ENTRA_AUDIENCE,
        })
    } else {
        json!({"ver": "1.0", "account_type": "Unknown", "cloud_instance_name": "microsoftonline.com"})
    };
    axum::Json(body).into_response()
}

/// `GET /adfs/services/trust/mex`: the Windows-integrated endpoints at WS-Trust 1.3 and 2005.
pub async fn mex(Extension(Origin(origin)): Extension<Origin>) -> Response {
    let port = |name: &str, binding: &str, path: &str| {
        format!(
            r#"<wsdl:port name="{name}" binding="tns:{binding}"><wsa10:EndpointReference><wsa10:Address>{origin}/adfs/services/trust/{path}</wsa10:Address></wsa10:EndpointReference></wsdl:port>"#
        )
    };
    let binding = |name: &str, policy: &str, action: &str| {
        format!(
            r##"<wsdl:binding name="{name}" type="tns:IWSTrust"><wsp:PolicyReference URI="#{policy}"/><soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/><wsdl:operation name="Issue"><soap12:operation soapAction="{action}" style="document"/></wsdl:operation></wsdl:binding>"##
        )
    };
    let document = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><wsdl:definitions name="SecurityTokenService" targetNamespace="http://tempuri.org/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" xmlns:wsa10="http://www.w3.org/2005/08/addressing" xmlns:http="http://schemas.microsoft.com/ws/06/2004/policy/http" xmlns:sp="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702" xmlns:tns="http://tempuri.org/"><wsp:Policy wsu:Id="WindowsTransport_policy"><wsp:ExactlyOne><wsp:All><http:NegotiateAuthentication/><sp:TransportBinding><wsp:Policy><sp:TransportToken><wsp:Policy><sp:HttpsToken/></wsp:Policy></sp:TransportToken></wsp:Policy></sp:TransportBinding></wsp:All></wsp:ExactlyOne></wsp:Policy><wsp:Policy wsu:Id="UserNameMixed_policy"><wsp:ExactlyOne><wsp:All><sp:TransportBinding><wsp:Policy><sp:TransportToken><wsp:Policy><sp:HttpsToken/></wsp:Policy></sp:TransportToken></wsp:Policy></sp:TransportBinding><sp:SignedEncryptedSupportingTokens><wsp:Policy><sp:UsernameToken sp:IncludeToken="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702/IncludeToken/AlwaysToRecipient"><wsp:Policy><sp:WssUsernameToken10/></wsp:Policy></sp:UsernameToken></wsp:Policy></sp:SignedEncryptedSupportingTokens></wsp:All></wsp:ExactlyOne></wsp:Policy>{b2005}{b13}{u2005}{u13}<wsdl:service name="SecurityTokenService">{p2005}{p13}{q2005}{q13}</wsdl:service></wsdl:definitions>"#,
        b2005 = binding(
            "WindowsTransport2005",
            "WindowsTransport_policy",
            ACTION_2005
        ),
        b13 = binding("WindowsTransport13", "WindowsTransport_policy", ACTION_13),
        u2005 = binding("UserNameMixed2005", "UserNameMixed_policy", ACTION_2005),
        u13 = binding("UserNameMixed13", "UserNameMixed_policy", ACTION_13),
        p2005 = port("WT2005", "WindowsTransport2005", "2005/windowstransport"),
        p13 = port("WT13", "WindowsTransport13", "13/windowstransport"),
        q2005 = port("UM2005", "UserNameMixed2005", "2005/usernamemixed"),
        q13 = port("UM13", "UserNameMixed13", "13/usernamemixed"),
    );
    (
        [(header::CONTENT_TYPE, "application/soap+xml; charset=utf-8")],
        document,
    )
        .into_response()
}

/// The WS-Trust action of an endpoint version (`13` or `2005`).
fn action_of(version: &str) -> Option<&'static str> {
    match version {
        "13" => Some(ACTION_13),
        "2005" => Some(ACTION_2005),
        _ => None,
    }
}

/// Why a WS-Trust request is refused before it is read for credentials.
enum Refusal {
    UnknownVersion,
    NotSoap,
    Fault(&'static str),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::UnknownVersion => StatusCode::NOT_FOUND.into_response(),
            Self::NotSoap => StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response(),
            Self::Fault(reason) => fault(reason),
        }
    }
}

/// What every WS-Trust endpoint checks first: a known version (404), a SOAP 1.2 body (415), the version's action and
/// Entra's audience (a SOAP fault). The action, when all is well.
fn soap_request(version: &str, headers: &HeaderMap, body: &[u8]) -> Result<&'static str, Refusal> {
    let action = action_of(version).ok_or(Refusal::UnknownVersion)?;
    let soap = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/soap+xml"));
    if !soap {
        return Err(Refusal::NotSoap);
    }
    check_request(body, action).map_err(Refusal::Fault)?;
    Ok(action)
}

/// `POST /adfs/services/trust/{13|2005}/windowstransport`
pub async fn windows_transport(
    State(tenant): State<Arc<Tenant>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if action_of(&version).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    // IIS asks for Negotiate before it reads the body.
    let Some(user) = negotiated_user(&tenant, &headers) else {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Negotiate")],
        )
            .into_response();
    };
    match soap_request(&version, &headers, &body) {
        Ok(action) => issue(
            &tenant,
            &user,
            action,
            "urn:federation:authentication:windows",
        ),
        Err(refused) => refused.into_response(),
    }
}

/// `POST /adfs/services/trust/{13|2005}/usernamemixed`: the password in a WS-Security UsernameToken, checked against
/// the federated user's; the message's timestamp must not have expired.
pub async fn username_mixed(
    State(tenant): State<Arc<Tenant>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let action = match soap_request(&version, &headers, &body) {
        Ok(action) => action,
        Err(refused) => return refused.into_response(),
    };
    match password_user(&tenant, &body) {
        Some(user) => issue(
            &tenant,
            &user,
            action,
            "urn:oasis:names:tc:SAML:1.0:am:password",
        ),
        None => fault("ID3242: The security token could not be authenticated or authorized."),
    }
}

/// The federated user a UsernameToken names, when its password is theirs and the message has not expired.
fn password_user(tenant: &Tenant, body: &[u8]) -> Option<User> {
    let text = std::str::from_utf8(body).ok()?;
    let doc = roxmltree::Document::parse(text).ok()?;
    let text_of = |local: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name((WSSE, local)))
            .and_then(|n| n.text())
            .map(str::to_owned)
    };
    let expires = doc
        .descendants()
        .find(|n| n.tag_name().name() == "Expires")
        .and_then(|n| n.text())
        .and_then(crate::clock::parse_iso8601)?;
    if tenant.clock.now() >= expires {
        return None;
    }
    let (username, password) = (text_of("Username")?, text_of("Password")?);
    let directory = tenant.directory();
    directory.federated_domain_of(&username)?;
    directory
        .user_by_upn(&username)
        .filter(|u| u.password == password)
        .cloned()
}

/// An RSTR with a fresh SAML 1.1 assertion for `user`, recorded for the token endpoint.
fn issue(tenant: &Tenant, user: &User, action: &str, authentication_method: &str) -> Response {
    let now = tenant.clock.now();
    let (id, xml) = assertion(user, now, FEDERATION_ISSUER, authentication_method);
    tenant.store().assertions.insert(
        id,
        IssuedAssertion {
            xml: xml.clone().into_bytes(),
            user_oid: user.object_id.clone(),
            expires: now + ASSERTION_LIFETIME,
        },
    );
    let (trust, collection_open, collection_close) = if action == ACTION_13 {
        (
            "http://docs.oasis-open.org/ws-sx/ws-trust/200512",
            "<trust:RequestSecurityTokenResponseCollection>",
            "</trust:RequestSecurityTokenResponseCollection>",
        )
    } else {
        ("http://schemas.xmlsoap.org/ws/2005/02/trust", "", "")
    };
    let response = format!(
        r#"<s:Envelope xmlns:s="{SOAP12}" xmlns:a="{WSA}"><s:Header><a:Action s:mustUnderstand="1">{action}Final</a:Action></s:Header><s:Body xmlns:trust="{trust}">{collection_open}<trust:RequestSecurityTokenResponse><trust:Lifetime><wsu:Created xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">{created}Z</wsu:Created></trust:Lifetime><wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"><a:EndpointReference><a:Address>{ENTRA_AUDIENCE}</a:Address></a:EndpointReference></wsp:AppliesTo><trust:RequestedSecurityToken>{xml}</trust:RequestedSecurityToken><trust:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</trust:TokenType><trust:RequestType>{trust}/Issue</trust:RequestType><trust:KeyType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer</trust:KeyType></trust:RequestSecurityTokenResponse>{collection_close}</s:Body></s:Envelope>"#,
        created = iso8601(now),
    );
    (
        [(header::CONTENT_TYPE, "application/soap+xml; charset=utf-8")],
        response,
    )
        .into_response()
}

/// The federated user whose ticket the `Authorization: Negotiate` header carries.
fn negotiated_user(tenant: &Tenant, headers: &HeaderMap) -> Option<User> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("negotiate") {
        return None;
    }
    let ticket = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let ticket = String::from_utf8(ticket).ok()?;
    tenant.directory().user_by_windows_ticket(&ticket).cloned()
}

/// The RST must carry this endpoint's action and ask for Entra's audience (AD FS: MSIS7007 otherwise).
fn check_request(body: &[u8], action: &str) -> Result<(), &'static str> {
    let text = std::str::from_utf8(body).map_err(|_| "The request is not UTF-8.")?;
    let doc =
        roxmltree::Document::parse(text).map_err(|_| "The request is not well-formed XML.")?;
    let sent_action = doc
        .descendants()
        .find(|n| n.has_tag_name((WSA, "Action")))
        .and_then(|n| n.text())
        .map(str::trim);
    if sent_action != Some(action) {
        return Err("ID3242: The message action is not supported by this endpoint.");
    }
    let audience = doc
        .descendants()
        .find(|n| n.tag_name().name() == "AppliesTo")
        .and_then(|n| n.descendants().find(|a| a.has_tag_name((WSA, "Address"))))
        .and_then(|n| n.text())
        .map(str::trim);
    if audience != Some(ENTRA_AUDIENCE) {
        return Err("MSIS7007: The requested relying party trust is unspecified or unsupported.");
    }
    Ok(())
}

fn fault(reason: &str) -> Response {
    let body = format!(
        r#"<s:Envelope xmlns:s="{SOAP12}"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:a="http://docs.oasis-open.org/ws-sx/ws-trust/200512">a:InvalidRequest</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">{reason}</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"#
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "application/soap+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A SAML 1.1 assertion for `user`, as AD FS writes one for Entra (ImmutableID and UPN claims, Windows
/// authentication). Its `ds:Signature` is a placeholder: the token endpoint checks the bytes against what was issued.
fn assertion(user: &User, now: u64, issuer: &str, authentication_method: &str) -> (String, String) {
    let id = format!("_{}", uuid::Uuid::new_v4());
    let (start, end) = (iso8601(now), iso8601(now + ASSERTION_LIFETIME));
    let immutable_id = base64::engine::general_purpose::STANDARD.encode(user.object_id.as_bytes());
    let xml = format!(
        r#"<saml:Assertion MajorVersion="1" MinorVersion="1" AssertionID="{id}" Issuer="{issuer}" IssueInstant="{start}Z" xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion"><saml:Conditions NotBefore="{start}Z" NotOnOrAfter="{end}Z"><saml:AudienceRestrictionCondition><saml:Audience>{ENTRA_AUDIENCE}</saml:Audience></saml:AudienceRestrictionCondition></saml:Conditions><saml:AttributeStatement><saml:Subject><saml:NameIdentifier Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">{immutable_id}</saml:NameIdentifier><saml:SubjectConfirmation><saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:bearer</saml:ConfirmationMethod></saml:SubjectConfirmation></saml:Subject><saml:Attribute AttributeName="UPN" AttributeNamespace="http://schemas.xmlsoap.org/claims"><saml:AttributeValue>{upn}</saml:AttributeValue></saml:Attribute><saml:Attribute AttributeName="ImmutableID" AttributeNamespace="http://schemas.microsoft.com/LiveID/Federation/2008/05"><saml:AttributeValue>{immutable_id}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement><saml:AuthenticationStatement AuthenticationMethod="{authentication_method}" AuthenticationInstant="{start}Z"><saml:Subject><saml:NameIdentifier Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">{immutable_id}</saml:NameIdentifier></saml:Subject></saml:AuthenticationStatement><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignatureValue>{sig}</ds:SignatureValue></ds:Signature></saml:Assertion>"#,
        upn = user.upn,
        sig = crate::crypto::random_token(32),
    );
    (id, xml)
}

/// The `saml1_1-bearer` grant's assertion, checked: standard base64 of an assertion this federation server issued,
/// unchanged and unexpired. Returns the user it names.
pub fn redeem_assertion(
    tenant: &Tenant,
    grant_type: &str,
    encoded: &str,
) -> Result<User, OAuthError> {
    let invalid = |detail: &str| {
        OAuthError::new(
            "invalid_grant",
            50_008,
            format!("SAML token is invalid. {detail}"),
        )
    };
    if grant_type != "urn:ietf:params:oauth:grant-type:saml1_1-bearer" {
        // The emulated AD FS issues SAML 1.1 only; a SAML 2.0 grant cannot carry one of its assertions.
        return Err(invalid("The assertion is not a SAML 2.0 assertion."));
    }
    let xml = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| invalid("The assertion is not base64-encoded."))?;
    let text =
        String::from_utf8(xml.clone()).map_err(|_| invalid("The assertion is not UTF-8."))?;
    let id = roxmltree::Document::parse(&text)
        .ok()
        .and_then(|doc| {
            doc.root_element()
                .attribute("AssertionID")
                .map(str::to_owned)
        })
        .ok_or_else(|| invalid("The assertion could not be parsed."))?;
    let issued = tenant.store().assertions.get(&id).cloned();
    let Some(issued) = issued.filter(|a| a.xml == xml) else {
        return Err(OAuthError::new(
            "invalid_grant",
            50_008,
            "SAML token is invalid. Unable to verify the token signature: the assertion was not issued by a trusted federation server or was changed.",
        ));
    };
    if tenant.clock.now() >= issued.expires {
        return Err(OAuthError::new(
            "invalid_grant",
            50_013,
            "Assertion failed signature validation. The assertion has expired.",
        ));
    }
    tenant
        .directory()
        .user_by_oid(&issued.user_oid)
        .cloned()
        .ok_or_else(|| invalid("The user named by the assertion does not exist."))
}
