//! What the interleaved drivers (`interleaved`, `ecs_interleaved`, `fib_interleaved`)
//! share: their positional arguments, the rounds of every variant in turn, and the
//! median of a round's times.
#![allow(dead_code)]

/// The program's arguments but the flags: `cargo bench` appends `--bench`, and every
/// other argument of these drivers is positional.
pub fn positional_args() -> Vec<String> {
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect()
}

/// Argument `i` of `args` as a number, `default` if absent (a panic naming it if it is
/// not a number).
pub fn number_arg(args: &[String], i: usize, default: usize) -> usize {
    args.get(i).map_or(default, |a| {
        a.parse()
            .unwrap_or_else(|_| panic!("argument {i}: a number, not {a:?}"))
    })
}

/// The median of `values` (the upper of the middle two of an even count).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Runs `rounds` rounds, each measuring every one of `variants` once (`measure(which)`,
/// its time in ms) in declaration order, reversed every other round so that no variant
/// always runs right after another; prints each round's times and returns each
/// variant's times, round by round.
pub fn interleaved(
    variants: &[&str],
    rounds: usize,
    mut measure: impl FnMut(usize) -> f64,
) -> Vec<Vec<f64>> {
    let mut times = vec![Vec::new(); variants.len()];
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..variants.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        let mut row = vec![0.0; variants.len()];
        for which in order {
            row[which] = measure(which);
        }
        let cells: Vec<String> = variants
            .iter()
            .zip(&row)
            .map(|(v, t)| format!("{v} {t:.2}"))
            .collect();
        println!("round {round}: {}", cells.join("  "));
        for (all, t) in times.iter_mut().zip(row) {
            all.push(t);
        }
    }
    times
}
