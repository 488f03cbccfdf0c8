//! Which authority hosts are the same cloud: MSAL's instance metadata (alias groups with a preferred network host and a
//! preferred cache host). A cache written under one alias is valid under every other of its group — MSAL .NET writes
//! `login.windows.net` for a `login.microsoftonline.com` authority, and a China cache may say `login.chinacloudapi.cn`
//! or `login.partner.microsoftonline.cn`.
//!
//! The built-in groups are those msal-common (`AuthorityMetadata.ts`) and MSAL .NET (`KnownMetadataProvider.cs`) both
//! carry. An app may supply more in the instance-discovery format (`{"metadata": [{"preferred_network",
//! "preferred_cache", "aliases"}]}`, MSAL .NET's `WithInstanceDiscoveryMetadata`, msal-node's `cloudDiscoveryMetadata`);
//! [`InstanceMetadata::parse`] reads the answer of `/common/discovery/instance` in the same shape.

use serde::Deserialize;

/// One cloud: its hosts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AliasGroup {
    pub preferred_network: String,
    pub preferred_cache: String,
    pub aliases: Vec<String>,
}

/// The groups every MSAL knows — public, China, Germany (legacy), US Government, and `login-us` — each with its
/// Microsoft Graph host: (preferred network, preferred cache, aliases, Graph host). The one table of Microsoft's
/// clouds in GraphDesk.
const KNOWN: [(&str, &str, &[&str], &str); 5] = [
    (
        "login.microsoftonline.com",
        "login.windows.net",
        &[
            "login.microsoftonline.com",
            "login.windows.net",
            "login.microsoft.com",
            "sts.windows.net",
        ],
        "graph.microsoft.com",
    ),
    (
        "login.partner.microsoftonline.cn",
        "login.partner.microsoftonline.cn",
        &["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"],
        "microsoftgraph.chinacloudapi.cn",
    ),
    (
        "login.microsoftonline.de",
        "login.microsoftonline.de",
        &["login.microsoftonline.de"],
        "graph.microsoft.de",
    ),
    (
        "login.microsoftonline.us",
        "login.microsoftonline.us",
        &["login.microsoftonline.us", "login.usgovcloudapi.net"],
        "graph.microsoft.us",
    ),
    (
        "login-us.microsoftonline.com",
        "login-us.microsoftonline.com",
        &["login-us.microsoftonline.com"],
        "graph.microsoft.us",
    ),
];

/// Microsoft Graph's host in the cloud of the sign-in host `environment` (any alias), if it is one of Microsoft's.
pub fn graph_host(environment: &str) -> Option<&'static str> {
    let host = strip_port(environment);
    KNOWN
        .iter()
        .find(|(_, _, aliases, _)| aliases.iter().any(|a| a.eq_ignore_ascii_case(host)))
        .map(|(_, _, _, graph)| *graph)
}

/// Instance metadata: the built-in groups plus any the app supplied or discovery returned (those win).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstanceMetadata {
    supplied: Vec<AliasGroup>,
}

#[derive(Deserialize)]
struct DiscoveryDocument {
    metadata: Vec<AliasGroup>,
}

impl InstanceMetadata {
    /// The built-in groups only.
    pub fn builtin() -> Self {
        Self::default()
    }

    /// Groups in the instance-discovery format, on top of the built-in ones. A UTF-8 BOM is skipped (MSAL .NET's own
    /// sample file starts with one).
    pub fn parse(json: &[u8]) -> Result<Self, String> {
        let json = json.strip_prefix(b"\xef\xbb\xbf").unwrap_or(json);
        let document: DiscoveryDocument = serde_json::from_slice(json)
            .map_err(|e| format!("not instance-discovery metadata ({e})"))?;
        if document.metadata.iter().any(|g| g.aliases.is_empty()) {
            return Err("an alias group without aliases".into());
        }
        Ok(Self {
            supplied: document.metadata,
        })
    }

    /// The group `environment` belongs to, if any: supplied groups first (their aliases may carry a port), then the
    /// built-in ones (hosts without a port).
    pub fn group_of(&self, environment: &str) -> Option<AliasGroup> {
        self.supplied_group_of(environment).cloned().or_else(|| {
            let host = strip_port(environment);
            KNOWN
                .iter()
                .find(|(_, _, aliases, _)| aliases.iter().any(|a| a.eq_ignore_ascii_case(host)))
                .map(|(network, cache, aliases, _)| AliasGroup {
                    preferred_network: (*network).to_owned(),
                    preferred_cache: (*cache).to_owned(),
                    aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
                })
        })
    }

    /// The supplied (or discovered) group naming `environment` exactly, or its host when the alias has no port.
    pub fn supplied_group_of(&self, environment: &str) -> Option<&AliasGroup> {
        self.supplied.iter().find(|g| {
            g.aliases.iter().any(|a| {
                a.eq_ignore_ascii_case(environment)
                    || (!a.contains(':') && a.eq_ignore_ascii_case(strip_port(environment)))
            })
        })
    }

