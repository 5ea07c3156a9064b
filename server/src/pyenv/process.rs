//! Running a child process with a deadline: in its own process group, with
//! stdin fed from memory and stdout/stderr captured up to a cap. On timeout
//! the whole group is killed; the child is always reaped, and whatever it
//! left behind in its group is killed too.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

/// Limits for one run.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall-clock time before the process group is killed.
    pub timeout: Duration,
    /// Bytes kept of stdout and of stderr each; the rest is read and dropped
    /// so the child never blocks on a full pipe.
    pub output_cap: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(60),
            output_cap: 16 << 20,
        }
    }
}

/// What a finished (or killed) child did.
#[derive(Debug)]
pub struct Output {
    /// `None` when the child was killed (on timeout or stall).
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
    pub timed_out: bool,
    /// Killed because stdout was silent for longer than the stall limit of
    /// [`run_watching`].
    pub stalled: bool,
    pub elapsed: Duration,
}

impl Output {
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// The last lines of stderr, for error messages.
    pub fn stderr_tail(&self, lines: usize) -> String {
        let text = self.stderr_text();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

/// Why a child could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{} does not exist", .program.display())]
    NotFound { program: PathBuf },
    #[error("cannot run {}: {source}", .program.display())]
    Spawn { program: PathBuf, source: std::io::Error },
}

/// Runs `command` to completion or until `limits.timeout`, feeding it
/// `stdin`. The command's stdio settings are replaced.
pub fn run(command: Command, stdin: &[u8], limits: Limits) -> Result<Output, RunError> {
    run_watching(command, stdin, limits, None)
}

/// [`run`], also killing the group when stdout has been silent for longer
/// than `stall`: for children that report progress as they go, so a hang is
/// noticed long before the overall deadline.
pub fn run_watching(
    mut command: Command,
    stdin: &[u8],
    limits: Limits,
    stall: Option<Duration>,
) -> Result<Output, RunError> {
    let program = PathBuf::from(command.get_program());
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    new_process_group(&mut command);
    let started = Instant::now();
    let mut child = command.spawn().map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            RunError::NotFound {
                program: program.clone(),
            }
        } else {
            RunError::Spawn {
                program: program.clone(),
                source,
            }
        }
    })?;
    let group = child.id();
    let _running = Running::register(group);

    // A child that never reads its stdin must not block us: write from a thread.
    let input = stdin.to_vec();
    let mut pipe_in = child.stdin.take();
    let writer = thread::spawn(move || {
        if let Some(pipe) = pipe_in.as_mut() {
            // A child that exits early closes the pipe: not our problem.
            let _ = pipe.write_all(&input);
        }
        drop(pipe_in);
    });
    let (tx, rx) = mpsc::channel();
    // Milliseconds after the start at which stdout last said something.
    let activity = Arc::new(AtomicU64::new(0));
    let readers = [
        child.stdout.take().map(|p| {
            let clock = Some((started, activity.clone()));
            spawn_reader(p, limits.output_cap, 0, tx.clone(), clock)
        }),
        child
            .stderr
            .take()
            .map(|p| spawn_reader(p, limits.output_cap, 1, tx.clone(), None)),
    ];
    drop(tx);

    let watch = Watch {
        deadline: started + limits.timeout,
        stall: stall.map(|s| (s, started, activity)),
    };
    let (status, ended) = wait_with_deadline(&mut child, &watch);
    // Whatever the child started in its group goes with it, so pipes close
    // and nothing outlives the run.
    kill_group(group, &mut child);
    let _ = writer.join();

    let mut captured = [(Vec::new(), false), (Vec::new(), false)];
    let expected = readers.iter().filter(|r| r.is_some()).count();
    // A grandchild that left the group may keep a pipe open: do not wait for
    // it forever.
    let drain_deadline = Instant::now() + Duration::from_secs(2);
    for _ in 0..expected {
        let left = drain_deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((index, bytes, truncated)) => captured[index] = (bytes, truncated),
            Err(_) => break,
        }
    }
    let [(stdout, stdout_truncated), (stderr, stderr_truncated)] = captured;
    Ok(Output {
        status,
        stdout,
        stderr,
        stdout_truncated,
        stderr_truncated,
        timed_out: ended == Ended::Deadline,
        stalled: ended == Ended::Stall,
        elapsed: started.elapsed(),
    })
}

/// Process groups of the children running now, so that a server that
/// exits mid-run takes them with it ([`kill_running`]).
static RUNNING: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());

/// One entry of [`RUNNING`], removed when the run ends however it ends.
struct Running(u32);

impl Running {
    fn register(group: u32) -> Running {
        RUNNING.lock().unwrap_or_else(|p| p.into_inner()).push(group);
        Running(group)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|g| *g != self.0);
    }
}

/// Kills the process groups of every child still running (a job the
/// process will not wait for, as it exits). Returns how many there were.
pub fn kill_running() -> usize {
    let groups: Vec<u32> = RUNNING.lock().unwrap_or_else(|p| p.into_inner()).drain(..).collect();
    #[cfg(unix)]
    for group in &groups {
        signal::send(-(*group as i32), signal::KILL);
    }
    groups.len()
}

type Captured = (usize, Vec<u8>, bool);

/// When to give up on a child.
struct Watch {
    deadline: Instant,
    stall: Option<(Duration, Instant, Arc<AtomicU64>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    Exited,
    Deadline,
    Stall,
}

fn spawn_reader(
    mut pipe: impl Read + Send + 'static,
    cap: usize,
    index: usize,
    tx: mpsc::Sender<Captured>,
    clock: Option<(Instant, Arc<AtomicU64>)>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut truncated = false;
        let mut buf = [0u8; 64 * 1024];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if let Some((start, last)) = &clock {
                        last.store(start.elapsed().as_millis() as u64, Ordering::Relaxed);
                    }
                    let room = cap.saturating_sub(kept.len());
                    if n > room {
                        truncated = true;
                    }
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let _ = tx.send((index, kept, truncated));
    })
}

