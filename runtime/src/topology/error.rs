//! [`TopologyError`]: why a topology could not be read.

use std::fmt;
use std::path::PathBuf;

/// Why a topology could not be read.
///
/// ```
/// use metronome_runtime::topology::Topology;
/// let err = Topology::from_sysfs("/nonexistent/sys").unwrap_err();
/// assert!(err.to_string().starts_with("cannot read `/nonexistent/sys/cpu"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum TopologyError {
    /// A file or directory could not be read.
    Io {
        /// What was read.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// A file held something unexpected.
    Parse {
        /// The file.
        path: PathBuf,
        /// Its (trimmed) content.
        text: String,
    },
    /// The source described no processing unit.
    Empty,
    /// hwloc failed (cargo feature `hwloc`).
    Hwloc(String),
}

impl fmt::Display for TopologyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopologyError::Io { path, source } => {
                write!(f, "cannot read `{}`: {source}", path.display())
            }
            TopologyError::Parse { path, text } => {
                write!(f, "unexpected content `{text}` in `{}`", path.display())
            }
            TopologyError::Empty => write!(f, "the topology has no processing unit"),
            TopologyError::Hwloc(message) => write!(f, "hwloc: {message}"),
        }
    }
}

impl std::error::Error for TopologyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TopologyError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
