//! The on-disk directory: tantivy's memory-mapped directory, readable on a read-only file
//! system.
//!
//! Readers take tantivy's short-lived meta lock, which means creating a lock file: on a
//! read-only folder that fails and tantivy would refuse to open the index at all. Nothing can
//! write there, so nothing can change the index under a reader: this wrapper grants the meta
//! lock when the file system refuses it as read-only. The writer lock is never faked, so an
//! update still fails, with a clear error.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::Directory;
use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, META_LOCK, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

/// [`MmapDirectory`] that can be read on a read-only file system.
#[derive(Clone, Debug)]
pub(crate) struct DiskDirectory {
    inner: MmapDirectory,
}

impl DiskDirectory {
    pub(crate) fn open(path: &Path) -> Result<DiskDirectory, OpenDirectoryError> {
        Ok(DiskDirectory {
            inner: MmapDirectory::open(path)?,
        })
    }
}

fn read_only(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied
    )
}

impl Directory for DiskDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(error))
                if lock.filepath == META_LOCK.filepath && read_only(&error) =>
            {
                Ok(DirectoryLock::from(Box::new(ReadOnlyMetaLock(
                    lock.filepath.clone(),
                ))))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// The meta lock granted on a read-only folder (nothing to release).
struct ReadOnlyMetaLock(#[allow(dead_code)] PathBuf);
