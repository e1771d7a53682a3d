//! Memory pressure: a [`PressureMonitor`] reads Linux PSI (`/proc/pressure/memory`), or
//! `/proc/meminfo` where PSI is absent, at most once per interval (100 ms by default),
//! classifies it into a [`PressureLevel`] with hysteresis, and calls its subscribers
//! when the level changes. Nothing runs in the background unless [`PressureMonitor::start`]
//! starts a thread; otherwise whoever calls [`PressureMonitor::poll`] (a world that
//! follows the monitor, once per frame) drives it.
//!
//! A world given a monitor (`game.follow_pressure(&monitor)`) gives memory back
//! (`trim_memory`) each time the level reaches `High` or `Critical`.

mod level;
mod source;
#[cfg(test)]
mod tests;

pub use level::{Classifier, PressureLevel, Thresholds};
pub use source::{MeminfoReading, PsiReading};

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where and how a [`PressureMonitor`] reads: the files, the interval, the thresholds of
/// each source and the hysteresis margin.
///
/// ```
/// use metronome_runtime::pressure::{PressureConfig, Thresholds};
/// use std::time::Duration;
/// let config = PressureConfig::default()
///     .psi_path("/tmp/psi")
///     .psi_thresholds(Thresholds { low: 1.0, medium: 2.0, high: 3.0, critical: 4.0 })
///     .interval(Duration::from_millis(250));
/// assert_eq!(config.interval_value(), Duration::from_millis(250));
/// ```
#[derive(Clone, Debug)]
pub struct PressureConfig {
    psi_path: PathBuf,
    meminfo_path: PathBuf,
    interval: Duration,
    psi: Thresholds,
    meminfo: Thresholds,
    margin: f64,
}

impl Default for PressureConfig {
    /// `/proc/pressure/memory`, `/proc/meminfo`, every 100 ms, [`Thresholds::PSI`] and
    /// [`Thresholds::MEMINFO`], a margin of 2 percentage points.
    fn default() -> Self {
        PressureConfig {
            psi_path: PathBuf::from("/proc/pressure/memory"),
            meminfo_path: PathBuf::from("/proc/meminfo"),
            interval: PressureConfig::MIN_INTERVAL,
            psi: Thresholds::PSI,
            meminfo: Thresholds::MEMINFO,
            margin: 2.0,
        }
    }
}

impl PressureConfig {
    /// The shortest interval between two readings.
    pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

    /// The PSI file (tests feed a file of their own).
    pub fn psi_path(self, path: impl Into<PathBuf>) -> Self {
        PressureConfig {
            psi_path: path.into(),
            ..self
        }
    }

    /// The meminfo file, read where the PSI file cannot be.
    pub fn meminfo_path(self, path: impl Into<PathBuf>) -> Self {
        PressureConfig {
            meminfo_path: path.into(),
            ..self
        }
    }

    /// The interval between readings (at least [`PressureConfig::MIN_INTERVAL`]).
    pub fn interval(self, interval: Duration) -> Self {
        PressureConfig {
            interval: interval.max(PressureConfig::MIN_INTERVAL),
            ..self
        }
    }

    /// The thresholds for PSI's `some avg10`.
    pub fn psi_thresholds(self, thresholds: Thresholds) -> Self {
        PressureConfig {
            psi: thresholds,
            ..self
        }
    }

    /// The thresholds for meminfo's share of memory in use.
    pub fn meminfo_thresholds(self, thresholds: Thresholds) -> Self {
        PressureConfig {
            meminfo: thresholds,
            ..self
        }
    }

    /// How far below the current level's threshold a reading must fall for the level to
    /// drop (in the source's unit).
    pub fn hysteresis(self, margin: f64) -> Self {
        PressureConfig { margin, ..self }
    }

    /// The interval between readings.
    pub fn interval_value(&self) -> Duration {
        self.interval
    }
}

/// Which file the last reading came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PressureSource {
    /// The PSI file.
    Psi,
    /// The meminfo file (PSI absent or unreadable).
    Meminfo,
    /// Neither could be read: the level stays where it was.
    Unavailable,
}

type Subscriber = Arc<dyn Fn(PressureLevel) + Send + Sync>;

/// What the monitor's users share.
struct Shared {
    config: PressureConfig,
    level: AtomicU8,
    state: Mutex<State>,
}

struct State {
    psi: Classifier,
    meminfo: Classifier,
    last_read: Option<Instant>,
    source: PressureSource,
    subscribers: Vec<Subscriber>,
}

/// Reads memory pressure and tells subscribers when its level changes. Cheap to clone
/// (the clones share one state); `Send + Sync`.
///
/// ```
/// use metronome_runtime::pressure::{PressureConfig, PressureLevel, PressureMonitor};
/// let dir = std::env::temp_dir().join(format!("mn-doc-psi-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let psi = dir.join("memory");
/// std::fs::write(&psi, "some avg10=25.00 avg60=0 avg300=0 total=0\n").unwrap();
/// let monitor = PressureMonitor::new(PressureConfig::default().psi_path(&psi));
/// monitor.subscribe(|level| println!("memory pressure: {level:?}"));
/// assert_eq!(monitor.poll(), PressureLevel::High);
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Clone)]
pub struct PressureMonitor {
    shared: Arc<Shared>,
}

