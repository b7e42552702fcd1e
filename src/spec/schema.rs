//! The JSON schema of the spec, generated from the raw types' doc comments.
//!
//! `schemas/promspec.schema.json` describes a feature spec and
//! `schemas/project.schema.json` the project file; each spec names its schema
//! in a `# yaml-language-server: $schema=...` first line so editors complete
//! and validate it.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::source::Spanned;
use crate::spec::decode::{Expression, NamedMap};
use crate::spec::raw;

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

impl<T: JsonSchema> JsonSchema for NamedMap<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Map_of_{}", T::schema_name()).into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let value = generator.subschema_for::<T>();
        json_schema!({
            "type": "object",
            "additionalProperties": value,
        })
    }
}

impl JsonSchema for Expression {
    fn schema_name() -> Cow<'static, str> {
        "PromQL".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A PromQL expression.",
            "minLength": 1,
        })
    }
}

impl JsonSchema for raw::Quantity {
    fn schema_name() -> Cow<'static, str> {
        "Quantity".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": ["string", "number"],
            "description": "A number, or a value with a unit such as `3s`, `500ms`, `5%`, `512MiB`, `1000/min`.",
        })
    }
}

impl JsonSchema for raw::Count {
    fn schema_name() -> Cow<'static, str> {
        "Count".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "integer",
            "minimum": 1,
            "description": "A whole number, at least 1.",
        })
    }
}

impl JsonSchema for raw::Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A Prometheus duration such as `30s`, `5m`, `1h30m`.",
            "pattern": "^(0|([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$",
        })
    }
}

fn pretty(schema: &Schema) -> String {
    let mut s = serde_json::to_string_pretty(schema).expect("a schema serializes");
    s.push('\n');
    s
}

/// The JSON schema of a feature spec, pretty-printed.
pub fn feature_schema() -> String {
    let mut schema = schemars::schema_for!(raw::FeatureSpec);
    schema.insert("title".into(), "promspec feature spec".into());
    pretty(&schema)
}

/// The JSON schema of the project file, pretty-printed.
pub fn project_schema() -> String {
    let mut schema = schemars::schema_for!(raw::ProjectFile);
    schema.insert("title".into(), "promspec project file".into());
    pretty(&schema)
}
