//! The `file` source kind: JSON Lines / CSV exports (e.g. from an internal
//! petition system) dropped in a folder. `path` is a folder or a pattern
//! with one `*` in the file name; each version of a file (size and
//! modification time) is imported once, even across restarts — the store
//! remembers what was taken, after the file's items are committed.

use std::path::{Path, PathBuf};

/// The files `pattern` names, sorted by name. A folder means every file in
/// it; `dir/prefix*suffix` the files whose names match.
pub fn list_files(pattern: &Path) -> std::io::Result<Vec<PathBuf>> {
    let (dir, name_pattern) = if pattern.is_dir() {
        (pattern.to_path_buf(), None)
    } else {
        let dir = pattern
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = pattern
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        (dir.to_path_buf(), Some(name))
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if !path.is_file() {
            continue;
        }
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if file_name.starts_with('.') {
            continue;
        }
        if name_pattern
            .as_deref()
            .is_none_or(|p| matches(p, file_name))
        {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// `prefix*suffix` (one `*`), or an exact name.
fn matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        Some((prefix, suffix)) => {
            name.len() >= prefix.len() + suffix.len()
                && name.starts_with(prefix)
                && name.ends_with(suffix)
        }
        None => pattern == name,
    }
}

/// Size and modification time: a new version of a file has a new fingerprint.
pub fn fingerprint(path: &Path) -> std::io::Result<String> {
    let metadata = std::fs::metadata(path)?;
    let modified = metadata
        .modified()?
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Ok(format!("{}:{modified}", metadata.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.jsonl", "a.jsonl", "c.csv", ".hidden.jsonl"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub.jsonl")).unwrap();
        let names = |files: Vec<PathBuf>| -> Vec<String> {
            files
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(
            names(list_files(&dir.path().join("*.jsonl")).unwrap()),
            ["a.jsonl", "b.jsonl"]
        );
        assert_eq!(
            names(list_files(dir.path()).unwrap()),
            ["a.jsonl", "b.jsonl", "c.csv"]
        );
        assert_eq!(
            names(list_files(&dir.path().join("c.csv")).unwrap()),
            ["c.csv"]
        );
        assert!(list_files(&dir.path().join("missing/*.jsonl")).is_err());
    }
}
