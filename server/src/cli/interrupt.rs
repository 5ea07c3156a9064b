//! Ctrl-C while `generate` or `fix` runs the project's code.

use super::exit;

/// On Ctrl-C (or a termination request) while tests or probes run, kills
/// their process groups, which the terminal's signal does not reach, then
/// exits with 130 (143 for SIGTERM). Nothing is written after a signal:
/// files are only ever replaced whole, by rename.
pub fn stop_children_on_signal() {
    std::thread::spawn(|| {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        let code = runtime.block_on(wait_for_signal());
        let stopped = testgap::pyenv::process::kill_running();
        if stopped > 0 {
            eprintln!("testgap: interrupted; stopped the {stopped} run(s) in progress");
        } else {
            eprintln!("testgap: interrupted");
        }
        std::process::exit(code);
    });
}

/// The exit code the signal that arrived calls for.
async fn wait_for_signal() -> i32 {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut terminate) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return exit::INTERRUPTED;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => exit::INTERRUPTED,
            _ = terminate.recv() => exit::TERMINATED,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        exit::INTERRUPTED
    }
}
