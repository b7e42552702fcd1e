//! One file per command; each calls one library function.

pub mod build;
pub mod catalog;
pub mod diff;
pub mod explain;
pub mod import;
pub mod init;
pub mod lint;
pub mod routes;
pub mod schema;
pub mod test;
