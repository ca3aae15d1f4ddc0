//! Where snippets are cut from. The index does not store bodies (the
//! largest part of an index that stores them); SQLite, the system of
//! record, does. A search reads the bodies of its page of hits by id over a
//! read-only connection, opened on first use and kept.

use crate::store::Store;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// The item bodies of one data directory.
#[derive(Debug)]
pub struct TextSource {
    db: PathBuf,
    store: Mutex<Option<Store>>,
}

impl TextSource {
    /// Bodies from the SQLite database at `db`.
    pub fn new(db: PathBuf) -> TextSource {
        TextSource {
            db,
            store: Mutex::new(None),
        }
    }

    /// The bodies of `ids` that exist (with `chars`, their beginnings). A
    /// failure to read is logged and gives no bodies (hits then show their
    /// titles without snippets).
    pub fn bodies(&self, ids: &[&str], chars: Option<usize>) -> HashMap<String, String> {
        let mut guard = self.store.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            match Store::open_read_only(&self.db) {
                Ok(store) => *guard = Some(store),
                Err(error) => {
                    tracing::warn!(%error, "cannot read item bodies for snippets");
                    return HashMap::new();
                }
            }
        }
        let store = guard.as_ref().expect("opened above");
        store.bodies(ids, chars).unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot read item bodies for snippets");
            HashMap::new()
        })
    }
}
