//! Where each worker of a [`NumaPool`](super::NumaPool) runs and in which order it looks
//! for work: pure functions of a [`Topology`], plus the [`StealPlan`] built from them.

use crate::sync::{Injector, Steal, Stealer};
use crate::topology::Topology;

use crate::exec::core::StealOrder;
use crate::exec::job::JobRef;

/// Where worker `i` of a [`NumaPool`](super::NumaPool) runs: a core of the topology and
/// one of its PUs (OS CPU number).
///
/// ```
/// use metronome_runtime::exec::numa::{worker_slots, WorkerPlace};
/// use metronome_runtime::topology::Topology;
/// let slots = worker_slots(&Topology::synthetic(2, 2), 3);
/// assert_eq!(slots[2], WorkerPlace { core: 2, cpu: 2, node: 1 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WorkerPlace {
    /// The core, by index in [`Topology::cores`].
    pub core: usize,
    /// The OS CPU number the worker is pinned to (with `pin(true)`).
    pub cpu: usize,
    /// The core's node, by index in [`Topology::nodes`].
    pub node: usize,
}

/// The former name of [`WorkerPlace`].
///
/// ```
/// #![allow(deprecated)]
/// use metronome_runtime::exec::numa::{Slot, WorkerPlace};
/// let place: Slot = WorkerPlace { core: 0, cpu: 0, node: 0 };
/// assert_eq!(place.node, 0);
/// ```
#[deprecated(note = "renamed `WorkerPlace` (where a worker runs)")]
pub type Slot = WorkerPlace;

/// Places `workers` workers: the first PU of every core in topology order (node by node,
/// cache group by cache group), then the second PU of every core that has one
/// (hyperthread siblings), and so on, wrapping around when there are more workers than
/// PUs. So workers fill one node's physical cores before the next node's, and share a
/// core only when every core has a worker.
///
/// ```
/// use metronome_runtime::exec::numa::worker_slots;
/// use metronome_runtime::topology::Topology;
/// let cores: Vec<usize> = worker_slots(&Topology::synthetic(2, 2), 6).iter().map(|s| s.core).collect();
/// assert_eq!(cores, [0, 1, 2, 3, 0, 1]);
/// ```
pub fn worker_slots(topology: &Topology, workers: usize) -> Vec<WorkerPlace> {
    let max_pus = topology
        .cores()
        .iter()
        .map(|c| c.pus.len())
        .max()
        .unwrap_or(1);
    let slots: Vec<WorkerPlace> = (0..max_pus)
        .flat_map(|round| {
            topology.cores().iter().filter_map(move |core| {
                Some(WorkerPlace {
                    core: core.index,
                    cpu: *core.pus.get(round)?,
                    node: core.node,
                })
            })
        })
        .collect();
    (0..workers).map(|i| slots[i % slots.len()]).collect()
}

/// For each worker (placed by `slots`), the other workers in the order it tries to steal
/// from them, in tiers of equal closeness, nearest first:
///
/// 1. workers on the same core,
/// 2. on another core of the same cache group,
/// 3. on another cache group of the same node,
/// 4. on other nodes, one tier per distance, nearest first.
///
/// Empty tiers are left out; each tier lists workers in index order (a thief starts at a
/// random member of a tier, so equals share the load).
///
/// ```
/// use metronome_runtime::exec::numa::{victim_tiers, worker_slots};
/// use metronome_runtime::topology::Topology;
///
/// let topo = Topology::synthetic(2, 2); // workers 0, 1 on node 0; 2, 3 on node 1
/// let tiers = victim_tiers(&topo, &worker_slots(&topo, 4));
/// assert_eq!(tiers[0], [vec![1], vec![2, 3]]);
/// assert_eq!(tiers[3], [vec![2], vec![0, 1]]);
/// ```
pub fn victim_tiers(topology: &Topology, slots: &[WorkerPlace]) -> Vec<Vec<Vec<usize>>> {
    slots
        .iter()
        .enumerate()
        .map(|(me, mine)| {
            let my_core = &topology.cores()[mine.core];
            // (rank, distance) of each other worker; equal keys share a tier.
            let mut others: Vec<((u8, u32), usize)> = slots
                .iter()
                .enumerate()
                .filter(|&(other, _)| other != me)
                .map(|(other, theirs)| {
                    let core = &topology.cores()[theirs.core];
                    let key = if theirs.core == mine.core {
                        (0, 0)
                    } else if core.cache_group == my_core.cache_group {
                        (1, 0)
                    } else if core.node == my_core.node {
                        (2, 0)
                    } else {
                        (3, topology.node_distance(my_core.node, core.node))
                    };
                    (key, other)
                })
                .collect();
            others.sort();
            let mut tiers: Vec<Vec<usize>> = Vec::new();
            let mut last_key = None;
            for (key, other) in others {
                if last_key != Some(key) {
                    last_key = Some(key);
                    tiers.push(Vec::new());
                }
                tiers.last_mut().expect("pushed above").push(other);
            }
            tiers
        })
        .collect()
}