    /// Whether any group (built in or supplied) names `environment`.
    pub fn knows(&self, environment: &str) -> bool {
        self.group_of(environment).is_some()
    }

    /// Whether two cache environments name the same authority: equal, equal but for a port one of them dropped (MSAL
    /// Python drops it), or aliases of one cloud.
    pub fn same_environment(&self, environment: &str, ours: &str) -> bool {
        if environment.eq_ignore_ascii_case(ours) {
            return true;
        }
        let has_port = |e: &str| e.contains(':');
        if has_port(environment) != has_port(ours)
            && strip_port(environment).eq_ignore_ascii_case(strip_port(ours))
        {
            return true;
        }
        // Aliases of one group, each named exactly (built-in aliases carry no port; discovered ones may).
        self.group_of(ours).is_some_and(|group| {
            let listed = |e: &str| group.aliases.iter().any(|a| a.eq_ignore_ascii_case(e));
            listed(ours) && listed(environment)
        })
    }
}

fn strip_port(environment: &str) -> &str {
    environment
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(environment, |(host, _)| host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cloud_msal_knows_is_a_group() {
        let clouds = InstanceMetadata::builtin();
        for (a, b) in [
            ("login.windows.net", "login.microsoftonline.com"),
            ("sts.windows.net", "login.microsoft.com"),
            ("login.chinacloudapi.cn", "login.partner.microsoftonline.cn"),
            ("login.usgovcloudapi.net", "login.microsoftonline.us"),
            ("LOGIN.microsoftonline.de", "login.microsoftonline.de"),
        ] {
            assert!(clouds.same_environment(a, b), "{a} ~ {b}");
            assert!(clouds.same_environment(b, a), "{b} ~ {a}");
        }
        for (a, b) in [
            ("login.microsoftonline.us", "login.microsoftonline.com"),
            ("login.chinacloudapi.cn", "login.microsoftonline.com"),
            ("login.microsoftonline.de", "login.windows.net"),
            ("login-us.microsoftonline.com", "login.microsoftonline.us"),
            ("127.0.0.1:9443", "127.0.0.1:8443"),
        ] {
            assert!(!clouds.same_environment(a, b), "{a} !~ {b}");
        }
        assert!(clouds.same_environment("127.0.0.1", "127.0.0.1:8443"));
        assert_eq!(
            clouds
                .group_of("login.microsoftonline.com")
                .expect("public")
                .preferred_cache,
            "login.windows.net"
        );
    }

    #[test]
    fn every_alias_of_a_cloud_has_its_graph_host() {
        for (login, graph) in [
            ("login.microsoftonline.com", "graph.microsoft.com"),
            ("login.windows.net", "graph.microsoft.com"),
            ("login.chinacloudapi.cn", "microsoftgraph.chinacloudapi.cn"),
            (
                "login.partner.microsoftonline.cn",
                "microsoftgraph.chinacloudapi.cn",
            ),
            ("login.usgovcloudapi.net", "graph.microsoft.us"),
            ("LOGIN.microsoftonline.us", "graph.microsoft.us"),
        ] {
            assert_eq!(graph_host(login), Some(graph), "{login}");
        }
        assert_eq!(graph_host("127.0.0.1:8443"), None);
    }

    #[test]
    fn supplied_metadata_adds_groups_and_refuses_garbage() {
        let supplied = InstanceMetadata::parse(
            br#"{"tenant_discovery_endpoint":"x","api-version":"1.1","metadata":[
                {"preferred_network":"login.contoso.example","preferred_cache":"cache.contoso.example",
                 "aliases":["login.contoso.example","cache.contoso.example"]}]}"#,
        )
        .expect("parsed");
        assert!(supplied.same_environment("cache.contoso.example", "login.contoso.example"));
        assert!(supplied.same_environment("login.windows.net", "login.microsoftonline.com"));
        assert!(InstanceMetadata::parse(b"{}").is_err());
        // A discovered group of a host with a port: its aliases carry the port.
        let local = InstanceMetadata::parse(
            br#"{"metadata":[{"preferred_network":"127.0.0.1:8443","preferred_cache":"127.0.0.1:8443",
                "aliases":["127.0.0.1:8443","localhost:8443"]}]}"#,
        )
        .expect("parsed");
        assert!(local.same_environment("localhost:8443", "127.0.0.1:8443"));
        assert!(!local.same_environment("localhost:9443", "127.0.0.1:8443"));
        assert!(
            local.knows("127.0.0.1:8443") && !InstanceMetadata::builtin().knows("127.0.0.1:8443")
        );
        assert!(
            InstanceMetadata::parse(
                br#"{"metadata":[{"preferred_network":"a","preferred_cache":"a","aliases":[]}]}"#
            )
            .is_err()
        );
    }
}
