//! The machine's shape, as the NUMA-aware pool needs it: packages → NUMA nodes → cache
//! groups (cores sharing their last-level cache) → cores → processing units (PUs, the
//! hardware threads the OS numbers as CPUs), plus the node distance matrix.
//!
//! Sources: [`Topology::detect`] reads `/sys/devices/system` (no system library needed);
//! `Topology::from_hwloc` asks hwloc (cargo feature `hwloc`); [`Topology::synthetic`]
//! describes an imaginary machine, so code that depends on the shape (victim order,
//! pinning) can be tested on any host.
//!
//! Every entity has a dense *index* (its position in [`Topology::nodes`],
//! [`Topology::cores`], ...) and, where the OS numbers it, an *OS index*. Cores are
//! ordered node by node and, inside a node, cache group by cache group, so the cores of a
//! node (and of a cache group) are contiguous.
//!
//! Layout: [`Topology`] and its accessors here; `entities.rs` the packages, nodes, cache
//! groups and cores; `tree.rs` the tree built from the flat PU records every source
//! reports; `synthetic.rs` imaginary machines; `sysfs.rs` and `hwloc.rs` the sources;
//! `error.rs` why reading failed.

#![forbid(unsafe_code)]

use std::fmt;
use std::path::Path;

mod entities;
mod error;
#[cfg(feature = "hwloc")]
mod hwloc;
mod synthetic;
mod sysfs;
#[cfg(test)]
mod tests;
mod tree;

pub use entities::{CacheGroup, Core, Node, Package};
pub use error::TopologyError;
pub(crate) use tree::PuInfo;

/// The distance of a node to itself in the ACPI SLIT convention that Linux reports.
///
/// ```
/// use metronome_runtime::topology::{Topology, LOCAL_DISTANCE};
/// let topo = Topology::synthetic(2, 2);
/// assert_eq!(topo.distance(0, 1), LOCAL_DISTANCE);
/// ```
pub const LOCAL_DISTANCE: u32 = 10;

/// The distance [`Topology::synthetic`] puts between two different nodes.
///
/// ```
/// use metronome_runtime::topology::{Topology, REMOTE_DISTANCE};
/// let topo = Topology::synthetic(2, 2);
/// assert_eq!(topo.distance(0, 2), REMOTE_DISTANCE);
/// ```
pub const REMOTE_DISTANCE: u32 = 20;

/// Where a [`Topology`] came from.
///
/// ```
/// use metronome_runtime::topology::{Source, Topology};
/// assert_eq!(Topology::synthetic(1, 2).source(), Source::Synthetic);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// Parsed from a sysfs tree (`/sys/devices/system` or a copy of it).
    Sysfs,
    /// Built by hwloc (cargo feature `hwloc`).
    Hwloc,
    /// Built by [`Topology::synthetic`] or [`Topology::synthetic_grouped`].
    Synthetic,
    /// sysfs was unreadable: one node with `available_parallelism` cores.
    Fallback,
}

/// The machine's packages, NUMA nodes, cache groups, cores and PUs, with node distances.
///
/// ```
/// use metronome_runtime::topology::Topology;
///
/// let topo = Topology::synthetic(2, 4); // 2 nodes of 4 cores
/// assert_eq!((topo.nodes().len(), topo.cores().len()), (2, 8));
/// assert_eq!(topo.distance(0, 3), 10); // same node
/// assert_eq!(topo.distance(0, 4), 20); // across nodes
///
/// let here = Topology::detect(); // never fails: falls back to one node
/// assert!(!here.cores().is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    packages: Vec<Package>,
    nodes: Vec<Node>,
    cache_groups: Vec<CacheGroup>,
    cores: Vec<Core>,
    /// `distances[a * nodes + b]`, by node index.
    distances: Vec<u32>,
    source: Source,
}

impl Topology {
    /// Reads this machine's topology from `/sys/devices/system`; if that fails (no sysfs,
    /// not Linux), one node with [`std::thread::available_parallelism`] cores
    /// ([`Source::Fallback`]). Never panics.
    ///
    /// ```
    /// use metronome_runtime::topology::{Source, Topology};
    /// let topo = Topology::detect();
    /// assert!(matches!(topo.source(), Source::Sysfs | Source::Fallback));
    /// ```
    pub fn detect() -> Topology {
        Topology::from_sysfs("/sys/devices/system").unwrap_or_else(|_| Topology::fallback())
    }

    /// Reads a sysfs tree rooted at `root` (normally `/sys/devices/system`):
    /// `node/node*/{cpulist,distance}`, `cpu/online` (or the `cpu/cpu*` directories),
    /// `cpu/cpu*/topology/{core_id,physical_package_id}` and
    /// `cpu/cpu*/cache/index*/{level,type,shared_cpu_list}`. Missing per-CPU files get
    /// defaults (package 0, core = CPU number, no cache); a missing `node` directory means
    /// one node 0.
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// if let Ok(topo) = Topology::from_sysfs("/sys/devices/system") {
    ///     assert!(!topo.nodes().is_empty());
    /// }
    /// ```
    pub fn from_sysfs(root: impl AsRef<Path>) -> Result<Topology, TopologyError> {
        sysfs::read(root.as_ref())
    }

