//! Files that hold personal data (exports, error workbooks, uploads) are the installation's own:
//! created readable by the server's user only (files 0600, folders 0700 on Unix), in a folder of
//! the installation rather than a shared `/tmp`, and removed once they are older than the
//! retention period ([`sweep`]).

use std::fs::File;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Creates (or truncates) a file that only its owner may read and write.
pub fn create_file(path: &Path) -> std::io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let f = o.open(path)?;
    // an existing file keeps its mode through `open`: narrow it too
    restrict(path, 0o600)?;
    Ok(f)
}

/// Creates a folder (and its missing parents) that only its owner may enter; an existing
/// folder is narrowed to the same.
pub fn create_dir(path: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path)?;
    restrict(path, 0o700)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let now = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if now & !mode != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(now & mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

/// Removes the files directly in `dir` and its subfolders last changed more than `max_age`
/// ago; returns how many were removed. A folder that does not exist holds nothing to remove.
pub fn sweep(dir: &Path, max_age: Duration) -> std::io::Result<usize> {
    let Some(cutoff) = SystemTime::now().checked_sub(max_age) else {
        return Ok(0);
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            removed += sweep(&entry.path(), max_age)?;
        } else if meta.modified()? < cutoff && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_folders_are_created_for_their_owner_only() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("work").join("exports");
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&t.path().join("work")), 0o700);
        let f = dir.join("x.csv");
        std::fs::write(&f, b"old").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        create_file(&f).unwrap();
        assert_eq!(mode(&f), 0o600);
        assert_eq!(std::fs::read(&f).unwrap(), b"");
    }

    #[test]
    fn a_sweep_removes_only_files_older_than_the_retention() {
        let t = tempfile::tempdir().unwrap();
        let sub = t.path().join("errors");
        create_dir(&sub).unwrap();
        let old = sub.join("old.xlsx");
        let new = t.path().join("new.xlsx");
        create_file(&old).unwrap();
        create_file(&new).unwrap();
        let past = SystemTime::now() - Duration::from_secs(2 * 3600);
        File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(past)
            .unwrap();
        assert_eq!(sweep(t.path(), Duration::from_secs(3600)).unwrap(), 1);
        assert!(!old.exists());
        assert!(new.exists());
        assert_eq!(sweep(&t.path().join("missing"), Duration::ZERO).unwrap(), 0);
    }
}
