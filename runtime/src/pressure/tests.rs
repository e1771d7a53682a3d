//! The pressure sources and levels on files the tests write.

use super::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;

/// A fresh directory for one test's files, removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("mn-pressure-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn psi(some: f64) -> String {
    format!("some avg10={some:.2} avg60=0.00 avg300=0.00 total=10\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
}

/// A monitor reading `psi_path` (else `meminfo_path`) on every poll.
fn monitor(psi_path: &Path, meminfo_path: &Path) -> PressureMonitor {
    PressureMonitor::new(
        PressureConfig::default()
            .psi_path(psi_path)
            .meminfo_path(meminfo_path),
    )
}

/// Forgets the time of the last reading, so the next poll reads (the tests do not wait
/// out the 100 ms interval).
fn expire(monitor: &PressureMonitor) {
    monitor.lock().last_read = None;
}

#[test]
fn psi_readings_give_levels() {
    let dir = Dir::new("psi");
    let path = dir.file("memory", &psi(0.0));
    let m = monitor(&path, &dir.0.join("absent"));
    assert_eq!(m.poll(), PressureLevel::None);
    assert_eq!(m.source(), PressureSource::Psi);
    for (some, level) in [
        (6.0, PressureLevel::Low),
        (12.0, PressureLevel::Medium),
        (25.0, PressureLevel::High),
        (50.0, PressureLevel::Critical),
    ] {
        dir.file("memory", &psi(some));
        expire(&m);
        assert_eq!(m.poll(), level, "some avg10 = {some}");
        assert_eq!(m.level(), level);
    }
}

#[test]
fn meminfo_is_the_fallback_where_psi_is_absent() {
    let dir = Dir::new("meminfo");
    let meminfo = dir.file(
        "meminfo",
        "MemTotal:       1000000 kB\nMemFree:          10000 kB\nMemAvailable:     80000 kB\n",
    );
    let m = monitor(&dir.0.join("no-psi"), &meminfo);
    // 92 % in use: High by the meminfo thresholds.
    assert_eq!(m.poll(), PressureLevel::High);
    assert_eq!(m.source(), PressureSource::Meminfo);
    // Neither file: the level stays.
    std::fs::remove_file(&meminfo).unwrap();
    expire(&m);
    assert_eq!(m.poll(), PressureLevel::High);
    assert_eq!(m.source(), PressureSource::Unavailable);
}

#[test]
fn a_reading_wavering_at_a_threshold_does_not_flap() {
    let mut c = Classifier::new(Thresholds::PSI, 2.0);
    assert_eq!(c.classify(20.0), PressureLevel::High);
    let mut changes = 0;
    let mut last = c.level();
    for i in 0..100 {
        let value = if i % 2 == 0 { 19.0 } else { 20.5 };
        if c.classify(value) != last {
            changes += 1;
            last = c.level();
        }
    }
    assert_eq!(changes, 0, "stays High while the reading wavers around 20");
    // Well below: it drops, and wavering just under the threshold keeps it down.
    assert_eq!(c.classify(17.0), PressureLevel::Medium);
    assert_eq!(c.classify(19.9), PressureLevel::Medium);
    assert_eq!(c.classify(20.0), PressureLevel::High);
    // Straight down several levels at once.
    assert_eq!(c.classify(0.0), PressureLevel::None);
}

#[test]
fn thresholds_are_configurable() {
    let dir = Dir::new("thresholds");
    let path = dir.file("memory", &psi(3.0));
    let m = PressureMonitor::new(PressureConfig::default().psi_path(&path).psi_thresholds(
        Thresholds {
            low: 0.5,
            medium: 1.0,
            high: 2.0,
            critical: 2.5,
        },
    ));
    assert_eq!(m.poll(), PressureLevel::Critical);
}

#[test]
fn subscribers_hear_each_change_once() {
    let dir = Dir::new("subscribers");
    let path = dir.file("memory", &psi(0.0));
    let m = monitor(&path, &dir.0.join("absent"));
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&heard);
    let inner = m.clone();
    m.subscribe(move |level| {
        // Subscribers run outside the monitor's lock.
        assert_eq!(inner.level(), level);
        sink.lock().unwrap().push(level);
    });
    for some in [0.0, 25.0, 25.0, 19.5, 50.0, 0.0] {
        dir.file("memory", &psi(some));
        expire(&m);
        m.poll();
    }
    assert_eq!(
        *heard.lock().unwrap(),
        [
            PressureLevel::High,
            PressureLevel::Critical,
            PressureLevel::None
        ]
    );
}

#[test]
fn polls_within_the_interval_do_not_read() {
    let dir = Dir::new("interval");
    let path = dir.file("memory", &psi(0.0));
    let m = monitor(&path, &dir.0.join("absent"));
    assert_eq!(m.poll(), PressureLevel::None);
    dir.file("memory", &psi(50.0));
    // Within 100 ms of the last reading: the file is not read again.
    assert_eq!(m.poll(), PressureLevel::None);
    expire(&m);
    assert_eq!(m.poll(), PressureLevel::Critical);
}

#[test]
fn the_monitor_thread_polls_until_stopped() {
    let dir = Dir::new("thread");
    let path = dir.file("memory", &psi(50.0));
    let m = monitor(&path, &dir.0.join("absent"));
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    m.subscribe(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let thread = m.start().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while m.level() != PressureLevel::Critical && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    thread.stop();
    assert_eq!(m.level(), PressureLevel::Critical);
    assert_eq!(calls.load(Ordering::Relaxed), 1);
}

#[test]
fn a_watch_trims_once_per_rise_to_high_or_worse() {
    let dir = Dir::new("watch");
    let path = dir.file("memory", &psi(0.0));
    let m = monitor(&path, &dir.0.join("absent"));
    let mut watch = PressureWatch::new(&m);
    let mut trims = Vec::new();
    for some in [0.0, 25.0, 25.0, 50.0, 50.0, 10.0, 30.0] {
        dir.file("memory", &psi(some));
        expire(&m);
        trims.push(watch.should_trim());
    }
    assert_eq!(trims, [false, true, false, true, false, false, true]);
}
