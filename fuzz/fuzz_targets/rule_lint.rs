#![no_main]
//! Fuzz target `rule_lint`: see `promspec_fuzz::targets::rule_lint`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| promspec_fuzz::run(promspec_fuzz::targets::rule_lint, data));
