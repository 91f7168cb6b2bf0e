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
                collect_dir(root, root, &wanted, &mut files, &mut problems)?;
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
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            collect_dir(root, &path, wanted, out, problems)?;
            continue;
        }
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        let relative = relative.to_string_lossy().replace('\\', "/");
        if !wanted(&relative) {
            continue;
        }
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => out.push(SourceFile {
                    path: relative,
                    text,
                }),
                Err(_) => problems.push(format!("{relative}: not UTF-8 text")),
            },
            Err(e) => problems.push(format!("{relative}: {e}")),
        }
    }
    Ok(())
}
