#![no_main]
//! Fuzz target `promql`: see `promspec_fuzz::targets::promql`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| promspec_fuzz::run(promspec_fuzz::targets::promql, data));
