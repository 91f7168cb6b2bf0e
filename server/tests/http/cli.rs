//! The binary's command line. (Also makes `cargo test` build the binary that
//! the `tests/` crate's harness starts.)

use std::process::Command;

fn portal() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_runbook-portal"));
    command.env_clear();
    command
}

#[test]
fn help_lists_the_documented_flags() {
    let output = portal().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--config",
        "--listen",
        "--database",
        "--runbooks",
        "--rules",
        "--prometheus",
        "--alertmanager",
        "--public-url",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn config_prints_merged_configuration() {
    let output = portal()
        .args([
            "--listen",
            "127.0.0.1:4000",
            "--public-url",
            "https://portal.example.com",
            "config",
        ])
        .env("RUNBOOK_PORTAL_DATABASE", "from-env.db")
        .env("RUNBOOK_PORTAL_AUTH__PROXY_HEADER", "X-Forwarded-User")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("listen = \"127.0.0.1:4000\""), "{text}");
    assert!(text.contains("database = \"from-env.db\""), "{text}");
    assert!(
        text.contains("public_url = \"https://portal.example.com\""),
        "{text}"
    );
    assert!(
        text.contains("proxy_header = \"X-Forwarded-User\""),
        "{text}"
    );
}

#[test]
fn bad_configuration_is_a_clear_error() {
    let output = portal()
        .args(["--prometheus", "not a url", "config"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("invalid configuration"), "{err}");

    let output = portal()
        .args(["--config", "/nonexistent/portal.toml", "config"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not exist"));
}

#[test]
fn a_postgres_url_without_a_server_fails_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let output = portal()
        .current_dir(dir.path())
        .args([
            "--listen",
            "127.0.0.1:0",
            "--database",
            "postgres://portal@127.0.0.1/portal",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        format!("{out}{err}").contains("cannot connect to PostgreSQL"),
        "{out}{err}"
    );
    assert!(
        !dir.path().join("postgres:").exists(),
        "no SQLite file was created for the URL"
    );
}

/// At the default level a start shows the portal's own events, not the
/// search library's commits and merges.
#[test]
fn the_default_log_is_the_portals_own() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let mut child = portal()
        .current_dir(dir.path())
        .args(["--listen", "127.0.0.1:0", "--database", "portal.db"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut lines = Vec::new();
    while Instant::now() < deadline {
        match lines_rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                let listening = line.contains("listening");
                lines.push(line);
                if listening {
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    // Let the first index commits and merges happen, then stop.
    std::thread::sleep(Duration::from_secs(1));
    lines.extend(lines_rx.try_iter());
    let _ = child.kill();
    let _ = child.wait();
    let log = lines.join("\n");
    assert!(
        log.contains("listening"),
        "the portal did not start:\n{log}"
    );
    assert!(
        !log.contains("tantivy"),
        "library chatter at the default level:\n{log}"
    );
    assert!(lines.len() < 30, "{} lines at start:\n{log}", lines.len());
}