/// The node indices in the order a worker on `node` looks at their injectors: its own,
/// then the others by distance (ties by index).
///
/// ```
/// use metronome_runtime::exec::numa::injector_order;
/// use metronome_runtime::topology::Topology;
/// let ring = Topology::synthetic(3, 1).with_distances(&[&[10, 20, 12], &[20, 10, 12], &[12, 12, 10]]);
/// assert_eq!(injector_order(&ring, 0), [0, 2, 1]);
/// ```
pub fn injector_order(topology: &Topology, node: usize) -> Vec<usize> {
    let mut nodes: Vec<usize> = (0..topology.nodes().len()).collect();
    nodes.sort_by_key(|&other| (other != node, topology.node_distance(node, other), other));
    nodes
}

/// One step of a worker's search for work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Steal from the workers `order[start..end]` (one tier), starting at a random one.
    Tier { start: usize, end: usize },
    /// Steal from a node's injector.
    NodeInjector(usize),
    /// Steal from the registry's injector (scope spawns from foreign threads).
    Injector,
}

/// A worker's search order.
#[derive(Debug)]
pub(crate) struct WorkerPlan {
    /// The victims, tier after tier.
    order: Box<[usize]>,
    /// What to try, in order: the tiers on the worker's node, its node's injector and
    /// the registry's injector, then remote tiers and remote injectors by distance.
    pub(crate) steps: Box<[Step]>,
}

/// A `NumaPool`'s victim order: the topology-aware search of every worker, and one
/// injector per node. Held by the pool's registry (`Registry::order`);
/// `WorkerThread::steal` defers to it.
pub(crate) struct StealPlan {
    pub(crate) workers: Box<[WorkerPlan]>,
    /// One queue per topology node for jobs from outside the pool.
    pub(crate) injectors: Box<[Injector<JobRef>]>,
    /// Node index by OS CPU number (`usize::MAX`: not in the topology).
    node_of_cpu: Box<[usize]>,
    /// Whether some worker runs on each node.
    node_has_worker: Box<[bool]>,
    /// The first worker's node.
    first_node: usize,
}

