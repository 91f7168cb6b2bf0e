//! Helpers shared by unit tests.

use portal_types::Labels;

/// Labels from `(name, value)` pairs.
pub fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A fresh SQLite store in `dir`, as the portal opens it.
pub async fn stores(dir: &tempfile::TempDir) -> crate::store::Stores {
    let path = dir.path().join("portal.db");
    crate::store::open(path.to_str().unwrap()).await.unwrap()
}
