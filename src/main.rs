//! The `communique` command: parses arguments, calls the library, prints, and picks the exit
//! code (0: something matched or all went well, 1: nothing matched or something was skipped,
//! 2: error).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // One line instead of a backtrace: the library turns panics raised while reading a damaged
    // index into errors, which are reported below with what to do.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("communique: internal error: {info}");
    }));
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            cli::output::print_error(&err);
            ExitCode::from(2)
        }
    }
}

/// A closed pipe (`communique search kursk | head -1`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
