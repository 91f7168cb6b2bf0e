//! A throwaway PostgreSQL cluster for tests, from Debian's server binaries
//! (`/usr/lib/postgresql/<version>/bin`, package `postgresql`): `initdb`
//! into a temporary directory, started on 127.0.0.1 with a free port and
//! its unix socket in that directory, stopped (`-m immediate`) and removed
//! on drop. Run as root (CI), the server runs as the `postgres` user. The
//! store suite uses it, and so do the end-to-end tests (feature `testdb`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::Connection;

pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    /// The server's `-o` options (port, socket directory, fsync).
    options: String,
    as_postgres: bool,
    databases: AtomicUsize,
    // Last: removed after the server is stopped.
    _dir: tempfile::TempDir,
}

/// The newest installed server's `bin` directory.
fn server_bin() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL's server binaries are missing (no /usr/lib/postgresql/*/bin/initdb): \
             install the Debian package `postgresql` (apt-get install --no-install-recommends \
             postgresql; .ci/run does) to run the PostgreSQL store tests"
        ),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl Cluster {
    /// initdb and start; panics (naming the package) when PostgreSQL is not
    /// installed, so a machine without it never passes silently. Tests run
    /// with `fsync=off` (nothing here must survive power loss).
    pub fn start() -> Cluster {
        Cluster::start_with(false)
    }

    /// A cluster that fsyncs its commits, as a production server does: what
    /// benchmarks compare with SQLite's `synchronous = FULL`.
    pub fn start_durable() -> Cluster {
        Cluster::start_with(true)
    }

    fn start_with(durable: bool) -> Cluster {
        let bin = server_bin();
        let dir = tempfile::tempdir().unwrap();
        let as_postgres = is_root();
        if as_postgres {
            // initdb and the server refuse to run as root.
            run(Command::new("chown")
                .arg("postgres:postgres")
                .arg(dir.path()));
        }
        let data = dir.path().join("data");
        let mut cluster = Cluster {
            bin,
            data,
            port: 0,
            options: String::new(),
            as_postgres,
            databases: AtomicUsize::new(0),
            _dir: dir,
        };
        cluster.run_tool(
            "initdb",
            &[
                "-D".as_ref(),
                cluster.data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--locale=C".as_ref(),
                "--no-sync".as_ref(),
            ],
        );
        cluster.port = free_port();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync={} -c max_connections=60",
            cluster.port,
            cluster._dir.path().display(),
            if durable { "on" } else { "off" },
        );
        cluster.options = options;
        cluster.start_server();
        cluster
    }

    fn start_server(&self) {
        let log = self._dir.path().join("server.log");
        self.run_tool(
            "pg_ctl",
            &[
                "-D".as_ref(),
                self.data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                self.options.as_ref(),
                "-w".as_ref(),
                "start".as_ref(),
            ],
        );
    }

    /// Stop the server as an outage does (fast: every connection is cut).
    pub fn stop(&self) {
        self.run_tool(
            "pg_ctl",
            &[
                "-D".as_ref(),
                self.data.as_os_str(),
                "-m".as_ref(),
                "fast".as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        );
    }

    /// Start the server again after [`Cluster::stop`], on the same port.
    pub fn resume(&self) {
        self.start_server();
    }

    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn run_tool(&self, tool: &str, args: &[&std::ffi::OsStr]) {
        run(self.command(tool).args(args).current_dir(self._dir.path()));
    }

    /// `postgres://postgres@127.0.0.1:<port>/<database>`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// A new, empty database; its URL.
    pub async fn fresh_database(&self) -> String {
        let name = format!("t{}", self.databases.fetch_add(1, Ordering::Relaxed));
        let mut admin = sqlx::PgConnection::connect(&self.url("postgres"))
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
        self.url(&name)
    }

    pub fn dir(&self) -> &Path {
        self._dir.path()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let stopped = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .output();
        if let Ok(out) = stopped
            && !out.status.success()
        {
            eprintln!(
                "pg_ctl stop failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

fn run(command: &mut Command) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
