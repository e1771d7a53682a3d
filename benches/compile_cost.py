#!/usr/bin/env python3
"""Compile cost of a big metronome world (issue 5).

Generates a crate in a temporary directory that depends on metronome by path, and
reports, after its dependencies are built:

  * `cargo check` time after touching `main.rs` (incremental, as cargo does by default:
    touching changes nothing, so this is mostly the macro expansion),
  * `cargo check` with `CARGO_INCREMENTAL=0` after touching `main.rs` (the whole front
    end over the crate: the figure the check target is judged on),
  * `cargo build --release` time after touching `main.rs` (release is not incremental),

for three `main.rs` files:

  * `empty`: `fn main() {}` (the baseline: what any crate depending on metronome pays),
  * `big`:   64 components, 32 archetypes of 3-8 components, 100 systems in 4 phases,
  * `frag`:  the frag_iter world (27 component types, 26 archetypes) and a query over it.

Targets (issue 5): `big` full check <= 5 s and release rebuild <= 2 s on the 2-core
machine.

Usage: python3 benches/compile_cost.py [--keep DIR] [--runs N]
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CARGO_TOML = """[package]
name = "metronome-compile-cost"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
metronome = {{ path = "{repo}" }}

[workspace]
"""


def big_world(seed: int = 5) -> str:
    """64 components, 32 distinct archetypes of 3-8 components, 100 systems in 4 phases."""
    rng = random.Random(seed)
    out = ["use metronome::prelude::*;", ""]
    for c in range(64):
        out.append(f"#[derive(Component, Clone, Copy, Debug, Default)] pub struct C{c}(pub f32);")
    out.append("#[derive(Default)] pub struct Clock(pub u64);")
    out.append("")
    # Archetypes: every component appears at least once (the first 64 slots cover them).
    pool = list(range(64))
    rng.shuffle(pool)
    archetypes = []
    seen = set()
    while len(archetypes) < 32:
        k = rng.randint(3, 8)
        comps = []
        while pool and len(comps) < k:
            comps.append(pool.pop())
        while len(comps) < k:
            c = rng.randrange(64)
            if c not in comps:
                comps.append(c)
        key = frozenset(comps)
        if key in seen:
            continue
        seen.add(key)
        archetypes.append(sorted(comps))
    # Systems: 25 per phase; each queries 1-3 components of one archetype (so it matches),
    # writes the first, reads the others; some take the clock; some order after another.
    systems = []
    for s in range(100):
        arch = rng.choice(archetypes)
        comps = rng.sample(arch, rng.randint(1, min(3, len(arch))))
        systems.append((s, comps, rng.random() < 0.2))
    for s, comps, clock in systems:
        data = ", ".join([f"&mut C{comps[0]}"] + [f"&C{c}" for c in comps[1:]])
        names = ", ".join(["a"] + [f"b{i}" for i in range(1, len(comps))])
        body = " + ".join(["1.0"] + [f"b{i}.0" for i in range(1, len(comps))])
        params = [f"mut q: Query<({data},)>"]
        if clock:
            params.append("clock: Res<Clock>")
            body += " + clock.0 as f32"
        out.append("#[system]")
        out.append(f"pub fn s{s}({', '.join(params)}) {{")
        out.append(f"    q.for_each(|({names},)| a.0 += {body});")
        out.append("}")
    out.append("#[system] pub fn tick_clock(mut clock: ResMut<Clock>) { clock.0 += 1; }")
    out.append("")
    arch_decls = ",\n        ".join(
        f"A{i} = ({', '.join(f'C{c}' for c in comps)})" for i, comps in enumerate(archetypes)
    )
    phases = []
    for p in range(4):
        entries = []
        for s in range(p * 25, p * 25 + 25):
            if s % 5 == 4:
                entries.append(f"s{s}.after(s{s - 1})")
            else:
                entries.append(f"s{s}")
        if p == 3:
            entries.append("tick_clock")
        phases.append(f"P{p} = [{', '.join(entries)}]")
    out.append(
        f"""#[world(
    archetypes(
        {arch_decls},
    ),
    resources(Clock),
    phases(P0, P1, P2, P3),
    systems(
        {(','+chr(10)+'        ').join(phases)},
    ),
    executor = work_stealing(workers = 2),
)]
pub struct Big;

