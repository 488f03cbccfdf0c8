//! Account-level changes to the cache: signing an account out (every token and tenant profile it holds goes, others
//! stay) and moving an account to a new key (an account first known by its ID token's `sub`, later by `client_info`).

use std::collections::{BTreeMap, BTreeSet};

use super::TokenCache;
use super::interop;
use super::schema::{account_key, credential_key};

impl TokenCache {
    /// Removes an account and every token it holds in this environment (other accounts are untouched). Returns
    /// whether anything was removed.
    pub fn remove_account(&mut self, environment: &str, home_account_id: &str) -> bool {
        let mine = |home: &str, env: &str| {
            home.eq_ignore_ascii_case(home_account_id) && env.eq_ignore_ascii_case(environment)
        };
        let before = self.len();
        let (doc, touched) = (&mut self.doc, &mut self.touched);
        remove_where(&mut doc.access_tokens, &mut touched.access_tokens, |e| {
            mine(&e.home_account_id, &e.environment)
        });
        remove_where(&mut doc.refresh_tokens, &mut touched.refresh_tokens, |e| {
            mine(&e.home_account_id, &e.environment)
        });
        remove_where(&mut doc.id_tokens, &mut touched.id_tokens, |e| {
            mine(&e.home_account_id, &e.environment)
        });
        remove_where(&mut doc.accounts, &mut touched.accounts, |e| {
            mine(&e.home_account_id, &e.environment)
        });
        let removed = self.len() != before;
        if removed {
            self.reindex();
        }
        removed
    }

    /// Moves every entry of account `from` in `environment` to the home account id `to` (re-keyed), for an account first
    /// known by its ID token's `sub` and later by `client_info`. Entries already under `to` win over moved ones.
    ///
    /// Called on every save that carries an ID token (with its `sub`), so it first asks the account index, in O(1),
    /// whether `from` is an account here at all; only then does it walk the entries.
    pub fn rekey_account(&mut self, environment: &str, from: &str, to: &str) -> bool {
        if !self
            .accounts
            .contains_key(&super::account_index(from, environment))
        {
            return false;
        }
        fn moved<V: Clone>(
            entries: &mut BTreeMap<String, V>,
            touched: &mut BTreeSet<String>,
            belongs: impl Fn(&V) -> bool,
            rekey: impl Fn(&mut V) -> String,
        ) -> usize {
            let keys: Vec<String> = entries
                .iter()
                .filter(|(_, v)| belongs(v))
                .map(|(k, _)| k.clone())
                .collect();
            for key in &keys {
                let Some(mut entry) = entries.remove(key) else {
                    continue;
                };
                touched.insert(key.clone());
                let new_key = rekey(&mut entry);
                touched.insert(new_key.clone());
                entries.entry(new_key).or_insert(entry);
            }
            keys.len()
        }
        let mine = |home: &str, env: &str| {
            home.eq_ignore_ascii_case(from) && env.eq_ignore_ascii_case(environment)
        };
        let (doc, touched) = (&mut self.doc, &mut self.touched);
        let mut count = moved(
            &mut doc.access_tokens,
            &mut touched.access_tokens,
            |e| mine(&e.home_account_id, &e.environment),
            |e| {
                e.home_account_id = to.to_owned();
                interop::access_token_key(e)
            },
        );
        count += moved(
            &mut doc.refresh_tokens,
            &mut touched.refresh_tokens,
            |e| mine(&e.home_account_id, &e.environment),
            |e| {
                e.home_account_id = to.to_owned();
                interop::refresh_token_key(e)
            },
        );
        count += moved(
            &mut doc.id_tokens,
            &mut touched.id_tokens,
            |e| mine(&e.home_account_id, &e.environment),
            |e| {
                e.home_account_id = to.to_owned();
                credential_key(to, &e.environment, "IdToken", &e.client_id, &e.realm, "")
            },
        );
        count += moved(
            &mut doc.accounts,
            &mut touched.accounts,
            |e| mine(&e.home_account_id, &e.environment),
            |e| {
                e.home_account_id = to.to_owned();
                account_key(to, &e.environment, &e.realm)
            },
        );
        if count > 0 {
            self.reindex();
        }
        count > 0
    }
}

/// Removes the entries `doomed` picks, recording their keys in `touched`.
fn remove_where<V>(
    entries: &mut BTreeMap<String, V>,
    touched: &mut BTreeSet<String>,
    doomed: impl Fn(&V) -> bool,
) {
    entries.retain(|key, entry| {
        let remove = doomed(entry);
        if remove {
            touched.insert(key.clone());
        }
        !remove
    });
}
