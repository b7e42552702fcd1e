//! `slos/*`: rules about service level objectives (`slos:` in a feature
//! spec): burn-rate windows the data can answer, and SLIs whose ratio
//! stays between 0 and 1.

pub mod errors_not_subset;
pub mod latency_bucket;
pub mod window_range;
