//! The `communique` command: parses arguments, calls the library, prints, and picks the exit
//! code (0: something matched or all went well, 1: nothing matched or something was skipped,
//! 2: error).

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// Has glibc give every block of 128 KiB or more its own mapping, returned to the system when
/// freed. By default glibc raises that threshold to the largest block freed so far (up to
/// 32 MiB), after which the indexing writer's arena pages and buffers come from the heap and
/// stay resident once freed: a 190 MB build peaked 140 MiB higher.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_large_blocks_out_of_the_heap() {
    // SAFETY: `mallopt` only sets a parameter of the allocator; it is called before any other
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_large_blocks_out_of_the_heap() {}

/// The last panic of the main thread, reported only if nothing caught it.
static MAIN_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

fn main() -> ExitCode {
    // One line instead of a backtrace. The library turns panics raised while reading a damaged
    // index into errors, reported below with what to do, so a panic of the main thread is only
    // said if it reaches `main`; another thread's (the server's) goes to its log at once.
    std::panic::set_hook(Box::new(|info| {
        if std::thread::current().name() == Some("main") {
            *MAIN_PANIC.lock().unwrap_or_else(|p| p.into_inner()) = Some(info.to_string());
        } else {
            eprintln!("communique: internal error: {info}");
        }
    }));
    let args = cli::Cli::parse();
    // A short search gains nothing from returning memory, and would pay a mapping for each
    // large block.
    if args.writes_index() {
        keep_large_blocks_out_of_the_heap();
    }
    let outcome = std::panic::catch_unwind(|| cli::run(args));
    let Ok(result) = outcome else {
        let what = MAIN_PANIC.lock().unwrap_or_else(|p| p.into_inner()).take();
        eprintln!(
            "communique: internal error: {} (please report it)",
            what.as_deref().unwrap_or("a panic")
        );
        return ExitCode::from(2);
    };
    match result {
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