impl StealPlan {
    /// The plan for workers placed by `slots`.
    pub(crate) fn new(topology: &Topology, slots: &[WorkerPlace]) -> StealPlan {
        let tiers = victim_tiers(topology, slots);
        let workers = slots
            .iter()
            .zip(tiers)
            .map(|(slot, tiers)| {
                let mut order = Vec::new();
                let mut steps = Vec::new();
                let injectors = injector_order(topology, slot.node);
                let mut next_injector = 0;
                for tier in tiers {
                    // Before the first remote tier: this node's injector, and the
                    // registry's; before each farther tier, the injectors of the nodes
                    // nearer than it.
                    let node = topology.cores()[slots[tier[0]].core].node;
                    let distance = topology.node_distance(slot.node, node);
                    while next_injector < injectors.len()
                        && topology.node_distance(slot.node, injectors[next_injector]) < distance
                    {
                        steps.push(Step::NodeInjector(injectors[next_injector]));
                        if next_injector == 0 {
                            steps.push(Step::Injector);
                        }
                        next_injector += 1;
                    }
                    let start = order.len();
                    order.extend(tier);
                    steps.push(Step::Tier {
                        start,
                        end: order.len(),
                    });
                }
                for (i, &node) in injectors.iter().enumerate().skip(next_injector) {
                    steps.push(Step::NodeInjector(node));
                    if i == 0 {
                        steps.push(Step::Injector);
                    }
                }
                WorkerPlan {
                    order: order.into(),
                    steps: steps.into(),
                }
            })
            .collect();
        let cpus = topology.cores().iter().flat_map(|c| c.pus.iter().copied());
        let mut node_of_cpu = vec![usize::MAX; cpus.max().map_or(0, |max| max + 1)];
        for core in topology.cores() {
            for &cpu in &core.pus {
                node_of_cpu[cpu] = core.node;
            }
        }
        let mut node_has_worker = vec![false; topology.nodes().len()];
        for slot in slots {
            node_has_worker[slot.node] = true;
        }
        StealPlan {
            workers,
            injectors: topology.nodes().iter().map(|_| Injector::new()).collect(),
            node_of_cpu: node_of_cpu.into(),
            node_has_worker: node_has_worker.into(),
            first_node: slots.first().map_or(0, |slot| slot.node),
        }
    }

    /// The node index whose injector takes a job from a thread running on OS CPU `cpu`:
    /// that CPU's node if a worker runs there, else the first worker's node.
    pub(crate) fn node_for_cpu(&self, cpu: Option<usize>) -> usize {
        match cpu.and_then(|cpu| self.node_of_cpu.get(cpu).copied()) {
            Some(node) if self.node_has_worker.get(node) == Some(&true) => node,
            _ => self.first_node,
        }
    }
}

impl StealOrder for StealPlan {
    /// Worker `index`'s search: every step of its plan, nearest first, repeated while a
    /// steal asked to retry. `random` picks where each tier starts.
    fn steal(
        &self,
        index: usize,
        stealers: &[Stealer<JobRef>],
        injector: &Injector<JobRef>,
        random: u64,
    ) -> Option<JobRef> {
        let plan = &self.workers[index];
        loop {
            let mut retry = false;
            for &step in plan.steps.iter() {
                let stolen = match step {
                    Step::Tier { start, end } => {
                        let tier = &plan.order[start..end];
                        let first = (random % tier.len() as u64) as usize;
                        let mut found = None;
                        for i in 0..tier.len() {
                            match stealers[tier[(first + i) % tier.len()]].steal() {
                                Steal::Success(job) => {
                                    found = Some(job);
                                    break;
                                }
                                Steal::Retry => retry = true,
                                Steal::Empty => {}
                            }
                        }
                        found
                    }
                    Step::NodeInjector(node) => take(self.injectors[node].steal(), &mut retry),
                    Step::Injector => take(injector.steal(), &mut retry),
                };
                if stolen.is_some() {
                    return stolen;
                }
            }
            if !retry {
                return None;
            }
        }
    }

    fn queues(&self) -> &[Injector<JobRef>] {
        &self.injectors
    }

    /// The injector of the caller's node (the node of the CPU it runs on, if a worker
    /// runs there; else the first worker's node).
    fn outside_queue(&self) -> Option<&Injector<JobRef>> {
        Some(&self.injectors[self.node_for_cpu(current_cpu())])
    }
}

/// The OS CPU the calling thread runs on right now, if the OS says.
fn current_cpu() -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `sched_getcpu` has no preconditions.
        usize::try_from(unsafe { libc::sched_getcpu() }).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

fn take(steal: Steal<JobRef>, retry: &mut bool) -> Option<JobRef> {
    match steal {
        Steal::Success(job) => Some(job),
        Steal::Retry => {
            *retry = true;
            None
        }
        Steal::Empty => None,
    }
}