/// Polls the child until it exits, the deadline passes or stdout stalls; in
/// the last two cases the group is killed and the child reaped.
fn wait_with_deadline(child: &mut Child, watch: &Watch) -> (Option<ExitStatus>, Ended) {
    let mut pause = Duration::from_millis(1);
    let why = loop {
        match child.try_wait() {
            Ok(Some(status)) => return (Some(status), Ended::Exited),
            Ok(None) => {}
            Err(_) => break Ended::Deadline,
        }
        let now = Instant::now();
        if now >= watch.deadline {
            break Ended::Deadline;
        }
        if let Some((stall, start, last)) = &watch.stall {
            let quiet_since = *start + Duration::from_millis(last.load(Ordering::Relaxed));
            if now.saturating_duration_since(quiet_since) > *stall {
                break Ended::Stall;
            }
        }
        thread::sleep(pause.min(watch.deadline - now));
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    let group = child.id();
    kill_group(group, child);
    // Reap: after SIGKILL this returns promptly.
    let status = child.wait().ok();
    match status {
        // It exited on its own between the last poll and the kill.
        Some(s) if !was_killed(&s) => (Some(s), Ended::Exited),
        _ => (None, why),
    }
}

#[cfg(unix)]
fn was_killed(status: &ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(signal::KILL)
}

#[cfg(not(unix))]
fn was_killed(_status: &ExitStatus) -> bool {
    true
}

#[cfg(unix)]
fn new_process_group(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

#[cfg(not(unix))]
fn new_process_group(_command: &mut Command) {}

/// Kills every process in the group led by `group` (the child's pid).
#[cfg(unix)]
fn kill_group(group: u32, _child: &mut Child) {
    signal::send(-(group as i32), signal::KILL);
}

#[cfg(not(unix))]
fn kill_group(_group: u32, child: &mut Child) {
    let _ = child.kill();
}

#[cfg(unix)]
pub(crate) mod signal {
    pub const KILL: i32 = 9;

    // std links the C library on every unix; kill(2) is all we need of it.
    unsafe extern "C" {
        fn kill(pid: i32, sig: i32) -> i32;
    }

    /// Sends `sig` to `pid` (a negative pid names a process group). Returns
    /// whether the target existed.
    pub fn send(pid: i32, sig: i32) -> bool {
        // SAFETY: kill(2) takes two integers and touches no memory of ours.
        unsafe { kill(pid, sig) == 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.arg("-c").arg(script);
        command
    }

    fn quick(timeout_ms: u64, cap: usize) -> Limits {
        Limits {
            timeout: Duration::from_millis(timeout_ms),
            output_cap: cap,
        }
    }

    #[test]
    fn a_silent_child_is_killed_on_stall_not_at_the_deadline() {
        let started = Instant::now();
        // Talks for a while, then goes quiet.
        let out = run_watching(
            sh("for i in 1 2 3 4 5; do echo $i; sleep 0.1; done; sleep 30"),
            b"",
            quick(60_000, 1024),
            Some(Duration::from_millis(400)),
        )
        .unwrap();
        assert!(out.stalled && !out.timed_out);
        assert_eq!(out.stdout_text(), "1\n2\n3\n4\n5\n");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn captures_output_and_status() {
        let out = run(sh("cat; echo err >&2; exit 3"), b"hello", quick(10_000, 1024)).unwrap();
        assert_eq!(out.stdout, b"hello");
        assert_eq!(out.stderr, b"err\n");
        assert_eq!(out.code(), Some(3));
        assert!(!out.timed_out);
    }

    #[test]
    fn output_is_capped_without_blocking_the_child() {
        let out = run(sh("head -c 1000000 /dev/zero; echo done >&2"), b"", quick(10_000, 100)).unwrap();
        assert_eq!(out.stdout.len(), 100);
        assert!(out.stdout_truncated);
        assert_eq!(out.stderr, b"done\n");
        assert!(out.success());
    }

    #[test]
    fn a_hanging_child_and_its_group_are_killed() {
        let started = Instant::now();
        // The shell starts a grandchild in the same group, then both hang.
        let out = run(sh("sleep 30 & echo $!; sleep 30"), b"", quick(300, 1024)).unwrap();
        assert!(out.timed_out);
        assert!(out.status.is_none());
        assert!(started.elapsed() < Duration::from_secs(10));
        let grandchild: u32 = out.stdout_text().trim().parse().unwrap();
        assert_gone(grandchild);
    }

    /// Waits a little for `pid` to be gone (or a zombie awaiting its reaper).
    fn assert_gone(pid: u32) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let state = stat.rsplit(')').next().and_then(|r| r.trim().chars().next());
            if matches!(state, None | Some('Z') | Some('X')) {
                return;
            }
            assert!(Instant::now() < deadline, "process {pid} survived: {stat}");
            thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn stragglers_are_killed_after_a_normal_exit() {
        let out = run(sh("sleep 30 & echo $!"), b"", quick(10_000, 1024)).unwrap();
        assert!(out.success());
        let pid: u32 = out.stdout_text().trim().parse().unwrap();
        assert_gone(pid);
    }

    #[test]
    fn a_missing_program_is_a_clear_error() {
        let err = run(Command::new("/nonexistent/bin/python"), b"", Limits::default()).unwrap_err();
        assert_eq!(err.to_string(), "/nonexistent/bin/python does not exist");
    }
}
