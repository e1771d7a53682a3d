//! Reading a topology through hwloc (cargo feature `hwloc`), with the `hwlocality`
//! binding (see the README, "NUMA and hwloc", for why not `hwloc2`).

use std::collections::HashMap;

use hwlocality::object::types::ObjectType;
use hwlocality::object::TopologyObject;

use super::{PuInfo, Topology, TopologyError};

/// Reads this machine's topology (see [`Topology::from_hwloc`]).
pub(super) fn read() -> Result<Topology, TopologyError> {
    let hw = hwlocality::Topology::new().map_err(|e| TopologyError::Hwloc(e.to_string()))?;
    let nodes: Vec<&TopologyObject> = hw.objects_with_type(ObjectType::NUMANode).collect();
    let node_of = |cpu: usize| -> usize {
        nodes
            .iter()
            .find(|node| node.cpuset().is_some_and(|set| set.is_set(cpu)))
            .and_then(|node| node.os_index())
            .unwrap_or(0)
    };
    let pus = hw
        .objects_with_type(ObjectType::PU)
        .filter_map(|pu| {
            let cpu = pu.os_index()?;
            let ancestor_index = |ty| pu.first_ancestor_with_type(ty)?.os_index();
            let cache = [ObjectType::L3Cache, ObjectType::L2Cache]
                .into_iter()
                .find_map(|ty| {
                    let level = if ty == ObjectType::L3Cache { 3 } else { 2 };
                    let set = pu.first_ancestor_with_type(ty)?.cpuset()?;
                    let cpus: Vec<usize> = set.iter_set().map(usize::from).collect();
                    (!cpus.is_empty()).then_some((level, cpus))
                });
            Some(PuInfo {
                cpu,
                package: ancestor_index(ObjectType::Package).unwrap_or(0),
                core: ancestor_index(ObjectType::Core).unwrap_or(cpu),
                node: node_of(cpu),
                cache,
            })
        })
        .collect();

    // The first NUMA-node distance matrix hwloc has (from the ACPI SLIT on Linux).
    let mut distances: HashMap<(usize, usize), u32> = HashMap::new();
    if let Ok(matrices) = hw.distances_with_type(None, ObjectType::NUMANode) {
        if let Some(matrix) = matrices.first() {
            let objects: Vec<Option<usize>> = matrix
                .objects()
                .map(|o| o.and_then(TopologyObject::os_index))
                .collect();
            for ((a, b), d) in matrix.enumerate_distances() {
                if let (Some(a), Some(b), Ok(d)) = (objects[a], objects[b], u32::try_from(d)) {
                    distances.insert((a, b), d);
                }
            }
        }
    }
    let mut topo = Topology::from_pus(pus, |a, b| distances.get(&(a, b)).copied())?;
    topo.source = super::Source::Hwloc;
    Ok(topo)
}