fn main() {{
    let mut w = Big::new();
    let e = w.spawn(A0({', '.join(f'C{c}(0.0)' for c in archetypes[0])}));
    w.tick();
    println!("{{}} {{:?}} {{}}", w.len(), w.get::<C{archetypes[0][0]}>(e), w.resource::<Clock>().0);
}}
"""
    )
    return "\n".join(out)


def frag_world() -> str:
    letters = [chr(ord("A") + i) for i in range(26)]
    out = ["use metronome::prelude::*;", ""]
    for t in letters + ["Data"]:
        out.append(f"#[derive(Component, Clone, Copy, Debug)] pub struct {t}(pub f32);")
    decls = ", ".join(f"F{t} = ({t}, Data)" for t in letters)
    out.append(
        f"""
#[world(archetypes({decls}), executor = sequential)]
pub struct Frag;

fn main() {{
    let mut w = Frag::new();
{chr(10).join(f'    w.spawn_batch((0..20).map(|_| ({t}(0.0), Data(1.0))));' for t in letters)}
    w.query_mut::<&mut Data>().for_each(|d| d.0 *= 2.0);
    println!("{{}}", w.len());
}}
"""
    )
    return "\n".join(out)


def timed(cmd, cwd, env):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout)
        raise SystemExit(f"`{' '.join(cmd)}` failed")
    return elapsed


def touch(path):
    now = time.time()
    os.utime(path, (now, now))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", help="generate into this directory and keep it")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (the median is reported)")
    args = parser.parse_args()

    root = args.keep or tempfile.mkdtemp(prefix="metronome-compile-cost-")
    os.makedirs(os.path.join(root, "src"), exist_ok=True)
    with open(os.path.join(root, "Cargo.toml"), "w") as f:
        f.write(CARGO_TOML.format(repo=REPO))
    main_rs = os.path.join(root, "src", "main.rs")
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = os.path.join(root, "target")
    env.pop("CARGO_INCREMENTAL", None)  # cargo's defaults: dev incremental, release not
    full = dict(env, CARGO_INCREMENTAL="0")

    sources = {"empty": "fn main() {}\n", "big": big_world(), "frag": frag_world()}
    results = {}
    try:
        for name, source in sources.items():
            with open(main_rs, "w") as f:
                f.write(source)
            row = {}
            for label, cmd, cmd_env in (
                ("check", ["cargo", "check", "-q"], env),
                ("full check", ["cargo", "check", "-q"], full),
                ("release rebuild", ["cargo", "build", "-q", "--release"], env),
            ):
                timed(cmd, root, cmd_env)  # dependencies, and the first build of this main.rs
                times = []
                for _ in range(args.runs):
                    touch(main_rs)
                    times.append(timed(cmd, root, cmd_env))
                row[label] = sorted(times)[len(times) // 2]
            results[name] = row
            print(
                f"{name:6s} check {row['check']:6.2f} s   full check {row['full check']:6.2f} s   "
                f"release rebuild {row['release rebuild']:6.2f} s",
                flush=True,
            )
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    big, empty = results["big"], results["empty"]
    print()
    print("| main.rs | cargo check (incremental) | cargo check (CARGO_INCREMENTAL=0) | release rebuild |")
    print("|---|---:|---:|---:|")
    for name, row in results.items():
        print(f"| {name} | {row['check']:.2f} s | {row['full check']:.2f} s | {row['release rebuild']:.2f} s |")
    print()
    print(f"big world over the empty baseline: full check +{big['full check'] - empty['full check']:.2f} s, "
          f"release rebuild +{big['release rebuild'] - empty['release rebuild']:.2f} s")
    ok = big["full check"] <= 5.0 and big["release rebuild"] <= 2.0
    print("targets (check <= 5 s, rebuild <= 2 s):", "met" if ok else "MISSED")


if __name__ == "__main__":
    main()
