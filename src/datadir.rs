//! The data directory: SQLite, the index, the outbox and logs live under one
//! folder (default `./data`). A writer takes an exclusive lock on it, so a
//! second writing process fails at once with a clear message instead of
//! waiting or corrupting anything.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Name of the lock file inside the data directory.
pub const LOCK_FILE: &str = "yuqing.lock";

/// A data-directory problem.
#[derive(Debug, Error)]
pub enum DataDirError {
    /// The directory could not be created or used.
    #[error("cannot use data directory {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Another process is writing.
    #[error(
        "data directory {path} is in use: the index is locked by another yuqing process{}; wait for it to finish, or stop it",
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    Locked {
        /// The data directory.
        path: PathBuf,
        /// The holder's process id, when it wrote one.
        pid: Option<u32>,
    },
}

/// Paths inside the data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

/// Held while writing; released on drop (or when the process dies).
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDir {
    /// The data directory at `root` (not created yet).
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The SQLite database.
    pub fn db_path(&self) -> PathBuf {
        self.root.join("yuqing.db")
    }

    /// The tantivy index folder.
    pub fn index_path(&self) -> PathBuf {
        self.root.join("index")
    }

    /// Digests and alerts as files.
    pub fn outbox_path(&self) -> PathBuf {
        self.root.join("outbox")
    }

    /// Creates the directory when absent.
    pub fn create(&self) -> Result<(), DataDirError> {
        std::fs::create_dir_all(&self.root).map_err(|source| DataDirError::Io {
            path: self.root.clone(),
            source,
        })
    }

    /// True when the database exists (something was ingested).
    pub fn exists(&self) -> bool {
        self.db_path().exists()
    }

    /// Takes the exclusive writer lock, failing at once when it is held.
    pub fn lock(&self) -> Result<DataDirLock, DataDirError> {
        self.create()?;
        let path = self.root.join(LOCK_FILE);
        let io = |source| DataDirError::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                return Err(DataDirError::Locked {
                    path: self.root.clone(),
                    pid: holder.trim().parse().ok(),
                });
            }
            Err(TryLockError::Error(source)) => return Err(io(source)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        Ok(DataDirLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_fails_with_a_clear_message_and_frees_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path().join("data"));
        let held = data.lock().unwrap();
        let error = data.lock().unwrap_err().to_string();
        assert!(
            error.contains("locked by another yuqing process"),
            "{error}"
        );
        assert!(
            error.contains(&format!("pid {}", std::process::id())),
            "{error}"
        );
        drop(held);
        data.lock().unwrap();
    }
}
