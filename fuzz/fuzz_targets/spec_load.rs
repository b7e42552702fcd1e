#![no_main]
//! Fuzz target `spec_load`: see `promspec_fuzz::targets::spec_load`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| promspec_fuzz::run(promspec_fuzz::targets::spec_load, data));
