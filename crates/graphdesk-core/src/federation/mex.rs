//! The federation server's WS-MetadataExchange (MEX) document: a WSDL whose policies say how each binding
//! authenticates. A policy with `http:NegotiateAuthentication` (and a transport binding) is Windows-integrated; its
//! bindings name the WS-Trust version through their `soapAction`; the service's ports give the endpoint addresses.

use roxmltree::{Document, Node};
use url::Url;

use super::ns;
use super::wstrust::WsTrustVersion;

/// A WS-Trust endpoint that accepts a Windows (Negotiate) sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsTrustEndpoint {
    pub url: Url,
    pub version: WsTrustVersion,
}

fn child<'a, 'i>(node: Node<'a, 'i>, namespace: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.has_tag_name((namespace, name)))
}

fn children<'a, 'i>(
    node: Node<'a, 'i>,
    namespace: &'a str,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |c| c.is_element() && c.has_tag_name((namespace, name)))
}

/// How a WS-Trust endpoint wants the user authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Authentication {
    /// HTTP Negotiate (`windowstransport`): Integrated Windows Authentication.
    Windows,
    /// A WS-Security UsernameToken in the message (`usernamemixed`): username and password.
    UsernamePassword,
}

/// Whether `all` (a `wsp:All`) asks for a username token: `{sp|sp2005}:Signed[Encrypted]SupportingTokens/wsp:Policy/
/// UsernameToken/wsp:Policy/WssUsernameToken10`, as MSAL .NET and MSAL Python walk it.
fn asks_for_username_token(all: Node<'_, '_>) -> bool {
    [
        (ns::SP, "SignedEncryptedSupportingTokens"),
        (ns::SP2005, "SignedSupportingTokens"),
    ]
    .into_iter()
    .any(|(namespace, supporting)| {
        children(all, namespace, supporting)
            .flat_map(|t| children(t, ns::WSP, "Policy").collect::<Vec<_>>())
            .flat_map(|p| children(p, namespace, "UsernameToken").collect::<Vec<_>>())
            .flat_map(|u| children(u, ns::WSP, "Policy").collect::<Vec<_>>())
            .any(|p| child(p, namespace, "WssUsernameToken10").is_some())
    })
}

/// The ids (`#id`) of the policies (`wsp:Policy[@wsu:Id]` with a transport binding) that authenticate as `wanted`.
fn policy_ids(doc: &Document<'_>, wanted: Authentication) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name((ns::WSP, "Policy")))
        .filter_map(|policy| {
            let id = policy.attribute((ns::WSU, "Id"))?;
            let mut alls = children(policy, ns::WSP, "ExactlyOne")
                .flat_map(|one| children(one, ns::WSP, "All").collect::<Vec<_>>());
            let matches = alls.any(|all| match wanted {
                Authentication::Windows => {
                    child(all, ns::HTTP_POLICY, "NegotiateAuthentication").is_some()
                }
                Authentication::UsernamePassword => asks_for_username_token(all),
            });
            let transport = policy.descendants().any(|n| {
                n.has_tag_name((ns::SP, "TransportBinding"))
                    || n.has_tag_name((ns::SP2005, "TransportBinding"))
            });
            (matches && transport).then(|| format!("#{id}"))
        })
        .collect()
}

/// Binding name → WS-Trust version, for SOAP-over-HTTP bindings that reference one of `policies`.
fn bindings(doc: &Document<'_>, policies: &[String]) -> Vec<(String, WsTrustVersion)> {
    let root = doc.root_element();
    doc.descendants()
        .filter(|n| n.has_tag_name((ns::WSDL, "binding")) && n.parent() == Some(root))
        .filter_map(|binding| {
            let name = binding.attribute("name")?;
            let references = children(binding, ns::WSP, "PolicyReference")
                .filter_map(|r| r.attribute("URI"))
                .any(|uri| policies.iter().any(|p| p == uri));
            let transport = child(binding, ns::SOAP12_WSDL, "binding")
                .and_then(|b| b.attribute("transport"))
                .is_some_and(|t| t.eq_ignore_ascii_case(ns::SOAP_HTTP_TRANSPORT));
            let action = child(binding, ns::WSDL, "operation")
                .and_then(|op| child(op, ns::SOAP12_WSDL, "operation"))
                .and_then(|op| op.attribute("soapAction"))?;
            let version = WsTrustVersion::from_action(action)?;
            (references && transport).then(|| (name.to_owned(), version))
        })
        .collect()
}

