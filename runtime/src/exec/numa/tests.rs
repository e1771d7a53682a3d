//! NumaPool tests: placement and victim order on synthetic topologies (pure functions),
//! tree sum and fib on 1, 2 and 4 workers placed on several topologies, a foreign thread
//! spawning into a worker's scope, pinning, build errors. (Scopes, panics, joins,
//! `install` from many threads and drop on every pool, on this machine's topology:
//! `tests/conformance.rs`; idle CPU: `tests/numa_idle.rs`.)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::victims::Step;
use super::*;
use crate::exec::test_support::{fib_join, sum_join, tree};
use crate::exec::{scope, Executor};

/// Worker counts every correctness test runs on.
const WORKER_COUNTS: [usize; 3] = [1, 2, 4];
/// Depth of the test tree (2^depth - 1 nodes).
const TREE_DEPTH: u32 = 14;
/// `fib(FIB_N)` is computed with a join at every call.
const FIB_N: u64 = 22;

fn pool(workers: usize, topology: Topology) -> NumaPool {
    NumaPool::builder()
        .workers(workers)
        .topology(topology)
        .heartbeat(Duration::from_micros(20))
        .build()
        .expect("pool builds")
}

/// The topologies the correctness tests run on: this machine, and two imaginary ones.
fn topologies() -> [Topology; 3] {
    [
        Topology::detect(),
        Topology::synthetic(2, 2),
        Topology::synthetic_grouped(4, 2, 1),
    ]
}

#[test]
fn slots_fill_physical_cores_node_by_node_then_siblings() {
    let topo = Topology::synthetic(2, 4);
    let slots = worker_slots(&topo, 10);
    let cores: Vec<usize> = slots.iter().map(|s| s.core).collect();
    assert_eq!(cores, [0, 1, 2, 3, 4, 5, 6, 7, 0, 1]);
    assert_eq!(slots[5].node, 1);

    // Two PUs per core (from the sysfs fixture layout: CPU c and c + 4 share a core).
    let pus = (0..8)
        .map(|cpu| crate::topology::PuInfo {
            cpu,
            package: 0,
            core: cpu % 4,
            node: (cpu % 4) / 2,
            cache: None,
        })
        .collect();
    let smt = Topology::from_pus(pus, |_, _| None).unwrap();
    let slots = worker_slots(&smt, 8);
    let cpus: Vec<usize> = slots.iter().map(|s| s.cpu).collect();
    assert_eq!(cpus, [0, 1, 2, 3, 4, 5, 6, 7]);
    // Workers 0 and 4 share core 0: each is the other's nearest victim.
    let tiers = victim_tiers(&smt, &slots);
    assert_eq!(tiers[0][0], [4]);
    assert_eq!(tiers[4][0], [0]);
}

#[test]
fn victims_2x4() {
    let topo = Topology::synthetic(2, 4);
    let tiers = victim_tiers(&topo, &worker_slots(&topo, 8));
    // One L3 per node: the node's other workers, then the other node's.
    assert_eq!(tiers[0], [vec![1, 2, 3], vec![4, 5, 6, 7]]);
    assert_eq!(tiers[6], [vec![4, 5, 7], vec![0, 1, 2, 3]]);
}

#[test]
fn victims_4x2_with_cache_groups() {
    // 4 nodes × 2 cache groups × 1 core: nobody shares a cache group.
    let topo = Topology::synthetic_grouped(4, 2, 1);
    let tiers = victim_tiers(&topo, &worker_slots(&topo, 8));
    assert_eq!(tiers[0], [vec![1], vec![2, 3, 4, 5, 6, 7]]);
    assert_eq!(tiers[5], [vec![4], vec![0, 1, 2, 3, 6, 7]]);

    // 2 nodes × 2 cache groups × 2 cores: cache group, node, remote.
    let topo = Topology::synthetic_grouped(2, 2, 2);
    let tiers = victim_tiers(&topo, &worker_slots(&topo, 8));
    assert_eq!(tiers[0], [vec![1], vec![2, 3], vec![4, 5, 6, 7]]);
    assert_eq!(tiers[7], [vec![6], vec![4, 5], vec![0, 1, 2, 3]]);
}

#[test]
fn victims_follow_distances() {
    // Four nodes on a ring: 0-1-2-3-0, neighbours at 16, opposite at 22.
    let ring = Topology::synthetic(4, 1).with_distances(&[
        &[10, 16, 22, 16],
        &[16, 10, 16, 22],
        &[22, 16, 10, 16],
        &[16, 22, 16, 10],
    ]);
    let tiers = victim_tiers(&ring, &worker_slots(&ring, 4));
    assert_eq!(tiers[0], [vec![1, 3], vec![2]]);
    assert_eq!(tiers[2], [vec![1, 3], vec![0]]);
    assert_eq!(injector_order(&ring, 1), [1, 0, 2, 3]);

    // The search: local tiers, own node's and the shared injector, then remote tiers,
    // each farther node's injector after the workers nearer than it.
    let slots = worker_slots(&ring, 4);
    let plan = StealPlan::new(&ring, &slots);
    assert_eq!(
        &*plan.workers[0].steps,
        [
            Step::NodeInjector(0),
            Step::Injector,
            Step::Tier { start: 0, end: 2 },
            Step::NodeInjector(1),
            Step::NodeInjector(3),
            Step::Tier { start: 2, end: 3 },
            Step::NodeInjector(2),
        ]
    );
    let topo = Topology::synthetic(2, 2);
    let plan = StealPlan::new(&topo, &worker_slots(&topo, 4));
    assert_eq!(
        &*plan.workers[3].steps,
        [
            Step::Tier { start: 0, end: 1 },
            Step::NodeInjector(1),
            Step::Injector,
            Step::Tier { start: 1, end: 3 },
            Step::NodeInjector(0),
        ]
    );
}

