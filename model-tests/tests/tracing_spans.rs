//! The `tracing` feature: a Chrome trace of a world's frames holds one `system` span per
//! system run (named by the field `name`), and `tick`, `phase`, `stage` and `commands`
//! spans. Run with `cargo test -p metronome-model-tests --features tracing --test tracing_spans`.

use metronome::prelude::*;
use std::collections::HashMap;
use tracing_subscriber::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Position(pub f32);

#[system]
pub fn step(mut q: Query<&mut Position>) {
    for p in q.iter_mut() {
        p.0 += 1.0;
    }
}

#[system]
pub fn look(q: Query<&Position>) {
    std::hint::black_box(q.len());
}

#[system]
pub fn grow(mut commands: Commands) {
    commands.spawn((Position(0.0),));
}

#[world(
    archetypes(Body = (Position)),
    phases(Physics = fixed(hz = 100), Update),
    systems(Physics = [step], Update = [look, grow]),
    executor = work_stealing(workers = 2),
)]
pub struct Game;

/// The `B` (begin) events of the trace, by span name, and the `name` argument of the
/// `system` spans.
fn spans_of(trace: &serde_json::Value) -> (HashMap<String, usize>, HashMap<String, usize>) {
    let events = trace
        .as_array()
        .or_else(|| trace.get("traceEvents").and_then(|e| e.as_array()))
        .expect("a Chrome trace is an array of events");
    let mut spans = HashMap::new();
    let mut systems = HashMap::new();
    for event in events {
        if event.get("ph").and_then(|p| p.as_str()) != Some("B") {
            continue;
        }
        let name = event["name"].as_str().unwrap_or_default().to_string();
        if name == "system" {
            let system = event["args"]["name"]
                .as_str()
                .expect("a system span has its name");
            *systems.entry(system.to_string()).or_default() += 1;
        }
        *spans.entry(name).or_default() += 1;
    }
    (spans, systems)
}

#[test]
fn a_chrome_trace_has_one_system_span_per_system_run() {
    let dir = std::env::temp_dir().join(format!("metronome-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("trace.json");
    let (chrome, guard) = tracing_chrome::ChromeLayerBuilder::new()
        .file(&path)
        .include_args(true)
        .build();
    let subscriber = tracing_subscriber::registry().with(chrome);
    // The global default, not `with_default` (which covers the calling thread only):
    // systems run on the pool's threads too. This binary has this one test.
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    let stats = {
        let mut game = Game::new();
        game.spawn((Position(0.0),));
        // 25 ms at 100 Hz: 2 steps of `Physics`, then `Update` once; 7 frames.
        for _ in 0..7 {
            game.update(std::time::Duration::from_millis(25));
        }
        game.tick();
        game.stats().clone()
    };
    drop(guard);
    let text = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let trace: serde_json::Value = serde_json::from_str(&text).expect("the trace is JSON");
    let (spans, systems) = spans_of(&trace);
    for name in ["step", "look", "grow"] {
        let runs = stats.system(name).unwrap().runs as usize;
        assert!(runs > 0);
        assert_eq!(
            systems.get(name).copied(),
            Some(runs),
            "{name}: {systems:?}"
        );
    }
    assert_eq!(spans["system"], systems.values().sum::<usize>());
    assert_eq!(spans["tick"], 8);
    // Physics ran 1 + 2 per frame (about: 25 ms steps of 10 ms) plus once in the tick.
    assert_eq!(
        spans["phase"],
        stats.system("step").unwrap().runs as usize + 8
    );
    assert!(spans["stage"] >= spans["phase"]);
    assert_eq!(spans["commands"], spans["stage"]);
}
