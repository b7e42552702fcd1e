#![no_main]
//! Fuzz target `render`: see `promspec_fuzz::targets::render`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| promspec_fuzz::run(promspec_fuzz::targets::render, data));
