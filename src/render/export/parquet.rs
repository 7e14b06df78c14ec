//! `export -f parquet`: each group of rows becomes Arrow arrays, then one Parquet row group
//! (Snappy pages, dictionary-encoded where values repeat), encoded column by column with the
//! parquet crate's low-level writers so groups encode on any thread; `write` appends them to
//! the file in order. The writer fills an in-memory buffer that is drained after every row
//! group, so the output needs no seek (standard output works) and memory holds one group.
//! Must not choose or change values: the schema (`SCHEMA`) is the documented contract.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use arrow_array::{
    ArrayRef, Float64Array, Int32Array, Int64Array, StringArray, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::arrow_writer::{ArrowColumnChunk, ArrowRowGroupWriterFactory, compute_leaves};
use parquet::arrow::{ArrowSchemaConverter, add_encoded_arrow_schema_to_metadata};
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;

use super::cells::Export;
use crate::select::row::{Row, Text};

/// The Arrow type and nullability of every column, in `row::COLUMNS` order (a test checks
/// the names). `ts` is UTC microseconds; `line` and `status` are signed so every engine reads
/// them without an unsigned type.
fn schema() -> Schema {
    let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    Schema::new(vec![
        Field::new("ts", ts, true),
        text("file", false),
        Field::new("line", DataType::Int64, false),
        text("source", false),
        text("format", true),
        text("level", true),
        text("request_id", true),
        text("method", true),
        text("endpoint", true),
        text("path", true),
        Field::new("status", DataType::Int32, true),
        Field::new("latency_ms", DataType::Float64, true),
        text("error_type", true),
        text("message", true),
        text("template", true),
        text("nginx_class", true),
        text("upstream", true),
        text("client", true),
        text("stream", true),
        text("pod", true),
        text("container", true),
        text("unit", true),
        text("host", true),
    ])
}

pub struct Parquet<'a> {
    paths: &'a [String],
    schema: SchemaRef,
    factory: ArrowRowGroupWriterFactory,
    /// Touched only by `write` and `finish` (through `get_mut`, never locked): the mutex
    /// only makes the writer shareable with the threads that call `encode`.
    file: Mutex<SerializedFileWriter<Vec<u8>>>,
}

fn io_err(e: ParquetError) -> io::Error {
    match e {
        ParquetError::External(inner) => io::Error::other(inner),
        other => io::Error::other(other),
    }
}

impl<'a> Parquet<'a> {
    pub fn new(paths: &'a [String]) -> io::Result<Parquet<'a>> {
        let schema = Arc::new(schema());
        let mut props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        // Arrow readers get the exact types back (the zone of `ts`).
        add_encoded_arrow_schema_to_metadata(&schema, &mut props);
        let props = Arc::new(props);
        let parquet_schema = ArrowSchemaConverter::new()
            .with_coerce_types(props.coerce_types())
            .convert(&schema)
            .map_err(io_err)?;
        let file = SerializedFileWriter::new(
            Vec::with_capacity(1 << 20),
            parquet_schema.root_schema_ptr(),
            props,
        )
        .map_err(io_err)?;
        let factory = ArrowRowGroupWriterFactory::new(&file, Arc::clone(&schema));
        Ok(Parquet {
            paths,
            schema,
            factory,
            file: Mutex::new(file),
        })
    }

    /// The rows as one Arrow array per column, in schema order.
    fn arrays(&self, rows: &[Row]) -> Vec<ArrayRef> {
        let text = |t: Text| -> ArrayRef {
            Arc::new(StringArray::from_iter(rows.iter().map(|r| r.text(t))))
        };
        vec![
            Arc::new(
                TimestampMicrosecondArray::from_iter(rows.iter().map(|r| r.ts))
                    .with_timezone("UTC"),
            ),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| {
                self.paths.get(r.file as usize).map_or("", String::as_str)
            }))),
            Arc::new(Int64Array::from_iter_values(
                rows.iter().map(|r| r.line.min(i64::MAX as u64) as i64),
            )),
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| r.source.name()),
            )),
            Arc::new(StringArray::from_iter(rows.iter().map(|r| r.format_name()))),
            Arc::new(StringArray::from_iter(rows.iter().map(|r| r.level_name()))),
            text(Text::RequestId),
            text(Text::Method),
            text(Text::Endpoint),
            text(Text::Path),
            Arc::new(Int32Array::from_iter(
                rows.iter().map(|r| r.status.map(i32::from)),
            )),
            Arc::new(Float64Array::from_iter(rows.iter().map(|r| r.latency_ms))),
            text(Text::ErrorType),
            text(Text::Message),
            text(Text::Template),
            text(Text::NginxClass),
            text(Text::Upstream),
            text(Text::Client),
            Arc::new(StringArray::from_iter(rows.iter().map(|r| r.stream_name()))),
            text(Text::Pod),
            text(Text::Container),
            text(Text::Unit),
            text(Text::Host),
        ]
    }

    /// Moves what the writer has produced so far to `out`.
    fn drain(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let file = self
            .file
            .get_mut()
            .map_err(|_| io::Error::other("poisoned"))?;
        file.flush()?;
        let buf = file.inner_mut();
        out.write_all(buf)?;
        buf.clear();
        Ok(())
    }
}

impl Export for Parquet<'_> {
    type Piece = Vec<ArrowColumnChunk>;

    fn encode(&self, rows: &[Row]) -> io::Result<Vec<ArrowColumnChunk>> {
        // The row group's index only matters to encryption, which is not built.
        let mut writers = self.factory.create_column_writers(0).map_err(io_err)?;
        let mut next = writers.iter_mut();
        for (array, field) in self.arrays(rows).iter().zip(self.schema.fields()) {
            for leaf in compute_leaves(field, array).map_err(io_err)? {
                let w = next
                    .next()
                    .ok_or_else(|| io::Error::other("parquet: more leaves than columns"))?;
                w.write(&leaf).map_err(io_err)?;
            }
        }
        writers
            .into_iter()
            .map(|w| w.close().map_err(io_err))
            .collect()
    }

    fn write(&mut self, piece: Vec<ArrowColumnChunk>, out: &mut dyn Write) -> io::Result<()> {
        {
            let file = self
                .file
                .get_mut()
                .map_err(|_| io::Error::other("poisoned"))?;
            let mut group = file.next_row_group().map_err(io_err)?;
            for chunk in piece {
                chunk.append_to_row_group(&mut group).map_err(io_err)?;
            }
            group.close().map_err(io_err)?;
        }
        self.drain(out)
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.file
            .get_mut()
            .map_err(|_| io::Error::other("poisoned"))?
            .finish()
            .map_err(io_err)?;
        self.drain(out)?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::row::COLUMNS;

    #[test]
    fn the_schema_names_the_columns_in_order() {
        let s = schema();
        let names: Vec<&str> = s.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, COLUMNS);
    }
}
