//! Topology tests: the sysfs parser against fixture trees written to a temp directory
//! (so they run on any host), the synthetic constructors, and the fallbacks.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::sysfs::parse_cpulist;
use super::*;

/// A temp directory removed on drop.
struct Fixture(PathBuf);

impl Fixture {
    fn new(name: &str) -> Fixture {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "metronome-topology-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Fixture(dir)
    }

    fn write(&self, path: &str, content: &str) {
        let path = self.0.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, format!("{content}\n")).unwrap();
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A CPU's sysfs files: package, core, and its caches (L1d, L1i, L2, L3).
fn write_cpu(fx: &Fixture, cpu: usize, package: usize, core: usize, l2: &str, l3: Option<&str>) {
    let dir = format!("cpu/cpu{cpu}");
    fx.write(
        &format!("{dir}/topology/physical_package_id"),
        &package.to_string(),
    );
    fx.write(&format!("{dir}/topology/core_id"), &core.to_string());
    let own = cpu.to_string();
    let mut caches = vec![
        (1, "Data", own.as_str()),
        (1, "Instruction", own.as_str()),
        (2, "Unified", l2),
    ];
    if let Some(l3) = l3 {
        caches.push((3, "Unified", l3));
    }
    for (i, (level, kind, shared)) in caches.into_iter().enumerate() {
        fx.write(&format!("{dir}/cache/index{i}/level"), &level.to_string());
        fx.write(&format!("{dir}/cache/index{i}/type"), kind);
        fx.write(&format!("{dir}/cache/index{i}/shared_cpu_list"), shared);
    }
}

/// Two packages, one node each (distances 10/20); each node has two L3 groups of two
/// cores with two hyperthreads (CPU `c` and `c + 8` share a core), like a small server.
fn two_node_fixture() -> Fixture {
    let fx = Fixture::new("2node");
    fx.write("cpu/online", "0-15");
    fx.write("node/node0/cpulist", "0-3,8-11");
    fx.write("node/node1/cpulist", "4-7,12-15");
    fx.write("node/node0/distance", "10 20");
    fx.write("node/node1/distance", "20 10");
    fx.write("node/possible", "0-1"); // not a nodeN entry: ignored
    for cpu in 0..16 {
        let physical = cpu % 8;
        let package = physical / 4;
        let core = physical % 4;
        let sibling = format!("{physical},{}", physical + 8);
        let group = physical / 2 * 2; // L3 shared by two cores and their siblings
        let l3 = format!("{group}-{},{}-{}", group + 1, group + 8, group + 9);
        write_cpu(&fx, cpu, package, core, &sibling, Some(&l3));
    }
    fx
}

#[test]
fn cpulists() {
    assert_eq!(
        parse_cpulist("0-3,8-11"),
        Some(vec![0, 1, 2, 3, 8, 9, 10, 11])
    );
    assert_eq!(parse_cpulist("5"), Some(vec![5]));
    assert_eq!(parse_cpulist(""), Some(vec![]));
    assert_eq!(parse_cpulist("3,1,1-2\n"), Some(vec![1, 2, 3]));
    assert_eq!(parse_cpulist("0-7:2"), Some(vec![0, 2, 4, 6]));
    assert_eq!(parse_cpulist("3-1"), None);
    assert_eq!(parse_cpulist("a-b"), None);
    assert_eq!(parse_cpulist("0-7:0"), None);
    assert_eq!(parse_cpulist("0-99999999999"), None);
}

#[test]
fn sysfs_two_nodes_with_l3_groups() {
    let fx = two_node_fixture();
    let topo = Topology::from_sysfs(fx.path()).unwrap();
    assert_eq!(topo.source(), Source::Sysfs);
    assert_eq!(topo.packages().len(), 2);
    assert_eq!(topo.nodes().len(), 2);
    assert_eq!(topo.cache_groups().len(), 4);
    assert_eq!(topo.cores().len(), 8);

    let node1 = &topo.nodes()[1];
    assert_eq!((node1.os_index, node1.package), (1, 1));
    assert_eq!(node1.cores, [4, 5, 6, 7]);
    assert_eq!(node1.cache_groups, [2, 3]);
    assert_eq!(topo.packages()[1].nodes, [1]);

    for group in topo.cache_groups() {
        assert_eq!(group.level, 3);
        assert_eq!(group.cores.len(), 2);
    }
    // Core 5 is the second core of node 1: physical CPU 5 and its sibling 13.
    let core = &topo.cores()[5];
    assert_eq!(core.pus, [5, 13]);
    assert_eq!((core.node, core.cache_group, core.os_index), (1, 2, 1));
    assert_eq!(topo.core_of_cpu(13), Some(5));

    assert_eq!(topo.distance(0, 1), 10);
    assert_eq!(topo.distance(0, 7), 20);
    assert_eq!(topo.node_distance(1, 0), 20);
    assert_eq!(
        topo.to_string(),
        "node 0 (package 0): L3 [cores 0-1] L3 [cores 2-3]\n\
         node 1 (package 1): L3 [cores 4-5] L3 [cores 6-7]\n"
    );
}

#[test]
fn sysfs_asymmetric_distances_are_kept() {
    let fx = Fixture::new("3node");
    fx.write("cpu/online", "0-2");
    for node in 0..3 {
        fx.write(&format!("node/node{node}/cpulist"), &node.to_string());
        write_cpu(&fx, node, 0, node, &node.to_string(), None);
    }
    fx.write("node/node0/distance", "10 16 32");
    fx.write("node/node1/distance", "16 10 16");
    fx.write("node/node2/distance", "32 16 10");
    let topo = Topology::from_sysfs(fx.path()).unwrap();
    assert_eq!(topo.node_distance(0, 2), 32);
    assert_eq!(topo.node_distance(2, 1), 16);
    // No L3: the L2 is the last level.
    assert!(topo.cache_groups().iter().all(|g| g.level == 2));
}

#[test]
fn sysfs_without_node_directory_is_one_node() {
    let fx = Fixture::new("nonode");
    fx.write("cpu/online", "0-3");
    for cpu in 0..4 {
        write_cpu(&fx, cpu, 0, cpu, &cpu.to_string(), Some("0-3"));
    }
    let topo = Topology::from_sysfs(fx.path()).unwrap();
    assert_eq!(topo.nodes().len(), 1);
    assert_eq!(topo.nodes()[0].cores, [0, 1, 2, 3]);
    assert_eq!(topo.cache_groups().len(), 1);
    assert_eq!(topo.distance(0, 3), LOCAL_DISTANCE);
}

#[test]
fn sysfs_missing_per_cpu_files_get_defaults() {
    // No `online` file, no topology or cache directories: CPUs come from the `cpuN`
    // entries (not `cpufreq`/`cpuidle`), each its own core of package 0.
    let fx = Fixture::new("bare");
    for entry in ["cpu/cpu0", "cpu/cpu1", "cpu/cpufreq", "cpu/cpuidle"] {
        fs::create_dir_all(fx.path().join(entry)).unwrap();
    }
    let topo = Topology::from_sysfs(fx.path()).unwrap();
    assert_eq!(topo.cores().len(), 2);
    assert_eq!(topo.cache_groups()[0].level, 0);
    assert_eq!(topo.cores()[1].pus, [1]);
}

#[test]
fn sysfs_errors_do_not_panic() {
    let fx = Fixture::new("bad");
    let err = Topology::from_sysfs(fx.path()).unwrap_err();
    assert!(matches!(err, TopologyError::Io { .. }), "{err}");

    fx.write("cpu/online", "zero");
    let err = Topology::from_sysfs(fx.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "unexpected content `zero` in `{}`",
            fx.path().join("cpu/online").display()
        )
    );

