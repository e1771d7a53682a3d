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

#![forbid(unsafe_code)]

use std::fmt;
use std::path::{Path, PathBuf};

#[cfg(feature = "hwloc")]
mod hwloc;
mod sysfs;
#[cfg(test)]
mod tests;

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

/// A physical package (socket).
///
/// ```
/// use metronome_runtime::topology::Topology;
/// let topo = Topology::synthetic(2, 4);
/// assert_eq!(topo.packages().len(), 2);
/// assert_eq!(topo.packages()[1].nodes, [1]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Package {
    /// Position in [`Topology::packages`].
    pub index: usize,
    /// The OS's number (`physical_package_id`).
    pub os_index: usize,
    /// The nodes whose cores sit in this package, by index.
    pub nodes: Vec<usize>,
}

/// A NUMA node that has cores.
///
/// ```
/// use metronome_runtime::topology::Topology;
/// let topo = Topology::synthetic(2, 4);
/// assert_eq!(topo.nodes()[1].cores, [4, 5, 6, 7]);
/// assert_eq!(topo.nodes()[1].os_index, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Node {
    /// Position in [`Topology::nodes`].
    pub index: usize,
    /// The OS's node number (what `mbind` node masks use).
    pub os_index: usize,
    /// The package of the node's first core, by index.
    pub package: usize,
    /// The node's cache groups, by index.
    pub cache_groups: Vec<usize>,
    /// The node's cores, by index (contiguous).
    pub cores: Vec<usize>,
}

/// Cores of one node sharing their last-level cache (L3, else L2). Without cache
/// information a node is one cache group of level 0.
///
/// ```
/// use metronome_runtime::topology::Topology;
/// let topo = Topology::synthetic_grouped(1, 2, 2);
/// assert_eq!(topo.cache_groups()[1].cores, [2, 3]);
/// assert_eq!(topo.cache_groups()[1].level, 3);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheGroup {
    /// Position in [`Topology::cache_groups`].
    pub index: usize,
    /// The node, by index.
    pub node: usize,
    /// The shared cache's level (3 for L3), 0 if unknown.
    pub level: u8,
    /// The cores sharing the cache, by index (contiguous).
    pub cores: Vec<usize>,
}

/// A physical core.
///
/// ```
/// use metronome_runtime::topology::Topology;
/// let topo = Topology::synthetic(2, 2);
/// let core = &topo.cores()[3];
/// assert_eq!((core.node, core.pus.as_slice()), (1, &[3][..]));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Core {
    /// Position in [`Topology::cores`].
    pub index: usize,
    /// The OS's number (`core_id`, unique within a package only).
    pub os_index: usize,
    /// The package, by index.
    pub package: usize,
    /// The node, by index.
    pub node: usize,
    /// The cache group, by index.
    pub cache_group: usize,
    /// The core's processing units: OS CPU numbers (what affinity masks use), ascending.
    pub pus: Vec<usize>,
}

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