#[test]
fn a_job_from_outside_goes_to_the_callers_node_if_a_worker_runs_there() {
    // 3 nodes of 2 cores (one PU each: CPUs 0-1 on node 0, 2-3 on node 1, 4-5 on node 2);
    // 3 workers fill node 0, then node 1: nobody runs on node 2.
    let topo = Topology::synthetic(3, 2);
    let slots = worker_slots(&topo, 3);
    assert_eq!(slots.iter().map(|s| s.node).collect::<Vec<_>>(), [0, 0, 1]);
    let plan = StealPlan::new(&topo, &slots);
    assert_eq!(plan.node_for_cpu(Some(3)), 1);
    assert_eq!(plan.node_for_cpu(Some(1)), 0);
    // A CPU of a node without workers, one outside the topology, or none known: the
    // first worker's node.
    assert_eq!(plan.node_for_cpu(Some(4)), 0);
    assert_eq!(plan.node_for_cpu(Some(99)), 0);
    assert_eq!(plan.node_for_cpu(None), 0);
}

#[test]
fn fewer_workers_than_nodes_still_see_every_injector() {
    let topo = Topology::synthetic(3, 2);
    let plan = StealPlan::new(&topo, &worker_slots(&topo, 1));
    assert_eq!(
        &*plan.workers[0].steps,
        [
            Step::NodeInjector(0),
            Step::Injector,
            Step::NodeInjector(1),
            Step::NodeInjector(2),
        ]
    );
}

#[test]
fn tree_sum_and_fib_on_1_2_4_workers() {
    let root = tree(TREE_DEPTH, &mut 0).unwrap();
    let nodes = (1u64 << TREE_DEPTH) - 1;
    let expected = nodes * (nodes + 1) / 2;
    for topology in topologies() {
        for workers in WORKER_COUNTS {
            let pool = pool(workers, topology.clone());
            assert_eq!(
                pool.install(|| sum_join(&root)),
                expected,
                "{workers} workers"
            );
            assert_eq!(pool.install(|| fib_join(FIB_N)), 17711, "{workers} workers");
            assert_eq!(
                Executor::join(&pool, || fib_join(10), || fib_join(11)),
                (55, 89)
            );
        }
    }
}

#[test]
fn a_foreign_thread_spawns_into_a_workers_scope() {
    let pool = pool(4, Topology::synthetic(2, 2));
    // A scope owned by a worker, spawning from a foreign thread into it (the shared
    // injector path).
    let hits = AtomicUsize::new(0);
    pool.install(|| {
        scope(|s| {
            std::thread::scope(|t| {
                t.spawn(|| {
                    s.spawn(|_| {
                        hits.fetch_add(1, Ordering::Relaxed);
                    })
                });
            });
        })
    });
    assert_eq!(hits.into_inner(), 1);
}

#[test]
fn pinning_is_recorded_and_never_fatal() {
    // A topology bigger than any test machine: the pins beyond its CPUs fail, the pool
    // works anyway.
    let topo = Topology::synthetic(2, 512);
    let slots = worker_slots(&topo, 4);
    let pool = NumaPool::builder()
        .workers(4)
        .topology(topo.clone())
        .pin(true)
        .build()
        .unwrap();
    assert_eq!(pool.slots(), &*slots);
    for (status, slot) in pool.pin_status().iter().zip(&slots) {
        match *status {
            PinStatus::Pinned { cpu } | PinStatus::Failed { cpu } => assert_eq!(cpu, slot.cpu),
            PinStatus::Unpinned => panic!("pinning was asked for"),
        }
    }
    assert_eq!(pool.install(|| fib_join(FIB_N)), 17711);

    // On this machine's topology, pinned workers run where they were pinned.
    let pool = NumaPool::builder().workers(2).pin(true).build().unwrap();
    let cpus = Mutex::new(Vec::new());
    Executor::scope(&pool, |s| {
        for _ in 0..2 {
            s.spawn(|_| {
                // The calling thread (a guest, no worker) may run a job too.
                let Some(index) = crate::exec::current_worker_index() else {
                    return;
                };
                // SAFETY: `sched_getcpu` has no preconditions.
                let cpu = unsafe { libc::sched_getcpu() };
                cpus.lock().unwrap().push((index, cpu));
            });
        }
    });
    for (index, cpu) in cpus.into_inner().unwrap() {
        if let PinStatus::Pinned { cpu: pinned } = pool.pin_status()[index] {
            assert_eq!(cpu as usize, pinned);
        }
    }
}

#[test]
fn build_errors() {
    let err = |b: NumaPoolBuilder| b.build().unwrap_err().to_string();
    assert_eq!(
        err(NumaPool::builder().workers(0)),
        "a thread pool needs at least one worker, got `workers(0)`"
    );
    assert_eq!(
        err(NumaPool::builder().local_queue_size(3)),
        "`local_queue_size(3)` must be a power of two; try 4"
    );
    assert!(NumaPool::builder()
        .heartbeat(Duration::ZERO)
        .build()
        .is_err());
}
