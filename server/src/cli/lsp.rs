//! `testgap lsp`: the Language Server Protocol on stdin/stdout.

use super::exit;

/// Flags of `testgap lsp`.
#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Accepted for clients that always pass it; stdio is the only transport.
    #[arg(long, hide = true)]
    stdio: bool,
}

/// Serves until the client exits: 0 after `shutdown`, 1 without it.
pub fn run(_args: LspArgs) -> Result<u8, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let orderly = runtime.block_on(testgap::lsp::serve_stdio());
    // Tests or probes still running for a job nobody waits for any more go
    // with the server; blocking tasks (a report still loading) must not keep
    // the process alive.
    testgap::pyenv::process::kill_running();
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    // The protocol: exit after `shutdown` is 0, without it 1.
    Ok(if orderly { exit::OK } else { exit::EXIT_WITHOUT_SHUTDOWN })
}