    /// Reads this machine's topology through hwloc (cargo feature `hwloc`; needs the
    /// system's libhwloc, e.g. Debian's `libhwloc-dev`).
    ///
    /// ```
    /// # #[cfg(feature = "hwloc")] {
    /// use metronome_runtime::topology::Topology;
    /// let topo = Topology::from_hwloc().unwrap();
    /// assert!(!topo.cores().is_empty());
    /// # }
    /// ```
    #[cfg(feature = "hwloc")]
    pub fn from_hwloc() -> Result<Topology, TopologyError> {
        hwloc::read()
    }

    /// One node with [`std::thread::available_parallelism`] cores and no cache
    /// information: what [`Topology::detect`] returns when sysfs is unreadable.
    fn fallback() -> Topology {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let pus = (0..cpus)
            .map(|cpu| PuInfo {
                cpu,
                package: 0,
                core: cpu,
                node: 0,
                cache: None,
            })
            .collect();
        let mut topo = Topology::from_pus(pus, |_, _| None).expect("at least one PU");
        topo.source = Source::Fallback;
        topo
    }

    /// Where this topology came from.
    ///
    /// ```
    /// use metronome_runtime::topology::{Source, Topology};
    /// assert_eq!(Topology::synthetic(2, 2).source(), Source::Synthetic);
    /// ```
    pub fn source(&self) -> Source {
        self.source
    }

    /// The packages, by index.
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// assert_eq!(Topology::synthetic(3, 1).packages().len(), 3);
    /// ```
    pub fn packages(&self) -> &[Package] {
        &self.packages
    }

    /// The NUMA nodes that have cores, by index (ascending OS number).
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// assert_eq!(Topology::synthetic(2, 4).nodes().len(), 2);
    /// ```
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The cache groups, by index.
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// assert_eq!(Topology::synthetic_grouped(2, 3, 1).cache_groups().len(), 6);
    /// ```
    pub fn cache_groups(&self) -> &[CacheGroup] {
        &self.cache_groups
    }

    /// The cores, by index: node by node, cache group by cache group.
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// let topo = Topology::synthetic(2, 4);
    /// assert!(topo.cores().iter().enumerate().all(|(i, c)| c.index == i));
    /// ```
    pub fn cores(&self) -> &[Core] {
        &self.cores
    }

    /// The distance between two nodes, by index ([`LOCAL_DISTANCE`] for a node and
    /// itself).
    ///
    /// # Panics
    ///
    /// If either index is out of range.
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// assert_eq!(Topology::synthetic(2, 1).node_distance(1, 0), 20);
    /// ```
    pub fn node_distance(&self, node_a: usize, node_b: usize) -> u32 {
        let n = self.nodes.len();
        assert!(node_a < n && node_b < n, "node index out of range");
        self.distances[node_a * n + node_b]
    }

    /// The distance between two cores, by index: the distance between their nodes.
    ///
    /// # Panics
    ///
    /// If either index is out of range.
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// let topo = Topology::synthetic(2, 4);
    /// assert_eq!(topo.distance(1, 2), 10);
    /// assert_eq!(topo.distance(1, 6), 20);
    /// ```
    pub fn distance(&self, core_a: usize, core_b: usize) -> u32 {
        self.node_distance(self.cores[core_a].node, self.cores[core_b].node)
    }

    /// The core whose PUs include OS CPU `cpu`, by index.
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// let topo = Topology::synthetic(2, 2);
    /// assert_eq!(topo.core_of_cpu(3), Some(3));
    /// assert_eq!(topo.core_of_cpu(99), None);
    /// ```
    pub fn core_of_cpu(&self, cpu: usize) -> Option<usize> {
        self.cores
            .iter()
            .position(|core| core.pus.binary_search(&cpu).is_ok())
    }
}

impl fmt::Display for Topology {
    /// One line per node: `node 0 (package 0): L3 [0-3] [4-7]`.
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// let text = Topology::synthetic_grouped(1, 2, 2).to_string();
    /// assert_eq!(text, "node 0 (package 0): L3 [cores 0-1] L3 [cores 2-3]\n");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for node in &self.nodes {
            write!(
                f,
                "node {} (package {}):",
                node.os_index, self.packages[node.package].os_index
            )?;
            for &group in &node.cache_groups {
                let group = &self.cache_groups[group];
                let (first, last) = (group.cores[0], group.cores[group.cores.len() - 1]);
                write!(f, " L{} [cores {first}-{last}]", group.level)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
