//! promspec's fuzz targets. Each libFuzzer binary in `fuzz_targets/` calls
//! one function of [`targets`]; the test suite replays the committed corpus
//! through the same functions.

pub mod targets;
