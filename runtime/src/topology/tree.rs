//! The tree of a [`Topology`] built from the flat processing-unit records every source
//! reports (sysfs, hwloc, a synthetic machine): sorted node by node and cache group by
//! cache group, so that each entity's children are contiguous.

use super::{
    CacheGroup, Core, Node, Package, Source, Topology, TopologyError, LOCAL_DISTANCE,
    REMOTE_DISTANCE,
};

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