/// The Windows-integrated WS-Trust endpoint the document names: WS-Trust 1.3 before 2005 (as MSAL .NET), and only an
/// `https` address (a plain-http endpoint would carry the Kerberos ticket and the assertion in the clear).
pub fn windows_transport_endpoint(mex: &str) -> Result<Option<WsTrustEndpoint>, String> {
    endpoint(mex, Authentication::Windows)
}

/// The username/password (`usernamemixed`) WS-Trust endpoint the document names, chosen the same way: 1.3 first,
/// https only (the password travels in the message).
pub fn username_password_endpoint(mex: &str) -> Result<Option<WsTrustEndpoint>, String> {
    endpoint(mex, Authentication::UsernamePassword)
}

fn endpoint(mex: &str, wanted: Authentication) -> Result<Option<WsTrustEndpoint>, String> {
    let doc = super::parse_xml(mex)?;
    let policies = policy_ids(&doc, wanted);
    let bindings = bindings(&doc, &policies);
    let mut endpoints: Vec<WsTrustEndpoint> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ns::WSDL, "service")))
        .flat_map(|service| children(service, ns::WSDL, "port").collect::<Vec<_>>())
        .filter_map(|port| {
            let binding = port.attribute("binding")?;
            let local = binding.split_once(':').map_or(binding, |(_, name)| name);
            let version = bindings.iter().find(|(name, _)| name == local)?.1;
            let address = child(port, ns::WSA10, "EndpointReference")
                .and_then(|r| child(r, ns::WSA10, "Address"))
                .and_then(|a| a.text())?;
            let url = Url::parse(address.trim()).ok()?;
            (url.scheme() == "https").then_some(WsTrustEndpoint { url, version })
        })
        .collect();
    endpoints.sort_by_key(|e| e.version != WsTrustVersion::Trust13);
    Ok(endpoints.into_iter().next())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A MEX document in AD FS's shape: a Windows-integrated policy bound at 2005 and 1.3 (the 1.3 one also over
    /// plain http), and a username/password policy.
    pub(crate) fn sample(host: &str, with_13: bool, thirteen_scheme: &str) -> String {
        let thirteen = if with_13 {
            format!(
                r#"<wsdl:port name="W13" binding="tns:Win13"><wsa10:EndpointReference><wsa10:Address>{thirteen_scheme}://{host}/adfs/services/trust/13/windowstransport</wsa10:Address></wsa10:EndpointReference></wsdl:port>"#
            )
        } else {
            String::new()
        };
        format!(
            r##"<wsdl:definitions name="SecurityTokenService" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
  xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"
  xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
  xmlns:wsa10="http://www.w3.org/2005/08/addressing" xmlns:http="http://schemas.microsoft.com/ws/06/2004/policy/http"
  xmlns:sp="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702" xmlns:tns="http://tempuri.org/">
 <wsp:Policy wsu:Id="WinPolicy"><wsp:ExactlyOne><wsp:All><http:NegotiateAuthentication/>
   <sp:TransportBinding><wsp:Policy/></sp:TransportBinding></wsp:All></wsp:ExactlyOne></wsp:Policy>
 <wsp:Policy wsu:Id="PwdPolicy"><wsp:ExactlyOne><wsp:All><sp:TransportBinding><wsp:Policy/></sp:TransportBinding>
   <sp:SignedEncryptedSupportingTokens><wsp:Policy><sp:UsernameToken><wsp:Policy><sp:WssUsernameToken10/></wsp:Policy>
   </sp:UsernameToken></wsp:Policy></sp:SignedEncryptedSupportingTokens></wsp:All></wsp:ExactlyOne></wsp:Policy>
 <wsdl:binding name="Win2005" type="tns:IWSTrustFeb2005Async"><wsp:PolicyReference URI="#WinPolicy"/>
   <soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/>
   <wsdl:operation name="Issue"><soap12:operation soapAction="http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue"/></wsdl:operation></wsdl:binding>
 <wsdl:binding name="Win13" type="tns:IWSTrust13Async"><wsp:PolicyReference URI="#WinPolicy"/>
   <soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/>
   <wsdl:operation name="Trust13Issue"><soap12:operation soapAction="http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"/></wsdl:operation></wsdl:binding>
 <wsdl:binding name="Pwd13" type="tns:IWSTrust13Async"><wsp:PolicyReference URI="#PwdPolicy"/>
   <soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/>
   <wsdl:operation name="Trust13Issue"><soap12:operation soapAction="http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"/></wsdl:operation></wsdl:binding>
 <wsdl:service name="SecurityTokenService">
  <wsdl:port name="W2005" binding="tns:Win2005"><wsa10:EndpointReference><wsa10:Address>https://{host}/adfs/services/trust/2005/windowstransport</wsa10:Address></wsa10:EndpointReference></wsdl:port>
  {thirteen}
  <wsdl:port name="P13" binding="tns:Pwd13"><wsa10:EndpointReference><wsa10:Address>https://{host}/adfs/services/trust/13/usernamemixed</wsa10:Address></wsa10:EndpointReference></wsdl:port>
 </wsdl:service>
</wsdl:definitions>"##
        )
    }

    #[test]
    fn the_windows_endpoint_prefers_ws_trust_13() {
        let endpoint = windows_transport_endpoint(&sample("sts.corp.example", true, "https"))
            .expect("as the test wrote it")
            .expect("an endpoint");
        assert_eq!(
            endpoint.url.as_str(),
            "https://sts.corp.example/adfs/services/trust/13/windowstransport"
        );
        assert_eq!(endpoint.version, WsTrustVersion::Trust13);
    }

    #[test]
    fn without_13_the_2005_endpoint_is_used() {
        let endpoint = windows_transport_endpoint(&sample("sts.corp.example", false, "https"))
            .expect("as the test wrote it")
            .expect("an endpoint");
        assert_eq!(endpoint.version, WsTrustVersion::Trust2005);
        assert!(endpoint.url.path().ends_with("/2005/windowstransport"));
    }

    #[test]
    fn plain_http_endpoints_are_never_chosen() {
        let endpoint = windows_transport_endpoint(&sample("sts.corp.example", true, "http"))
            .expect("as the test wrote it")
            .expect("the https 2005 endpoint");
        assert_eq!(endpoint.url.scheme(), "https");
        assert_eq!(endpoint.version, WsTrustVersion::Trust2005);
    }

    #[test]
    fn the_username_password_endpoint_is_the_usernamemixed_one() {
        let endpoint = username_password_endpoint(&sample("sts.corp.example", true, "https"))
            .expect("as the test wrote it")
            .expect("an endpoint");
        assert_eq!(
            endpoint.url.as_str(),
            "https://sts.corp.example/adfs/services/trust/13/usernamemixed"
        );
        assert_eq!(endpoint.version, WsTrustVersion::Trust13);
    }

    #[test]
    fn a_document_with_only_password_endpoints_has_none() {
        let only_password = sample("sts.corp.example", false, "https").replace(
            "https://sts.corp.example/adfs/services/trust/2005/windowstransport",
            "not a url",
        );
        assert_eq!(
            windows_transport_endpoint(&only_password).expect("as the test wrote it"),
            None
        );
        assert!(
            windows_transport_endpoint("<html><body>sign in</body></html>")
                .expect("as the test wrote it")
                .is_none()
        );
        assert!(windows_transport_endpoint("<unclosed").is_err());
    }
}
