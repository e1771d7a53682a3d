//! Imaginary machines: [`Topology::synthetic`] and [`Topology::synthetic_grouped`], and
//! [`Topology::with_distances`] to give one (or any topology) another distance matrix,
//! so that code depending on the machine's shape can be tested on any host.

use super::{PuInfo, Source, Topology};

impl Topology {
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
    ///
    /// [`LOCAL_DISTANCE`]: super::LOCAL_DISTANCE
    /// [`REMOTE_DISTANCE`]: super::REMOTE_DISTANCE
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
}
