//! `targets/*`: rules about what the deployment targets (`targets:` in the
//! project file) can load.

pub mod unsupported_field;
