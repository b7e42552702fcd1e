//! promspec's fuzz targets. Each libFuzzer binary in `fuzz_targets/` runs
//! one function of [`targets`] through [`run`]; the test suite replays the
//! committed corpus through the same functions.

pub mod targets;

use std::sync::{Mutex, Once};

/// The last panic's message, location and backtrace (on any thread: the
/// linter spreads its work over threads).
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

/// Run `target` on `data`; abort (a crash for libFuzzer) when a panic
/// escapes it.
///
/// libfuzzer-sys aborts on every panic, but promspec's PromQL facade catches
/// the parser's panics on purpose: only a panic that escapes promspec's API
/// is a bug, so the hook here only remembers the message, and the panic is
/// judged once it has unwound out of the target.
pub fn run(target: targets::Target, data: &[u8]) {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let backtrace = std::backtrace::Backtrace::capture();
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = format!("{info}\n{backtrace}");
            }
        }));
    });
    if std::panic::catch_unwind(|| target(data)).is_err() {
        if let Ok(last) = LAST_PANIC.lock() {
            eprintln!("panic escaped the target: {last}");
        }
        std::process::abort();
    }
}
