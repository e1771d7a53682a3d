//! Save and load (feature `serde`): `game.save(writer, Format::Json | Format::Binary)` and
//! `Game::load(reader, format)` of a world declared with the `serde` key.
//!
//! A save is a document of two parts: the [`Layout`] header (world name, archetypes with
//! their components in column order, sparse components, resources), then the world's
//! [`WorldData`](crate::snapshot::WorldData). A load reads the header first and refuses a
//! save of another layout with a message naming the difference; it then reads the data
//! and rebuilds a new world from it, checking it as it goes. It returns the world or an
//! error, never a partial world.
//!
//! - [`Format::Json`]: `serde_json`, readable and editable. It carries no checksum (an
//!   edit that still describes a consistent world loads as that world). Non-finite
//!   floats (`NaN`, infinities) have no JSON form: a component holding one fails to
//!   save as JSON (use the binary form).
//! - [`Format::Binary`]: `postcard` (varint integers, no padding: the smallest of the
//!   maintained serde binary formats, with a documented, stable wire format; bincode's
//!   current release line is not maintained), framed by a magic number (with the binary
//!   form's version, 6) and followed by a 64-bit checksum of the data, so a truncated or
//!   corrupted file is an error, never a different world. It is written in frames of
//!   64 KiB, each followed by the checksum of everything up to its end, and read back a
//!   frame at a time, each checked before any of its bytes is decoded: neither side
//!   holds the whole save in memory. The checksum (`checksum.rs`: 32 lanes of 64-bit
//!   words, each step one 32x32 -> 64-bit multiplication, vectorised) always changes
//!   when any one 8-byte word of the data changes.
//!
//! The data is column by column (see [`WorldData`](crate::snapshot::WorldData)): each
//! component's column is one sequence of its values in JSON, and in the binary form a
//! sequence of chunks, each a count and a byte string of that many values (a load
//! decodes a chunk's values from one slice). The world's own lists (the entity
//! index's generations and free list, each table's row owners) are number sequences in
//! JSON; in the binary form each is a tag byte and, whichever is shorter, either the
//! values raw (tag 0: little-endian byte strings, 4 bytes per `u32`, 8 per entity:
//! index, then generation) or runs (tag 1: per run, two varints, the first value and
//! `count * 2 + step`, `count` values each `step`, 0 or 1, more than the one before; at
//! most 2^20 values in a list of runs). A freshly spawned world's lists are a run each.

mod checksum;
mod chunks;
mod document;
mod frames;
mod impls;
mod layout;
pub(crate) mod lists;
mod rows;
mod stream;

#[doc(hidden)]
pub use chunks::SavedColumn;
pub use layout::Layout;
#[doc(hidden)]
pub use lists::{AsEntities, FromEntities};
#[doc(hidden)]
pub use rows::Columns;
/// The `serde` crate, for the checks `#[world(serde, ...)]` generates.
#[doc(hidden)]
pub use serde;

use std::fmt;
use std::io::{Read, Write};

/// How `save` writes a world and `load` reads one.
///
/// ```
/// use metronome_runtime::save::Format;
/// assert_ne!(Format::Json, Format::Binary);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// JSON through `serde_json`: readable, editable, larger.
    Json,
    /// `postcard` with a magic number and a checksum: compact, and a corrupted or
    /// truncated file is always an error.
    Binary,
}

/// Why a save failed.
///
/// ```
/// use metronome_runtime::save::SaveError;
/// let err = SaveError::Encode("NaN has no JSON form".into());
/// assert!(err.to_string().contains("NaN"));
/// ```
#[derive(Debug)]
pub enum SaveError {
    /// The writer failed.
    Io(std::io::Error),
    /// A value could not be encoded (a non-finite float in JSON, a `Serialize` impl
    /// that failed).
    Encode(String),
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaveError::Io(e) => write!(f, "cannot write the save: {e}"),
            SaveError::Encode(e) => write!(f, "cannot encode the world: {e}"),
        }
    }
}

impl std::error::Error for SaveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SaveError::Io(e) => Some(e),
            SaveError::Encode(_) => None,
        }
    }
}

