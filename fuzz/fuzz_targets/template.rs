#![no_main]
//! Fuzz target `template`: see `promspec_fuzz::targets::template`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| promspec_fuzz::run(promspec_fuzz::targets::template, data));
