//! Reading memory pressure: Linux PSI (`/proc/pressure/memory`) and, where PSI is absent,
//! the share of memory in use from `/proc/meminfo`.

use std::io;
use std::path::Path;

/// One reading of `/proc/pressure/memory`: the share of the last 10 s (in percent) in
/// which some tasks, and all tasks, were stalled waiting for memory.
///
/// ```
/// use metronome_runtime::pressure::PsiReading;
/// let text = "some avg10=1.50 avg60=0.80 avg300=0.20 total=1234\nfull avg10=0.25 avg60=0.10 avg300=0.00 total=99\n";
/// let r = PsiReading::parse(text).unwrap();
/// assert_eq!((r.some_avg10, r.full_avg10), (1.5, 0.25));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PsiReading {
    /// `some avg10`: percent of time at least one task stalled on memory.
    pub some_avg10: f64,
    /// `full avg10`: percent of time all non-idle tasks stalled on memory (0 where the
    /// kernel has no `full` line).
    pub full_avg10: f64,
}

impl PsiReading {
    /// Parses the text of a PSI file; `None` without a `some` line with `avg10`.
    pub fn parse(text: &str) -> Option<PsiReading> {
        let avg10 = |kind: &str| {
            text.lines()
                .find(|line| line.split_whitespace().next() == Some(kind))
                .and_then(|line| {
                    line.split_whitespace()
                        .find_map(|field| field.strip_prefix("avg10="))
                        .and_then(|value| value.parse::<f64>().ok())
                })
        };
        Some(PsiReading {
            some_avg10: avg10("some")?,
            full_avg10: avg10("full").unwrap_or(0.0),
        })
    }

    /// Reads and parses the PSI file at `path`.
    pub fn read(path: &Path) -> io::Result<PsiReading> {
        let text = std::fs::read_to_string(path)?;
        PsiReading::parse(&text).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: no `some avg10=` line", path.display()),
            )
        })
    }
}

/// One reading of `/proc/meminfo`: total and available memory.
///
/// ```
/// use metronome_runtime::pressure::MeminfoReading;
/// let text = "MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    250 kB\n";
/// let r = MeminfoReading::parse(text).unwrap();
/// assert_eq!(r.used_percent(), 75.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeminfoReading {
    /// `MemTotal`, in kB.
    pub total_kb: u64,
    /// `MemAvailable` (or, on old kernels without it, `MemFree`), in kB.
    pub available_kb: u64,
}

impl MeminfoReading {
    /// Parses the text of a meminfo file; `None` without `MemTotal` or a free figure.
    pub fn parse(text: &str) -> Option<MeminfoReading> {
        let field = |name: &str| {
            text.lines().find_map(|line| {
                let rest = line.strip_prefix(name)?.strip_prefix(':')?;
                rest.split_whitespace().next()?.parse::<u64>().ok()
            })
        };
        let total_kb = field("MemTotal")?;
        let available_kb = field("MemAvailable").or_else(|| field("MemFree"))?;
        (total_kb > 0).then_some(MeminfoReading {
            total_kb,
            available_kb: available_kb.min(total_kb),
        })
    }

    /// Reads and parses the meminfo file at `path`.
    pub fn read(path: &Path) -> io::Result<MeminfoReading> {
        let text = std::fs::read_to_string(path)?;
        MeminfoReading::parse(&text).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: no `MemTotal`/`MemAvailable`", path.display()),
            )
        })
    }

    /// The share of memory in use, in percent.
    pub fn used_percent(&self) -> f64 {
        100.0 * (1.0 - self.available_kb as f64 / self.total_kb as f64)
    }
}