impl PressureMonitor {
    /// A monitor reading as `config` says; nothing is read until the first poll.
    pub fn new(config: PressureConfig) -> PressureMonitor {
        let state = State {
            psi: Classifier::new(config.psi, config.margin),
            meminfo: Classifier::new(config.meminfo, config.margin),
            last_read: None,
            source: PressureSource::Unavailable,
            subscribers: Vec::new(),
        };
        PressureMonitor {
            shared: Arc::new(Shared {
                config,
                level: AtomicU8::new(PressureLevel::None.to_u8()),
                state: Mutex::new(state),
            }),
        }
    }

    /// The level of the last reading (no reading, no clock: one atomic load).
    pub fn level(&self) -> PressureLevel {
        PressureLevel::from_u8(self.shared.level.load(Ordering::Acquire))
    }

    /// Which file the last reading came from.
    pub fn source(&self) -> PressureSource {
        self.lock().source
    }

    /// Calls `subscriber` with the new level on every change of level (on the thread
    /// that polled). A subscriber must not subscribe from inside the call.
    pub fn subscribe(&self, subscriber: impl Fn(PressureLevel) + Send + Sync + 'static) {
        self.lock().subscribers.push(Arc::new(subscriber));
    }

    /// Reads the pressure if the interval has passed since the last reading, and returns
    /// the level. On a change, the subscribers are called (after the monitor's lock is
    /// released, so they may call `level` and `poll`).
    pub fn poll(&self) -> PressureLevel {
        let now = Instant::now();
        let (changed, subscribers) = {
            let mut state = self.lock();
            if state
                .last_read
                .is_some_and(|last| now.duration_since(last) < self.shared.config.interval)
            {
                return self.level();
            }
            state.last_read = Some(now);
            let old = self.level();
            let new = self.read(&mut state).unwrap_or(old);
            self.shared.level.store(new.to_u8(), Ordering::Release);
            if new == old {
                return new;
            }
            (new, state.subscribers.clone())
        };
        for subscriber in &subscribers {
            subscriber(changed);
        }
        changed
    }

    /// One reading: PSI, else meminfo; `None` if neither file can be read.
    fn read(&self, state: &mut State) -> Option<PressureLevel> {
        let config = &self.shared.config;
        if let Ok(psi) = PsiReading::read(&config.psi_path) {
            state.source = PressureSource::Psi;
            return Some(state.psi.classify(psi.some_avg10));
        }
        if let Ok(meminfo) = MeminfoReading::read(&config.meminfo_path) {
            state.source = PressureSource::Meminfo;
            return Some(state.meminfo.classify(meminfo.used_percent()));
        }
        state.source = PressureSource::Unavailable;
        None
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A subscriber never runs under the lock, and nothing else in it panics; a
        // poisoned lock still holds a consistent state.
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts a thread that polls at the configured interval until the returned handle
    /// is dropped (or [`MonitorThread::stop`]ped). The only thread this module starts.
    pub fn start(&self) -> std::io::Result<MonitorThread> {
        let stop = Arc::new(AtomicBool::new(false));
        let monitor = self.clone();
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("metronome-pressure".into())
            .spawn(move || {
                let interval = monitor.shared.config.interval;
                while !flag.load(Ordering::Acquire) {
                    monitor.poll();
                    std::thread::park_timeout(interval);
                }
            })?;
        Ok(MonitorThread {
            stop,
            handle: Some(handle),
        })
    }
}

impl std::fmt::Debug for PressureMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PressureMonitor")
            .field("level", &self.level())
            .field("config", &self.shared.config)
            .finish()
    }
}

/// The thread [`PressureMonitor::start`] started; dropping it stops and joins the thread.
#[derive(Debug)]
pub struct MonitorThread {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl MonitorThread {
    /// Stops and joins the thread (what dropping the handle does).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(handle) = self.handle.take() {
            handle.thread().unpark();
            // A subscriber that panicked ended the thread already; nothing to report.
            let _ = handle.join();
        }
    }
}

impl Drop for MonitorThread {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A world's link to a monitor: it polls it once per frame and trims on each rise to
/// `High` or worse.
pub(crate) struct PressureWatch {
    monitor: PressureMonitor,
    /// The level at which the world last trimmed (`None`: not since it was below `High`).
    trimmed_at: Option<PressureLevel>,
}

impl PressureWatch {
    pub(crate) fn new(monitor: &PressureMonitor) -> PressureWatch {
        PressureWatch {
            monitor: monitor.clone(),
            trimmed_at: None,
        }
    }

    /// Polls the monitor; `true` when the world should trim now: the level is `High` or
    /// worse and higher than at the last trim.
    pub(crate) fn should_trim(&mut self) -> bool {
        let level = self.monitor.poll();
        if !level.at_least_high() {
            self.trimmed_at = None;
            return false;
        }
        if self.trimmed_at.is_some_and(|at| at >= level) {
            return false;
        }
        self.trimmed_at = Some(level);
        true
    }
}
