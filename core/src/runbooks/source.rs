//! Where runbook and rule texts come from: a directory on disk or the
//! examples compiled into the binary. Both yield the same list of
//! (relative path, text) pairs, so other sources (database revisions) plug in
//! beside them.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

static EXAMPLE_RUNBOOKS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/content/runbooks");
static EXAMPLE_RULES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/content/rules");

/// One file: its path relative to the root, `/`-separated, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// A root of runbooks or rules.
#[derive(Debug, Clone)]
pub enum Source {
    Embedded(&'static Dir<'static>),
    Directory(PathBuf),
}

impl Source {
    pub fn runbooks(dir: Option<&Path>) -> Source {
        dir.map_or(Source::Embedded(&EXAMPLE_RUNBOOKS), |d| {
            Source::Directory(d.to_path_buf())
        })
    }

    pub fn rules(dir: Option<&Path>) -> Source {
        dir.map_or(Source::Embedded(&EXAMPLE_RULES), |d| {
            Source::Directory(d.to_path_buf())
        })
    }

    /// Human description for logs and pages.
    pub fn describe(&self) -> String {
        match self {
            Source::Embedded(_) => "embedded examples".into(),
            Source::Directory(dir) => dir.display().to_string(),
        }
    }

    /// Every file under the root whose name ends with one of `extensions`,
    /// sorted by path. Unreadable or non-UTF-8 files are reported, not fatal.
    pub fn files(&self, extensions: &[&str]) -> std::io::Result<(Vec<SourceFile>, Vec<String>)> {
        let wanted = |path: &str| extensions.iter().any(|ext| path.ends_with(ext));
        let mut files = Vec::new();
        let mut problems = Vec::new();
        match self {
            Source::Embedded(dir) => collect_embedded(dir, &wanted, &mut files),
            Source::Directory(root) => {
                if !root.is_dir() {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("{} is not a directory", root.display()),
                    ));
                }
                // Canonical, so a link's target can be checked against it.
                let root = std::fs::canonicalize(root)?;
                collect_dir(&root, &root, &wanted, &mut files, &mut problems)?;
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((files, problems))
    }
}

fn collect_embedded(dir: &Dir<'static>, wanted: &dyn Fn(&str) -> bool, out: &mut Vec<SourceFile>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        if let (true, Some(text)) = (wanted(&path), file.contents_utf8()) {
            out.push(SourceFile {
                path,
                text: text.to_string(),
            });
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, wanted, out);
    }
}

/// Largest file read from a root: ample for any runbook or rule file (the
/// sample corpus' largest is ~40 KB) and the same bound as a saved edit.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Walk `dir` under `root` (both canonical). Only regular files count: a
/// symbolic link is followed only when it resolves to a regular file inside
/// the root, so a committed `Env.md -> /proc/self/environ` is never served.
/// Everything passed over is reported, so the log says why a file is missing.
fn collect_dir(
    root: &Path,
    dir: &Path,
    wanted: &dyn Fn(&str) -> bool,
    out: &mut Vec<SourceFile>,
    problems: &mut Vec<String>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        // Hidden entries (`.git`, editor swap files) are never runbooks.
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        let relative = relative.to_string_lossy().replace('\\', "/");
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            collect_dir(root, &path, wanted, out, problems)?;
            continue;
        }
        if file_type.is_symlink() && path.is_dir() {
            problems.push(format!(
                "{relative}: symbolic link to a directory, not followed"
            ));
            continue;
        }
        if !wanted(&relative) {
            continue;
        }
        let real = if file_type.is_file() {
            path
        } else if file_type.is_symlink() {
            match inside(root, &path) {
                Ok(real) => real,
                Err(why) => {
                    problems.push(format!("{relative}: {why}; skipped"));
                    continue;
                }
            }
        } else {
            problems.push(format!("{relative}: not a regular file; skipped"));
            continue;
        };
        match read_text(&real) {
            Ok(text) => out.push(SourceFile {
                path: relative,
                text,
            }),
            Err(why) => problems.push(format!("{relative}: {why}")),
        }
    }
    Ok(())
}

