//! The entities of a [`Topology`](super::Topology)'s tree, each with its dense index,
//! its OS index where the OS numbers it, and the indices of its parent and children.

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
    /// Position in [`Topology::packages`](super::Topology::packages).
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
    /// Position in [`Topology::nodes`](super::Topology::nodes).
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
    /// Position in [`Topology::cache_groups`](super::Topology::cache_groups).
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
    /// Position in [`Topology::cores`](super::Topology::cores).
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
