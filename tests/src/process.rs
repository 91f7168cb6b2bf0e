//! Child processes that are killed when their guard drops, even when a test
//! panics, and small waiting helpers.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// A running child process, killed on drop with every process it started:
/// each child leads a process group of its own, so the Chromium that
/// chromedriver launches (browser, zygotes, renderers) goes with it. Killing
/// chromedriver alone left ~170 Chromium processes behind per test run.
pub struct ChildGuard {
    pub name: String,
    child: Child,
    /// Killed and reaped: its pid (and group id) may belong to another now.
    reaped: bool,
}

impl ChildGuard {
    /// Spawn `command`, sending its output to `log` so failures can be read.
    pub fn spawn(name: &str, command: &mut Command, log: &Path) -> Result<ChildGuard> {
        let out =
            std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        let child = command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .with_context(|| format!("starting {name}: is it installed? (see .ci/run)"))?;
        Ok(ChildGuard {
            name: name.to_string(),
            child,
            reaped: false,
        })
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has exited, with its status.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Send SIGKILL to the process and its group now, and reap the process.
    pub fn kill(&mut self) {
        if std::mem::replace(&mut self.reaped, true) {
            return;
        }
        if let Ok(group) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) with a negative pid signals that process group;
            // it touches no memory of ours.
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port")
}

/// Poll `url` until it answers 2xx, the child dies, or `timeout` passes.
pub async fn wait_ready(
    url: &str,
    child: &mut ChildGuard,
    log: &Path,
    timeout: Duration,
) -> Result<()> {
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Some(status) = child.exited() {
            bail!(
                "{} exited with {status} before it was ready; log:\n{}",
                child.name,
                read_log(log)
            );
        }
        let answered = client.get(url).timeout(Duration::from_secs(2)).send().await;
        if answered.is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        if started.elapsed() > timeout {
            bail!(
                "{} not ready at {url} after {timeout:?}; log:\n{}",
                child.name,
                read_log(log)
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Poll `check` every 100 ms until it returns `Some`, or fail after `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return Ok(value);
        }
        if started.elapsed() > timeout {
            bail!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn read_log(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let tail: Vec<&str> = text.lines().rev().take(60).collect();
    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
}
