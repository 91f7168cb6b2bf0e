//! `runbook-portal export DIR`: every current revision back to
//! `<group>/<Alert>.md` under DIR, byte for byte, so a team can commit the
//! result to git. Each file is written beside its target and renamed over
//! it, so a reader (or a watching portal) never sees half a file.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};

use super::Revisions;

/// What an export did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ExportReport {
    pub written: usize,
    pub unchanged: usize,
}

pub async fn export(revisions: &Revisions, dir: &Path) -> anyhow::Result<ExportReport> {
    let (files, _) = revisions.current_files().await?;
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut report = ExportReport::default();
        for file in files {
            let target = inside(&dir, &file.path)?;
            if std::fs::read(&target).is_ok_and(|old| old == file.text.as_bytes()) {
                report.unchanged += 1;
                continue;
            }
            write_atomically(&target, file.text.as_bytes())
                .with_context(|| format!("writing {}", target.display()))?;
            report.written += 1;
        }
        Ok(report)
    })
    .await?
}

/// `dir/path`, refusing anything that would leave `dir`.
fn inside(dir: &Path, path: &str) -> anyhow::Result<PathBuf> {
    let relative = Path::new(path);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        bail!("refusing to export {path:?}: not a plain relative path");
    }
    Ok(dir.join(relative))
}

fn write_atomically(target: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let parent = target.parent().context("no parent directory")?;
    std::fs::create_dir_all(parent)?;
    let name = target
        .file_name()
        .context("no file name")?
        .to_string_lossy();
    // Hidden, so a portal watching DIR skips it until the rename.
    let temp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    Ok(result?)
}
