//! The `testgap` binary: the command line ([`cli`]) over the library.

mod cli;

// Parsing, the coverage join and the LSP's JSON make many small short-lived
// allocations; mimalloc serves them faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
