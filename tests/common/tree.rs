//! Copying a folder tree: the one `copy_dir` of the integration tests, the benches, the
//! examples and the binary's unit tests. Each of those is a crate of its own that reaches the
//! library only through its public API, so they include this file with `#[path]` instead.

use std::path::Path;

/// Copies the folder `from`, and every file and folder under it, to `to` (created if need be).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}
