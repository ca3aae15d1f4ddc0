//! The `file` source kind: JSON Lines / CSV exports (e.g. from an internal
//! petition system) dropped in a folder. `path` is a folder or a pattern
//! with one `*` in the file name; each version of a file (size and
//! modification time) is imported once, even across restarts — the store
//! remembers what was taken, after the file's items are committed. A file
//! still being written is left for a later crawl.

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

/// How long after its last change a file whose last line is unfinished is
/// taken for one still being written.
pub const SETTLE: std::time::Duration = std::time::Duration::from_secs(10);

/// Whether a file looks half-written: changed within [`SETTLE`] and its last
/// line not ended by a line break. Its last record would be stored cut
/// short (a CSV line cut mid-field is still a record), and, without an id,
/// stored again whole once the file is complete. Such a file is left for a
/// later crawl; an old file without a final line break is taken as it is.
pub fn still_being_written(path: &Path) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let metadata = std::fs::metadata(path)?;
    let age = metadata.modified()?.elapsed().unwrap_or_default();
    if age >= SETTLE || metadata.len() == 0 {
        return Ok(metadata.len() == 0 && age < SETTLE);
    }
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
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

    #[test]
    fn a_fresh_file_with_an_unfinished_last_line_is_still_being_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "id,text\n1,完整\n2,写到一半").unwrap();
        assert!(still_being_written(&path).unwrap());
        std::fs::write(&path, "id,text\n1,完整\n2,写完了\n").unwrap();
        assert!(!still_being_written(&path).unwrap());
        std::fs::write(&path, "").unwrap();
        assert!(still_being_written(&path).unwrap());
        // Old and without a final line break: complete, taken as it is.
        std::fs::write(&path, "id,text\n1,完整").unwrap();
        let old = std::time::SystemTime::now() - SETTLE * 2;
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert!(!still_being_written(&path).unwrap());
    }
}