/// Why a file under the root is not read; said in the skipped-files report.
#[derive(Debug, thiserror::Error)]
enum Skip {
    #[error("symbolic link that does not resolve ({0})")]
    Dangling(std::io::Error),
    #[error("symbolic link to a file outside the directory")]
    Outside,
    #[error("symbolic link to something that is not a regular file")]
    NotAFile,
    #[error("{0} bytes, more than the {MAX_FILE_BYTES} a runbook may have; skipped")]
    TooLarge(u64),
    #[error("{0}")]
    Unreadable(std::io::Error),
    #[error("not UTF-8 text")]
    NotText,
}

/// Where the link at `path` leads, if that is a regular file under `root`.
fn inside(root: &Path, path: &Path) -> Result<PathBuf, Skip> {
    let real = std::fs::canonicalize(path).map_err(Skip::Dangling)?;
    if !real.starts_with(root) {
        return Err(Skip::Outside);
    }
    if !real.is_file() {
        return Err(Skip::NotAFile);
    }
    Ok(real)
}

/// The file's text, refusing what is too large or not UTF-8.
fn read_text(path: &Path) -> Result<String, Skip> {
    let size = std::fs::metadata(path).map_err(Skip::Unreadable)?.len();
    if size > MAX_FILE_BYTES {
        return Err(Skip::TooLarge(size));
    }
    let bytes = std::fs::read(path).map_err(Skip::Unreadable)?;
    String::from_utf8(bytes).map_err(|_| Skip::NotText)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(root: &Path) -> (Vec<String>, Vec<String>) {
        let (files, problems) = Source::Directory(root.to_path_buf())
            .files(&[".md"])
            .unwrap();
        (files.into_iter().map(|f| f.path).collect(), problems)
    }

    #[test]
    fn links_out_of_the_directory_are_skipped_and_reported() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.txt");
        std::fs::write(&secret, "WEBHOOK_TOKEN=s3cret").unwrap();
        let root = tempfile::tempdir().unwrap();
        let group = root.path().join("g");
        std::fs::create_dir(&group).unwrap();
        std::fs::write(group.join("Real.md"), "# Real").unwrap();
        std::os::unix::fs::symlink(&secret, group.join("Secret.md")).unwrap();
        std::os::unix::fs::symlink("/proc/self/environ", group.join("Env.md")).unwrap();
        std::os::unix::fs::symlink(group.join("Real.md"), group.join("Alias.md")).unwrap();
        std::os::unix::fs::symlink(group.join("Gone.md"), group.join("Dangling.md")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("linked.md")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("group")).unwrap();
        let (paths, problems) = read(root.path());
        assert_eq!(paths, ["g/Alias.md", "g/Real.md"], "{problems:?}");
        let reported = problems.join("\n");
        for name in [
            "g/Secret.md",
            "g/Env.md",
            "g/Dangling.md",
            "linked.md",
            "group",
        ] {
            assert!(reported.contains(name), "{name} not reported: {reported}");
        }
        assert!(!reported.contains("s3cret"));
    }

    #[test]
    fn a_root_reached_through_a_link_still_reads_its_files() {
        let real = tempfile::tempdir().unwrap();
        std::fs::create_dir(real.path().join("g")).unwrap();
        std::fs::write(real.path().join("g/A.md"), "# A").unwrap();
        let holder = tempfile::tempdir().unwrap();
        let link = holder.path().join("runbooks");
        std::os::unix::fs::symlink(real.path(), &link).unwrap();
        assert_eq!(read(&link).0, ["g/A.md"]);
    }

    #[test]
    fn oversized_files_are_skipped() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(
            root.path().join("Big.md"),
            "x".repeat(MAX_FILE_BYTES as usize + 1),
        )
        .unwrap();
        let (paths, problems) = read(root.path());
        assert!(paths.is_empty());
        assert!(problems[0].contains("Big.md"), "{problems:?}");
    }
}