/// Why a load failed; no world was made.
///
/// ```
/// use metronome_runtime::save::LoadError;
/// let err = LoadError::Layout("the save is of world `Menu`, this is world `Game`".into());
/// assert!(err.to_string().contains("`Menu`"));
/// ```
#[derive(Debug)]
pub enum LoadError {
    /// The reader failed.
    Io(std::io::Error),
    /// The save was written by a world of another layout: what differs.
    Layout(String),
    /// The input is not a well-formed save (truncated, corrupted, not a save at all).
    Corrupt(String),
    /// The input is well-formed but does not describe a consistent world (an entity
    /// with two rows, a sparse value of a dead entity, ...): what is wrong.
    Inconsistent(String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(e) => write!(f, "cannot read the save: {e}"),
            LoadError::Layout(e) => write!(f, "the save is of another world layout: {e}"),
            LoadError::Corrupt(e) => write!(f, "the save is corrupt or truncated: {e}"),
            LoadError::Inconsistent(e) => {
                write!(f, "the save does not describe a consistent world: {e}")
            }
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// The first bytes of a binary save: [`MAGIC_NAME`] and the binary form's version.
const MAGIC: &[u8; 8] = b"MTNMSAV6";
/// The first 7 bytes of every binary save, of any version.
const MAGIC_NAME: &[u8; 7] = b"MTNMSAV";

/// Writes `layout`'s header and `data` to `writer` in `format` (the generated `save`
/// calls it with the world's data, borrowed).
pub fn save<D: serde::Serialize>(
    mut writer: impl Write,
    format: Format,
    layout: &Layout,
    data: &D,
) -> Result<(), SaveError> {
    let document = document::Out { layout, data };
    match format {
        Format::Json => {
            // Through a buffer, not into one `Vec` of the whole text.
            let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, &mut writer);
            serde_json::to_writer(&mut buffered, &document).map_err(|e| {
                if e.is_io() {
                    SaveError::Io(e.into())
                } else {
                    SaveError::Encode(e.to_string())
                }
            })?;
            buffered.flush().map_err(SaveError::Io)?;
        }
        Format::Binary => {
            writer.write_all(MAGIC).map_err(SaveError::Io)?;
            // Through a fixed buffer flushed to `writer` as it fills, the checksum
            // computed on the way: the save is never held whole in memory.
            let mut failed = None;
            let rest = postcard::serialize_with_flavor(
                &document,
                stream::Chunked::new(&mut writer, &mut failed),
            );
            if let Some(e) = failed {
                return Err(SaveError::Io(e));
            }
            rest.map_err(|e| SaveError::Encode(e.to_string()))?
                .end()
                .map_err(SaveError::Io)?;
        }
    }
    writer.flush().map_err(SaveError::Io)
}

/// Reads a save of `layout` from `reader` in `format`: the header first (a save of
/// another layout is a [`LoadError::Layout`]), then the data.
pub fn load<D: serde::de::DeserializeOwned>(
    mut reader: impl Read,
    format: Format,
    layout: &Layout,
) -> Result<D, LoadError> {
    let mismatch = std::cell::RefCell::new(None);
    let seed = document::In::<D>::new(layout, &mismatch);
    let result = match format {
        Format::Json => {
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).map_err(LoadError::Io)?;
            let mut de = serde_json::Deserializer::from_slice(&bytes);
            serde::de::DeserializeSeed::deserialize(seed, &mut de)
                .and_then(|data| de.end().map(|()| data))
                .map_err(|e| frames::Failure::Corrupt(e.to_string()))
        }
        Format::Binary => {
            check_magic(&mut reader)?;
            let kept = frames::Kept::default();
            let mut de = postcard::Deserializer::from_flavor(frames::Frames::new(reader, &kept));
            let data = serde::de::DeserializeSeed::deserialize(seed, &mut de);
            let Ok(frames) = de.finalize() else {
                unreachable!("`Frames::finalize` always succeeds")
            };
            match data {
                // The frames' failure (the reader's, a bad checksum, the end of the
                // input) comes first: the format's error only says that it stopped.
                Ok(data) => frames.end().map(|()| data),
                Err(e) => Err(frames
                    .failure()
                    .unwrap_or_else(|| frames::Failure::Corrupt(e.to_string()))),
            }
        }
    };
    result.map_err(|failure| match (failure, mismatch.into_inner()) {
        (frames::Failure::Io(e), _) => LoadError::Io(e),
        (_, Some(layout::Mismatch::Layout(what))) => LoadError::Layout(what),
        (_, Some(layout::Mismatch::NotASave)) => {
            LoadError::Corrupt("not a metronome save (its header names another format)".into())
        }
        (frames::Failure::Corrupt(e), None) => LoadError::Corrupt(e),
    })
}

/// Reads the magic number of a binary save: `Err` if the input is not one, or is one of
/// another version.
fn check_magic(reader: &mut impl Read) -> Result<(), LoadError> {
    let mut magic = [0u8; 8];
    let mut filled = 0;
    while filled < magic.len() {
        match reader.read(&mut magic[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n.min(magic.len() - filled),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(LoadError::Io(e)),
        }
    }
    if magic == *MAGIC {
        return Ok(());
    }
    if filled == magic.len() && magic.starts_with(MAGIC_NAME) {
        return Err(LoadError::Layout(format!(
            "the save is a binary save of version {}, this build reads version {}",
            magic[7] as char, MAGIC[7] as char
        )));
    }
    Err(LoadError::Corrupt(
        "not a binary metronome save (no magic number)".into(),
    ))
}