    fx.write("cpu/online", "");
    assert!(matches!(
        Topology::from_sysfs(fx.path()),
        Err(TopologyError::Empty)
    ));

    fx.write("cpu/online", "0");
    fx.write("node/node0/cpulist", "0");
    fx.write("node/node0/distance", "10 20");
    assert!(matches!(
        Topology::from_sysfs(fx.path()),
        Err(TopologyError::Parse { .. })
    ));
}

#[test]
fn detect_never_panics() {
    let topo = Topology::detect();
    assert!(!topo.cores().is_empty());
    assert!(matches!(topo.source(), Source::Sysfs | Source::Fallback));
    let fallback = Topology::fallback();
    assert_eq!(fallback.nodes().len(), 1);
    assert_eq!(
        fallback.cores().len(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
}

#[test]
fn synthetic_shapes() {
    let topo = Topology::synthetic(2, 4);
    assert_eq!(topo.nodes()[0].cores, [0, 1, 2, 3]);
    assert_eq!(topo.cache_groups().len(), 2);
    assert_eq!(topo.distance(3, 4), REMOTE_DISTANCE);

    let grouped = Topology::synthetic_grouped(4, 2, 1);
    assert_eq!(grouped.cores().len(), 8);
    assert_eq!(grouped.nodes()[3].cache_groups, [6, 7]);
    assert_eq!(grouped.cores()[7].cache_group, 7);

    // Zero counts are taken as one.
    assert_eq!(Topology::synthetic(0, 0).cores().len(), 1);
}

#[test]
#[should_panic(expected = "the distance matrix must be 2 × 2")]
fn with_distances_checks_the_shape() {
    let _ = Topology::synthetic(2, 1).with_distances(&[&[10, 20]]);
}

#[cfg(feature = "hwloc")]
#[test]
fn hwloc_agrees_with_sysfs_on_counts() {
    let hw = Topology::from_hwloc().unwrap();
    assert_eq!(hw.source(), Source::Hwloc);
    if let Ok(sys) = Topology::from_sysfs("/sys/devices/system") {
        assert_eq!(hw.nodes().len(), sys.nodes().len());
        assert_eq!(hw.cores().len(), sys.cores().len());
        let pus = |t: &Topology| t.cores().iter().map(|c| c.pus.len()).sum::<usize>();
        assert_eq!(pus(&hw), pus(&sys));
    }
}
