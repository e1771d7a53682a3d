//! Prints the machine as metronome's executors see it: where the topology came from,
//! its NUMA nodes with their cache groups, and the node distances.
//!
//! Run: `cargo run --example topology` (add `--features hwloc` to read it through hwloc).

use metronome::runtime::Topology;

fn main() {
    let topology = Topology::detect();
    println!("source: {:?}", topology.source());
    println!(
        "{} package(s), {} node(s), {} cache group(s), {} core(s)",
        topology.packages().len(),
        topology.nodes().len(),
        topology.cache_groups().len(),
        topology.cores().len()
    );
    print!("{topology}");
    let nodes = topology.nodes().len();
    for a in 0..nodes {
        let row: Vec<String> = (0..nodes)
            .map(|b| topology.node_distance(a, b).to_string())
            .collect();
        println!("distances from node {a}: {}", row.join(" "));
    }
}
