//! What a cache changed since it was loaded or last saved, and laying just that over the file another process wrote
//! meanwhile: a save merges these keys instead of diffing against a full copy of the document.

use std::collections::{BTreeMap, BTreeSet};

use super::TokenCache;
use super::schema::CacheDocument;

impl TokenCache {
    /// Whether anything changed since load or the last [`Self::mark_saved`].
    pub fn has_changed(&self) -> bool {
        !self.touched.is_empty()
    }

    /// Marks every entry as changed (after an import, which rewrites the document wholesale).
    pub(super) fn touch_everything(&mut self) {
        self.touched = Touched::everything_in(&self.doc);
    }

    /// Records that the current state is on disk.
    pub fn mark_saved(&mut self) {
        self.touched = Touched::default();
    }

    /// Takes what changed since the last save, as a save that is about to write the current state does; a save whose
    /// write fails gives them back with [`Self::restore_changes`], so the next save merges them again.
    pub fn take_changes(&mut self) -> Changes {
        Changes(std::mem::take(&mut self.touched))
    }

    /// Gives back the changes a failed save took (added to any made since).
    pub fn restore_changes(&mut self, changes: Changes) {
        self.touched.extend(changes.0);
    }

    /// [`Self::merged_onto_with`] this cache's own changes since its last load or save (tests).
    #[cfg(test)]
    pub fn merged_onto(&self, disk: CacheDocument) -> CacheDocument {
        self.merged_onto_with(disk, &Changes(self.touched.clone()))
    }

    /// `disk` (what another process saved) with `changes` (what a save took from this cache) applied on top: entries
    /// this cache added or changed win, entries it removed go, everything else on disk stays.
    pub fn merged_onto_with(&self, mut disk: CacheDocument, changes: &Changes) -> CacheDocument {
        fn apply<V: Clone>(
            touched: &BTreeSet<String>,
            ours: &BTreeMap<String, V>,
            disk: &mut BTreeMap<String, V>,
        ) {
            for key in touched {
                match ours.get(key) {
                    Some(value) => disk.insert(key.clone(), value.clone()),
                    None => disk.remove(key),
                };
            }
        }
        let touched = &changes.0;
        apply(
            &touched.access_tokens,
            &self.doc.access_tokens,
            &mut disk.access_tokens,
        );
        apply(
            &touched.refresh_tokens,
            &self.doc.refresh_tokens,
            &mut disk.refresh_tokens,
        );
        apply(&touched.id_tokens, &self.doc.id_tokens, &mut disk.id_tokens);
        apply(&touched.accounts, &self.doc.accounts, &mut disk.accounts);
        apply(
            &touched.app_metadata,
            &self.doc.app_metadata,
            &mut disk.app_metadata,
        );
        apply(&touched.other, &self.doc.other, &mut disk.other);
        // Entries kept verbatim are never changed or removed here: ours join theirs.
        for (section, entries) in &self.doc.unparsed {
            let theirs = disk.unparsed.entry(section.clone()).or_default();
            for (key, entry) in entries {
                theirs.entry(key.clone()).or_insert_with(|| entry.clone());
            }
        }
        disk
    }
}

/// Keys of the entries a cache added, changed or removed since it was loaded or last saved, by section. A save merges
/// just these over the file another process may have written meanwhile — instead of diffing against a full copy of
/// the document as loaded, which doubled the cache's memory and cost a deep copy on every load and save.
#[derive(Debug, Default, Clone)]
pub(super) struct Touched {
    pub(super) access_tokens: BTreeSet<String>,
    pub(super) refresh_tokens: BTreeSet<String>,
    pub(super) id_tokens: BTreeSet<String>,
    pub(super) accounts: BTreeSet<String>,
    pub(super) app_metadata: BTreeSet<String>,
    /// Sections this version does not know (only an import changes them).
    pub(super) other: BTreeSet<String>,
}

/// What a cache changed since its last save, taken by a save in progress (see [`TokenCache::take_changes`]).
#[derive(Debug, Default)]
pub struct Changes(pub(super) Touched);

impl Touched {
    pub(super) fn extend(&mut self, other: Touched) {
        self.access_tokens.extend(other.access_tokens);
        self.refresh_tokens.extend(other.refresh_tokens);
        self.id_tokens.extend(other.id_tokens);
        self.accounts.extend(other.accounts);
        self.app_metadata.extend(other.app_metadata);
        self.other.extend(other.other);
    }

    pub(super) fn is_empty(&self) -> bool {
        self.access_tokens.is_empty()
            && self.refresh_tokens.is_empty()
            && self.id_tokens.is_empty()
            && self.accounts.is_empty()
            && self.app_metadata.is_empty()
            && self.other.is_empty()
    }

    /// Every key of `doc`.
    pub(super) fn everything_in(doc: &CacheDocument) -> Self {
        Self {
            access_tokens: doc.access_tokens.keys().cloned().collect(),
            refresh_tokens: doc.refresh_tokens.keys().cloned().collect(),
            id_tokens: doc.id_tokens.keys().cloned().collect(),
            accounts: doc.accounts.keys().cloned().collect(),
            app_metadata: doc.app_metadata.keys().cloned().collect(),
            other: doc.other.keys().cloned().collect(),
        }
    }
}