/// One processing unit as a source reports it; [`Topology::from_pus`] builds the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PuInfo {
    /// OS CPU number.
    pub(crate) cpu: usize,
    /// OS package number.
    pub(crate) package: usize,
    /// OS core number (within the package).
    pub(crate) core: usize,
    /// OS node number.
    pub(crate) node: usize,
    /// The last-level cache this PU uses: level and the OS CPUs sharing it, ascending.
    pub(crate) cache: Option<(u8, Vec<usize>)>,
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

    /// An imaginary machine of `nodes` NUMA nodes (one package each) of
    /// `cores_per_node` single-PU cores sharing one L3; distances
    /// [`LOCAL_DISTANCE`] / [`REMOTE_DISTANCE`]. Zero counts are taken as one.
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// let topo = Topology::synthetic(4, 2);
    /// assert_eq!(topo.cores().len(), 8);
    /// assert_eq!(topo.cores()[5].pus, [5]);
    /// ```
    pub fn synthetic(nodes: usize, cores_per_node: usize) -> Topology {
        Topology::synthetic_grouped(nodes, 1, cores_per_node)
    }

    /// Like [`Topology::synthetic`], with `groups_per_node` L3 groups of
    /// `cores_per_group` cores in each node.
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// let topo = Topology::synthetic_grouped(2, 2, 2); // 2 nodes × 2 L3 groups × 2 cores
    /// assert_eq!(topo.cache_groups().len(), 4);
    /// assert_eq!(topo.nodes()[1].cache_groups, [2, 3]);
    /// assert_eq!(topo.cores()[6].cache_group, 3);
    /// ```
    pub fn synthetic_grouped(
        nodes: usize,
        groups_per_node: usize,
        cores_per_group: usize,
    ) -> Topology {
        let (nodes, groups, per_group) =
            (nodes.max(1), groups_per_node.max(1), cores_per_group.max(1));
        let per_node = groups * per_group;
        let pus = (0..nodes * per_node)
            .map(|cpu| {
                let node = cpu / per_node;
                let first = cpu - cpu % per_group;
                PuInfo {
                    cpu,
                    package: node,
                    core: cpu % per_node,
                    node,
                    cache: Some((3, (first..first + per_group).collect())),
                }
            })
            .collect();
        let mut topo = Topology::from_pus(pus, |_, _| None).expect("at least one PU");
        topo.source = Source::Synthetic;
        topo
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

    /// Replaces the node distance matrix (`distances[a][b]`, by node index), e.g. to
    /// describe a ring of four nodes in a test.
    ///
    /// # Panics
    ///
    /// If the matrix is not `nodes × nodes`.
    ///
    /// ```
    /// use metronome_runtime::topology::Topology;
    /// let ring = Topology::synthetic(3, 1).with_distances(&[
    ///     &[10, 12, 20],
    ///     &[12, 10, 12],
    ///     &[20, 12, 10],
    /// ]);
    /// assert_eq!(ring.node_distance(0, 1), 12);
    /// assert_eq!(ring.distance(2, 0), 20);
    /// ```
    pub fn with_distances(mut self, distances: &[&[u32]]) -> Topology {
        let n = self.nodes.len();
        assert!(
            distances.len() == n && distances.iter().all(|row| row.len() == n),
            "the distance matrix must be {n} × {n}"
        );
        self.distances = distances
            .iter()
            .flat_map(|row| row.iter().copied())
            .collect();
        self
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

    /// Builds the tree from flat PU records; `distance(os_a, os_b)` gives node distances
    /// by OS node number (`None`: [`LOCAL_DISTANCE`] / [`REMOTE_DISTANCE`]).
    pub(crate) fn from_pus(
        mut pus: Vec<PuInfo>,
        distance: impl Fn(usize, usize) -> Option<u32>,
    ) -> Result<Topology, TopologyError> {
        if pus.is_empty() {
            return Err(TopologyError::Empty);
        }
        // Node, then cache group (by its first CPU), then package and core, then CPU.
        let group_key = |pu: &PuInfo| pu.cache.as_ref().map(|(level, cpus)| (*level, cpus[0]));
        pus.sort_by(|a, b| {
            (a.node, group_key(a), a.package, a.core, a.cpu).cmp(&(
                b.node,
                group_key(b),
                b.package,
                b.core,
                b.cpu,
            ))
        });
        pus.dedup_by_key(|pu| pu.cpu);

        let mut topo = Topology {
            packages: Vec::new(),
            nodes: Vec::new(),
            cache_groups: Vec::new(),
            cores: Vec::new(),
            distances: Vec::new(),
            source: Source::Sysfs,
        };
        let mut package_ids: Vec<usize> = pus.iter().map(|pu| pu.package).collect();
        package_ids.sort_unstable();
        package_ids.dedup();
        topo.packages = package_ids
            .iter()
            .enumerate()
            .map(|(index, &os_index)| Package {
                index,
                os_index,
                nodes: Vec::new(),
            })
            .collect();

        let mut last_node = None;
        let mut last_group = None;
        let mut last_core = None;
        for pu in &pus {
            let package = package_ids
                .binary_search(&pu.package)
                .expect("collected above");
            if last_node != Some(pu.node) {
                last_node = Some(pu.node);
                last_group = None;
                last_core = None;
                let index = topo.nodes.len();
                topo.nodes.push(Node {
                    index,
                    os_index: pu.node,
                    package,
                    cache_groups: Vec::new(),
                    cores: Vec::new(),
                });
                topo.packages[package].nodes.push(index);
            }
            let node = topo.nodes.len() - 1;
            let key = group_key(pu);
            if last_group != Some(key) {
                last_group = Some(key);
                let index = topo.cache_groups.len();
                topo.cache_groups.push(CacheGroup {
                    index,
                    node,
                    level: pu.cache.as_ref().map_or(0, |(level, _)| *level),
                    cores: Vec::new(),
                });
                topo.nodes[node].cache_groups.push(index);
            }
            let group = topo.cache_groups.len() - 1;
            if last_core != Some((pu.package, pu.core)) {
                last_core = Some((pu.package, pu.core));
                let index = topo.cores.len();
                topo.cores.push(Core {
                    index,
                    os_index: pu.core,
                    package,
                    node,
                    cache_group: group,
                    pus: Vec::new(),
                });
                topo.nodes[node].cores.push(index);
                topo.cache_groups[group].cores.push(index);
            }
            topo.cores
                .last_mut()
                .expect("pushed above")
                .pus
                .push(pu.cpu);
        }
        for core in &mut topo.cores {
            core.pus.sort_unstable();
        }
        let n = topo.nodes.len();
        topo.distances = (0..n * n)
            .map(|i| {
                let (a, b) = (i / n, i % n);
                distance(topo.nodes[a].os_index, topo.nodes[b].os_index).unwrap_or(if a == b {
                    LOCAL_DISTANCE
                } else {
                    REMOTE_DISTANCE
                })
            })
            .collect();
        Ok(topo)
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
