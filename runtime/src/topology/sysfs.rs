//! Reading a topology from a Linux sysfs tree (`/sys/devices/system`, or a fixture copy
//! of its relevant files in tests).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::{PuInfo, Topology, TopologyError};

/// Reads the topology under `root` (see [`Topology::from_sysfs`]).
pub(super) fn read(root: &Path) -> Result<Topology, TopologyError> {
    let cpu_dir = root.join("cpu");
    let cpus = match read_trimmed(&cpu_dir.join("online")) {
        Ok(text) => parse_cpulist(&text).ok_or_else(|| TopologyError::Parse {
            path: cpu_dir.join("online"),
            text,
        })?,
        Err(_) => numbered_entries(&cpu_dir, "cpu")?,
    };

    // Node of each CPU, and the node list (ascending OS number).
    let node_dir = root.join("node");
    let mut node_ids = numbered_entries(&node_dir, "node").unwrap_or_default();
    let mut node_of: HashMap<usize, usize> = HashMap::new();
    for &node in &node_ids {
        let path = node_dir.join(format!("node{node}")).join("cpulist");
        let text = read_trimmed(&path)?;
        let list = parse_cpulist(&text).ok_or(TopologyError::Parse { path, text })?;
        for cpu in list {
            node_of.entry(cpu).or_insert(node);
        }
    }
    if node_ids.is_empty() {
        node_ids.push(0);
    }

    // Distances: `nodeN/distance` lists one value per node, in the order of `node_ids`.
    let mut distances: HashMap<(usize, usize), u32> = HashMap::new();
    for &from in &node_ids {
        let path = node_dir.join(format!("node{from}")).join("distance");
        let Ok(text) = read_trimmed(&path) else {
            continue;
        };
        let values: Option<Vec<u32>> = text.split_whitespace().map(|v| v.parse().ok()).collect();
        match values {
            Some(values) if values.len() == node_ids.len() => {
                for (&to, &d) in node_ids.iter().zip(&values) {
                    distances.insert((from, to), d);
                }
            }
            _ => return Err(TopologyError::Parse { path, text }),
        }
    }

    let pus = cpus
        .into_iter()
        .map(|cpu| {
            let dir = cpu_dir.join(format!("cpu{cpu}"));
            let number = |file: &str| {
                read_trimmed(&dir.join("topology").join(file))
                    .ok()
                    .and_then(|text| text.parse::<i64>().ok())
                    .and_then(|n| usize::try_from(n).ok())
            };
            PuInfo {
                cpu,
                package: number("physical_package_id").unwrap_or(0),
                core: number("core_id").unwrap_or(cpu),
                node: node_of.get(&cpu).copied().unwrap_or(node_ids[0]),
                cache: last_level_cache(&dir.join("cache")),
            }
        })
        .collect();
    Topology::from_pus(pus, |a, b| distances.get(&(a, b)).copied())
}

/// The highest-level data or unified cache of level 2 or more under `cpuN/cache`: its
/// level and the CPUs sharing it.
fn last_level_cache(cache_dir: &Path) -> Option<(u8, Vec<usize>)> {
    let mut best: Option<(u8, Vec<usize>)> = None;
    for index in numbered_entries(cache_dir, "index").ok()? {
        let dir = cache_dir.join(format!("index{index}"));
        if read_trimmed(&dir.join("type")).is_ok_and(|t| t == "Instruction") {
            continue;
        }
        let Some(level) = read_trimmed(&dir.join("level"))
            .ok()
            .and_then(|l| l.parse::<u8>().ok())
        else {
            continue;
        };
        if level < 2 || best.as_ref().is_some_and(|(b, _)| *b >= level) {
            continue;
        }
        let Some(shared) = read_trimmed(&dir.join("shared_cpu_list"))
            .ok()
            .and_then(|t| parse_cpulist(&t))
        else {
            continue;
        };
        if !shared.is_empty() {
            best = Some((level, shared));
        }
    }
    best
}

/// The numbers `N` of the entries `{prefix}N` of `dir`, ascending.
fn numbered_entries(dir: &Path, prefix: &str) -> Result<Vec<usize>, TopologyError> {
    let entries = fs::read_dir(dir).map_err(|source| TopologyError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut numbers: Vec<usize> = entries
        .filter_map(|entry| {
            let name = entry.ok()?.file_name();
            name.to_str()?.strip_prefix(prefix)?.parse().ok()
        })
        .collect();
    numbers.sort_unstable();
    Ok(numbers)
}

fn read_trimmed(path: &PathBuf) -> Result<String, TopologyError> {
    fs::read_to_string(path)
        .map(|text| text.trim().to_owned())
        .map_err(|source| TopologyError::Io {
            path: path.clone(),
            source,
        })
}

/// Parses a kernel CPU list (`0-3,8,10-11`, optionally with strides `0-7:2`) into
/// ascending, distinct numbers; `None` if malformed. The empty list is valid.
pub(super) fn parse_cpulist(text: &str) -> Option<Vec<usize>> {
    let mut cpus = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        let (range, stride) = match part.split_once(':') {
            Some((range, stride)) => (range, stride.parse::<usize>().ok().filter(|&s| s > 0)?),
            None => (part, 1),
        };
        match range.split_once('-') {
            Some((lo, hi)) => {
                let (lo, hi): (usize, usize) = (lo.parse().ok()?, hi.parse().ok()?);
                if lo > hi || hi - lo > 1 << 20 {
                    return None;
                }
                cpus.extend((lo..=hi).step_by(stride));
            }
            None => cpus.push(range.parse().ok()?),
        }
    }
    cpus.sort_unstable();
    cpus.dedup();
    Some(cpus)
}
