//! JavaScript packages the browser tests use (axe-core), pinned with their
//! integrity hashes in `tests/js/package-lock.json` and installed by the
//! tests themselves with `npm ci` on first use: `cargo test` needs Debian's
//! `npm`, nothing set up beforehand. Test binaries run in parallel, so each
//! installs into a directory of its own and renames it into place; the first
//! rename wins and the others use the winner's.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// The path of `file` inside the pinned package tree, installing it first.
pub fn package_file(file: &str) -> Result<PathBuf> {
    let installed = js_dir().join("node_modules");
    let wanted = installed.join(file);
    if wanted.exists() {
        return Ok(wanted);
    }
    let staging = tempfile::Builder::new()
        .prefix(".install-")
        .tempdir_in(js_dir())?;
    for name in ["package.json", "package-lock.json"] {
        std::fs::copy(js_dir().join(name), staging.path().join(name))?;
    }
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(staging.path())
        .output()
        .context("running npm (Debian's `npm` package) to install tests/js")?;
    if !output.status.success() {
        bail!(
            "npm ci in tests/js failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // Losing the race leaves `installed` in place, which is what we want.
    let _ = std::fs::rename(staging.path().join("node_modules"), &installed);
    if !wanted.exists() {
        bail!("{} is missing after npm ci", wanted.display());
    }
    Ok(wanted)
}
