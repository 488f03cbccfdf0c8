//! Fuzzes importing a token cache any MSAL library may have written (MSAL Python, msal-node, MSAL .NET, GraphDesk):
//! any bytes either import or are refused with a typed error, and a cache that imported exports in both dialects to
//! files that import again — nothing GraphDesk writes is something it cannot read back. Seeds: the MSAL fixtures'
//! caches, copied at run time (fuzz/run.sh), never committed.
#![no_main]

use graphdesk_core::cache::interop::Dialect;
use graphdesk_core::cache::{CacheScope, TokenCache};
use graphdesk_core::cloud::InstanceMetadata;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let scope = CacheScope {
        environment: "login.microsoftonline.com".into(),
        realm: "organizations".into(),
        client_id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46".into(),
    };
    let clouds = InstanceMetadata::builtin();
    let mut cache = TokenCache::new();
    if cache.import_with(data, &scope, &clouds).is_err() {
        return;
    }
    for dialect in [Dialect::MsalPython, Dialect::MsalNode] {
        let exported = cache.export(&scope, dialect);
        let mut again = TokenCache::new();
        if let Err(error) = again.import_with(&exported, &scope, &clouds) {
            panic!("a {dialect:?} export does not import again: {error}");
        }
    }
});
